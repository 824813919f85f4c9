import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENTS, eventInfo } from '../../../src/state/event-catalogue.js';
import { eventLine } from '../../../src/ui/lines.js';

const SRC = resolve(import.meta.dirname, '../../../src');
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : []));

describe('the event catalogue', () => {
  it('lists every event name the source writes, and no name the source never writes', () => {
    const written = new Set<string>();
    for (const file of files(SRC)) {
      // ao web's SSE messages are named `event: 'status'` and the like too: a name of the feed, not of ao's events
      if (file.endsWith('event-catalogue.ts') || file.includes(`${join('src', 'web')}/`)) continue;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bevent: '([a-z-]+)'/g)) written.add(m[1]!);
      // names chosen by a conditional or a table: any quoted catalogue name counts
      for (const name of Object.keys(EVENTS)) if (text.includes(`'${name}'`)) written.add(name);
    }
    expect([...written].filter((n) => !(n in EVENTS))).toEqual([]);
    expect(Object.keys(EVENTS).filter((n) => !written.has(n))).toEqual([]);
  });

  it('colours the dashboard by it: failures red, what needs a look yellow, anything unknown plain', () => {
    const colour = (event: string): string | undefined => eventLine({ time: '2030-01-01T00:00:00Z', agent: 'a', event, reason: 'r' }, { color: true }).color;
    expect(['died', 'failed', 'start-error', 'stall-restart', 'config-error', 'not-converging'].map(colour)).toEqual(Array(6).fill('red'));
    expect(['nudge', 'waiting', 'config-warning', 'agent-removed'].map(colour)).toEqual(Array(4).fill('yellow'));
    expect(['started', 'gate-pass', 'backoff', 'from-a-newer-ao'].map(colour)).toEqual(Array(4).fill(undefined));
  });

  it('shows the names an event file holds capped at 64 characters, in one line', () => {
    const { text } = eventLine({ time: '2030-01-01T00:00:00Z', agent: 'a'.repeat(500), event: `x\n${'e'.repeat(500)}`, reason: 'r' }, { color: false });
    expect(text).toContain(`${'a'.repeat(63)}…  x ${'e'.repeat(61)}…  r`);
    expect(text).not.toContain('\n');
  });

  it('logs failures and errors at warn level', () => {
    const warned = Object.entries(EVENTS).filter(([, info]) => info.log === 'warn').map(([name]) => name).sort();
    expect(warned).toEqual(['bad-file', 'config-error', 'failed', 'land-refused', 'ledger-broken', 'notify-failed', 'paused', 'start-error', 'state-unwritable', 'sweep-failed']);
    expect(eventInfo('toString')).toEqual({ tone: 'plain', log: 'info' });
  });
});
