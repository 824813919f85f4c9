import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Project } from '../../../src/config/types.js';
import type { EventRecord } from '../../../src/state/events.js';
import { EventSink } from '../../../src/supervisor/event-sink.js';

describe('EventSink', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function setup(): { sink: EventSink; logged: Array<EventRecord | string>; blocker: string; events: () => string[] } {
    const dir = mkdtempSync(join(tmpdir(), 'ao-sink-'));
    dirs.push(dir);
    // a file where the state folder's parent should be: every write under it fails (ENOTDIR) until it goes
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, '');
    const stateDir = join(blocker, 'state');
    const project = { name: 'p', stateDir, notify: null } as unknown as Project;
    const logged: Array<EventRecord | string> = [];
    const sink = new EventSink({ project: () => project, log: (_level, entry) => logged.push(entry), now: () => Date.parse('2026-12-07T12:00:00Z') });
    const events = (): string[] =>
      readFileSync(join(stateDir, 'events.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as EventRecord).reason);
    return { sink, logged, blocker, events };
  }

  it('holds the lines a failing disk refuses, says so once, and writes them oldest first once it works', () => {
    const { sink, logged, blocker, events } = setup();
    sink.event({ agent: 'watchdog', event: 'watchdog-start', reason: 'one', time: '2026-12-07T11:00:00.000Z' });
    sink.event({ type: 'event', agent: 'a', event: 'died', reason: 'two' });
    const troubles = logged.filter((l) => typeof l === 'string');
    expect(troubles).toHaveLength(1);
    expect(troubles[0]).toMatch(/^events\.jsonl: .*reported once/);
    // every event is in the log whatever the disk does, with its own time when it came with one
    expect(logged.filter((l) => typeof l !== 'string').map((l) => (l as EventRecord).time)).toEqual(['2026-12-07T11:00:00.000Z', '2026-12-07T12:00:00.000Z']);
    rmSync(blocker);
    sink.event({ agent: 'a', event: 'died', reason: 'three' });
    expect(events()).toEqual(['one', 'two', 'three']);
  });

  it('an episode of refused state writes is said once when it begins and once when it ends', () => {
    const { sink, blocker, events } = setup();
    rmSync(blocker);
    sink.refused('ENOSPC', 'agents.json');
    sink.refused('ENOSPC', 'agents.json');
    expect(sink.writable).toBe(false);
    expect(sink.worked(Date.parse('2026-12-07T12:00:04Z'))).toBe(true);
    expect(sink.worked(Date.parse('2026-12-07T12:00:05Z'))).toBe(false);
    expect(sink.writable).toBe(true);
    expect(events()).toEqual([expect.stringMatching(/refuses writes \(ENOSPC, agents\.json\)/), expect.stringMatching(/takes writes again/)]);
  });
});
