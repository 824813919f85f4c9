import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EventRecord } from '../../../src/state/events.js';
import type { UsageRecord } from '../../../src/state/usage.js';
import { HELD_EVENTS, HeldLines, unwritableCode, Writability } from '../../../src/supervisor/writable.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'ao-held-'));
  dirs.push(d);
  return d;
};

const error = (code: string): NodeJS.ErrnoException => Object.assign(new Error(code), { code });
const event = (n: number): EventRecord => ({ time: `t${n}`, agent: 'a', event: 'start', reason: `r${n}` });
const usage = (run: string): UsageRecord => ({
  time: 't',
  agent: 'a',
  phase: 'one',
  iteration: 1,
  run,
  usage: { input_tokens: 1, output_tokens: 2, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: 0.5 },
});

describe('a state folder that refuses writes', () => {
  it.each([
    ['ENOSPC', 'ENOSPC'],
    ['EDQUOT', 'EDQUOT'],
    ['EROFS', 'EROFS'],
    ['EACCES', 'EACCES'],
    ['EIO', null],
    ['ENOENT', null],
  ])('%s is %s', (code, expected) => {
    expect(unwritableCode(error(code))).toBe(expected);
  });

  it('is no error code at all for a plain error', () => {
    expect(unwritableCode(new Error('x'))).toBeNull();
    expect(unwritableCode(null)).toBeNull();
  });

  it('is said once per episode, and its end once with how long it lasted', () => {
    const w = new Writability();
    expect(w.ok).toBe(true);
    expect(w.worked(1000)).toBeNull();
    expect(w.refused('ENOSPC', 'agents.json', 1000)).toMatchObject({ event: 'state-unwritable', details: { code: 'ENOSPC' } });
    expect(w.ok).toBe(false);
    expect(w.refused('ENOSPC', 'agents.json', 2000)).toBeNull();
    expect(w.refused('EDQUOT', 'agents.json', 3000)).toBeNull();
    expect(w.worked(26_000)).toMatchObject({
      event: 'state-writable',
      details: { unwritable_ms: 25_000 },
      reason: expect.stringMatching(/after 25 s/) as unknown,
    });
    expect(w.ok).toBe(true);
    expect(w.worked(27_000)).toBeNull();
    expect(w.refused('EROFS', 'agents.json', 28_000)).toMatchObject({ event: 'state-unwritable' });
  });
});

describe('lines the disk refused', () => {
  it('wait in memory, in order, and are written with the next line that can be: none lost, a run once', () => {
    const good = temp();
    let dir = join(good, 'file-not-folder');
    writeFileSync(dir, 'x'); // a state folder that cannot be made: every append fails
    const held = new HeldLines(() => dir);
    expect(held.event(event(1))).not.toBeNull();
    expect(held.event(event(2))).not.toBeNull();
    expect(held.usageLine(usage('r1'))).not.toBeNull();
    expect(held.usageLine(usage('r1'))).not.toBeNull(); // the same run seen again by a sweep that was not recorded
    expect(held.usageLine(usage('r2'))).not.toBeNull();
    expect(held.waiting).toBe(4);
    dir = good;
    expect(held.event(event(3))).toBeNull();
    expect(held.flush()).toBeNull();
    expect(held.waiting).toBe(0);
    const events = readFileSync(join(good, 'events.jsonl'), 'utf8').trim().split('\n');
    expect(events.map((l) => (JSON.parse(l) as EventRecord).reason)).toEqual(['r1', 'r2', 'r3']);
    const runs = readFileSync(join(good, 'usage.jsonl'), 'utf8').trim().split('\n');
    expect(runs.map((l) => (JSON.parse(l) as UsageRecord).run)).toEqual(['r1', 'r2']);
  });

  it('are bounded: beyond HELD_EVENTS the oldest go', () => {
    const base = temp();
    let dir = join(base, 'f');
    writeFileSync(dir, 'x');
    const held = new HeldLines(() => dir);
    for (let i = 0; i < HELD_EVENTS + 5; i++) held.event(event(i));
    expect(held.waiting).toBe(HELD_EVENTS);
    dir = base;
    expect(held.flush()).toBeNull();
    const reasons = readFileSync(join(base, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as EventRecord).reason);
    expect(reasons[0]).toBe('r5');
    expect(reasons).toHaveLength(HELD_EVENTS);
  });
});
