import { appendFileSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appendEvent } from '../../../src/state/events.js';
import { layout } from '../../../src/state/layout.js';
import { EventFollower } from '../../../src/supervisor/event-follow.js';

// What other processes append to events.jsonl reaches the watchdog's [notify]: each line once, never the watchdog's own.

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(): { stateDir: string; follower: EventFollower; append: (reason: string) => number } {
  const stateDir = mkdtempSync(join(tmpdir(), 'ao-follow-'));
  dirs.push(stateDir);
  const follower = new EventFollower(() => layout.events(stateDir));
  const append = (reason: string): number => appendEvent(stateDir, { time: '2026-12-07T12:00:00.000Z', agent: 'phase', event: 'phase-set', reason }).seq;
  return { stateDir, follower, append };
}

const reasons = (follower: EventFollower): string[] => follower.take().map((e) => e.reason);

describe('EventFollower', () => {
  it('reads nothing before the first look: the history is not news', () => {
    const { follower, append } = setup();
    expect(reasons(follower)).toEqual([]);
    append('before');
    expect(reasons(follower)).toEqual([]);
    append('after');
    expect(reasons(follower)).toEqual(['after']);
    expect(reasons(follower)).toEqual([]);
  });

  it("gives each line another process wrote once, in order, and skips the watchdog's own by seq", () => {
    const { follower, append } = setup();
    append('history');
    follower.take();
    append('a command');
    follower.wrote(append('the watchdog'));
    append('another command');
    expect(reasons(follower)).toEqual(['a command', 'another command']);
    follower.wrote(append('the watchdog again'));
    expect(reasons(follower)).toEqual([]);
  });

  it('leaves a line still being written for the next look', () => {
    const { stateDir, follower, append } = setup();
    append('history');
    follower.take();
    const line = JSON.stringify({ seq: 99, time: '2026-12-07T12:00:00.000Z', agent: 'phase', event: 'phase-set', reason: 'halfway' });
    appendFileSync(layout.events(stateDir), line.slice(0, 20));
    expect(reasons(follower)).toEqual([]);
    appendFileSync(layout.events(stateDir), `${line.slice(20)}\n`);
    expect(reasons(follower)).toEqual(['halfway']);
  });

  it('reads a rotated log from the start of the new file', () => {
    const { stateDir, follower, append } = setup();
    append('history');
    append('more history');
    follower.take();
    renameSync(layout.events(stateDir), `${layout.events(stateDir)}.1`);
    append('in the new file');
    expect(reasons(follower)).toEqual(['in the new file']);
  });
});
