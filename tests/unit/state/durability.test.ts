import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendEvent, readEvents } from '../../../src/state/events.js';
import { capLog } from '../../../src/state/logcap.js';
import { acquirePidLock, holderAlive, processStartTime, readHolder, releasePidLock } from '../../../src/state/pidlock.js';
import { readPhaseState, writePhaseState, initialPhaseState } from '../../../src/state/phase.js';
import { removeStaleTemps } from '../../../src/state/housekeeping.js';
import { layout } from '../../../src/state/layout.js';
import { scratchDir } from '../../helpers/scratch.js';

const temp = (): string => scratchDir('ao-state-');
const record = (n: number) => ({ time: new Date(0).toISOString(), agent: 'a', event: 'nudge' as const, reason: `r${n}` });

describe('events.jsonl', () => {
  it('a torn last line never swallows the next record', () => {
    const dir = temp();
    appendEvent(dir, record(1));
    appendFileSync(layout.events(dir), '{"time":"2026-01-01T00:00:00Z","agent":"a","ev'); // a crash mid-append
    appendEvent(dir, record(2));
    expect(readEvents(dir).map((e) => e.reason)).toEqual(['r1', 'r2']);
  });

  it('is rotated past its size limit, keeping the newest records readable', () => {
    const dir = temp();
    for (let i = 0; i < 200; i++) appendEvent(dir, record(i), 2000);
    expect(statSync(layout.events(dir)).size).toBeLessThan(2200);
    expect(existsSync(`${layout.events(dir)}.1`)).toBe(true);
    expect(readEvents(dir, 1)[0]?.reason).toBe('r199');
    expect(readdirSync(dir).filter((f) => f.startsWith('events.jsonl')).length).toBeLessThanOrEqual(4);
  });
});

describe('the watchdog lock', () => {
  it('is taken once; a second taker sees the live holder', () => {
    const file = join(temp(), 'watchdog.lock');
    expect(acquirePidLock(file, 'vitest')).toEqual({ ok: true });
    const second = acquirePidLock(file, 'vitest');
    expect(second.ok).toBe(false);
    releasePidLock(file);
    expect(existsSync(file)).toBe(false);
  });

  it('a dead holder, or a reused pid (another start time or command), is stale and taken over', async () => {
    const file = join(temp(), 'watchdog.lock');
    const child = spawn('sleep', ['0.01']);
    await new Promise((r) => child.on('exit', r));
    writeFileSync(file, JSON.stringify({ pid: child.pid, startTime: '1', tag: 'vitest' }));
    expect(acquirePidLock(file, 'vitest')).toEqual({ ok: true });
    releasePidLock(file);
    // this very process, but recorded with another start time: a reused pid
    writeFileSync(file, JSON.stringify({ pid: process.pid, startTime: '1', tag: 'vitest' }));
    expect(holderAlive(readHolder(file)!)).toBe(false);
    // this process with the right start time but a command line without the tag: not ao
    expect(holderAlive({ pid: process.pid, startTime: processStartTime(process.pid)!, tag: 'no-such-word-in-argv' })).toBe(false);
    expect(acquirePidLock(file, 'vitest')).toEqual({ ok: true });
    releasePidLock(file);
  });
});

describe('logs and temp files', () => {
  it('capLog keeps the newest quarter in .1 and truncates in place', () => {
    const file = join(temp(), 'agent.log');
    writeFileSync(file, 'x'.repeat(3000) + 'THE END');
    expect(capLog(file, 1000)).toBe(true);
    expect(statSync(file).size).toBe(0);
    expect(readFileSync(`${file}.1`, 'utf8').endsWith('THE END')).toBe(true);
    expect(capLog(file, 1000)).toBe(false);
  });

  it('stale write-file-atomic temp files are swept, fresh ones and real files kept', () => {
    const dir = temp();
    for (const name of ['agents.json', 'agents.json.123456', 'phase.json.99', 'events.jsonl']) writeFileSync(join(dir, name), '{}');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'agents.json.123456'), old, old);
    expect(removeStaleTemps(dir, 1000)).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['agents.json', 'events.jsonl', 'phase.json.99']);
  });
});

describe('phase.json', () => {
  it('a corrupt file is recovered from the last good copy, never reset', async () => {
    const dir = temp();
    await writePhaseState(dir, { ...initialPhaseState(), index: 2, generation: 5 });
    writeFileSync(layout.phase(dir), '{"index": 2, "gen');
    expect(readPhaseState(dir)).toMatchObject({ index: 2, generation: 5 });
  });

  it('with no good copy either, it throws rather than start over at phase 1', () => {
    const dir = temp();
    writeFileSync(layout.phase(dir), 'garbage');
    expect(() => readPhaseState(dir)).toThrow(/corrupt/);
  });
});
