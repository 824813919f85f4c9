import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appendEvent, type EventRecord } from '../../../src/state/events.js';
import { verifyStateDir } from '../../../src/state/ledger-read.js';
import { Grounds } from '../../../src/supervisor/grounds.js';
import { HeldLines } from '../../../src/supervisor/writable.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const stateDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'ao-grounds-'));
  dirs.push(dir);
  return dir;
};

const at = (event: EventRecord['event'], details: Record<string, unknown>, reason = event): EventRecord =>
  ({ time: '2030-01-01T00:00:00Z', agent: 'phase', event, reason, details }) as EventRecord;
const claim = (phase: string) => at('gate-claimed', { phase, journal_sha256: 'j' });
const pass = (phase: string) => at('gate-pass', { phase, journal_sha256: 'j', review_sha256: 'r' });
const advance = (from: string) => at('phase-advance', { index: 2, count: 3, from });
const start = (): EventRecord => ({ time: '2030-01-01T00:00:00Z', agent: 'builder', event: 'start', reason: 'go' });

/** The lines as the watchdog writes them: through HeldLines with the grounds' hooks. */
function writer(dir: string): HeldLines {
  const grounds = new Grounds(() => dir);
  return new HeldLines(() => dir, { ground: (r) => grounds.ground(r), written: (r, head) => grounds.written(r, head) });
}
const lines = (dir: string) =>
  readFileSync(join(dir, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { seq: number; event: string; details?: Record<string, unknown> });

describe('a phase advance rests on its claim and verdict, by seq', () => {
  it('the watchdog writes the seqs of the claim and pass it rests on, and ao verify holds them', () => {
    const dir = stateDir();
    const held = writer(dir);
    for (const r of [start(), claim('a'), start(), pass('a'), advance('a')]) expect(held.event(r)).toBeNull();
    expect(lines(dir)[4]).toMatchObject({ seq: 5, event: 'phase-advance', details: { from: 'a', claim_seq: 2, verdict_seq: 4 } });
    expect(verifyStateDir(dir).intact).toBe(true);
  });

  it('a claim recorded before this watchdog started is found in the log', () => {
    const dir = stateDir();
    appendEvent(dir, claim('a'));
    appendEvent(dir, start());
    const held = writer(dir);
    held.event(pass('a'));
    held.event(advance('a'));
    expect(lines(dir)[3]).toMatchObject({ details: { claim_seq: 1, verdict_seq: 3 } });
    expect(verifyStateDir(dir).intact).toBe(true);
  });

  it('ao verify: an advance with no claim or verdict recorded, or naming the wrong ones, is ungrounded', () => {
    const bare = stateDir();
    appendEvent(bare, start());
    writer(bare).event(advance('a'));
    expect(verifyStateDir(bare).break).toMatchObject({ kind: 'ungrounded', line: 2, seq: 2 });
    expect(verifyStateDir(bare).break!.message).toContain('names no claim_seq');

    const wrong = stateDir();
    appendEvent(wrong, claim('a'));
    appendEvent(wrong, start());
    appendEvent(wrong, { ...advance('a'), details: { index: 2, count: 3, from: 'a', claim_seq: 1, verdict_seq: 2 } } as EventRecord);
    expect(verifyStateDir(wrong).break).toMatchObject({ kind: 'ungrounded', seq: 3 });
    expect(verifyStateDir(wrong).break!.message).toContain('verdict_seq 2, which is not a gate-pass of phase a');

    const other = stateDir();
    const held = writer(other);
    held.event(claim('b'));
    held.event(pass('b'));
    held.event(advance('a'));
    expect(verifyStateDir(other).break).toMatchObject({ kind: 'ungrounded', seq: 3 });
  });

  it("ao phase next's complete names who moved it and rests on no gate", () => {
    const dir = stateDir();
    appendEvent(dir, { time: 't', agent: 'phase', event: 'complete', reason: 'moved past the last phase by maintainer', details: { by: 'maintainer' } });
    expect(verifyStateDir(dir).intact).toBe(true);
  });
});
