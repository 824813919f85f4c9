/**
 * bench/soak's checker must be able to fail: from a clean record every check
 * holds, and each kind of breakage the soak looks for turns its own row to FAIL.
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { check, type SoakState } from '../../../bench/soak-checks.mjs';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const now = Date.now();
const event = (s: number, agent: string, name: string, details?: Record<string, unknown>): string =>
  `${JSON.stringify({ time: new Date(now + s * 1000).toISOString(), agent, event: name, reason: name, ...(details ? { details } : {}) })}\n`;

/** A run in which everything held: a state folder and the soak's records of it. */
function cleanRun(): SoakState {
  const dir = mkdtempSync(join(tmpdir(), 'ao-soak-check-'));
  dirs.push(dir);
  const stateDir = join(dir, 'state');
  mkdirSync(join(stateDir, 'inbox'), { recursive: true });
  writeFileSync(join(stateDir, 'agents.json'), '{"version":1,"agents":{}}');
  writeFileSync(join(stateDir, 'phase.json'), '{"index":1}');
  writeFileSync(
    join(stateDir, 'events.jsonl'),
    event(0, 'builder', 'started', { iteration: 1, restarts: 0 }) + event(5, 'builder', 'next-iteration', { iteration: 2, restarts: 0 }),
  );
  writeFileSync(join(stateDir, 'inbox', 'builder.md'), '## m1 · 2026-12-07T00:00:00.000Z · from maintainer\n> soak message soak-abc-1\n\n');
  const sample = (at: number, phase: number) => ({ at, ms: 120, parsed: true, phase, states: { builder: 'running' }, failed: [], load: 1 });
  return {
    opts: { restartSec: 30 },
    runId: 'abc',
    dir: join(dir, 'project'),
    stateDir,
    agents: ['builder'],
    loopMins: { builder: 3 },
    standins: {},
    stallS: 60,
    cpus: 2,
    records: {
      status: [sample(1, 0), sample(4, 1)],
      kills: [{ at: 10, why: 'scheduled', agent: 'builder', comm: 'node', healed: true, ms: 300, healBy: 70 }],
      watchdog: [{ at: 20, pid: 5, comm: 'node', back: true, ms: 900 }],
      killServer: [{ at: 50, back: true, ms: 35_000, phaseBefore: 1, phaseAfter: 1, iterationsBefore: { builder: 2 }, iterationsAfter: { builder: 3 } }],
      sends: [{ at: 30, agent: 'builder', id: 'soak-abc-1', code: 0 }],
      restarts: [{ at: 40, agent: 'builder', code: 0, ms: 2000, runs: true }],
      toml: [],
      added: [],
      disk: [],
      provider: [],
      upWait: [],
      down: { code: 0 },
    },
    seenPids: new Map(),
    leftovers: [],
    final: { complete: false, phase: { id: 'step-2', index: 1, count: 9 }, agents: [{ name: 'builder', state: 'running' }] },
  };
}

const rowOf = (S: SoakState, figure: RegExp) => {
  const rows = check(S).rows.filter((r) => figure.test(r.figure));
  expect(rows.length, `a row for ${figure}`).toBeGreaterThan(0);
  return rows;
};

const CASES: { name: string; figure: RegExp; breakIt: (S: SoakState) => void }[] = [
  {
    name: 'a torn line in events.jsonl',
    figure: /^state files parse/,
    breakIt: (S) => appendFileSync(join(S.stateDir, 'events.jsonl'), '{"time":"2026-12-07T0'),
  },
  { name: 'agents.json cut short', figure: /^state files parse/, breakIt: (S) => writeFileSync(join(S.stateDir, 'agents.json'), '{"version":1,"ag') },
  {
    name: 'a message delivered twice',
    figure: /^messages sent/,
    breakIt: (S) => appendFileSync(join(S.stateDir, 'inbox', 'builder.md'), '## m2 · x · from maintainer\n> soak message soak-abc-1\n\n'),
  },
  { name: 'a message lost', figure: /^messages sent/, breakIt: (S) => writeFileSync(join(S.stateDir, 'inbox', 'builder.md'), '') },
  {
    name: 'a loop started again within min_iteration_s',
    figure: /^loop starts sooner/,
    breakIt: (S) => appendFileSync(join(S.stateDir, 'events.jsonl'), event(6, 'builder', 'next-iteration', { iteration: 3, restarts: 0 })),
  },
  {
    name: 'an iteration number started twice',
    figure: /^iteration numbers started twice/,
    breakIt: (S) => appendFileSync(join(S.stateDir, 'events.jsonl'), event(20, 'builder', 'next-iteration', { iteration: 2, restarts: 0 })),
  },
  {
    name: 'a death logged twice',
    figure: /^deaths logged twice/,
    breakIt: (S) =>
      appendFileSync(join(S.stateDir, 'events.jsonl'), event(8, 'builder', 'died', { lived_ms: 100 }) + event(9, 'builder', 'died', { lived_ms: 200 })),
  },
  { name: 'a kill not healed', figure: /^kill -9 builder/, breakIt: (S) => Object.assign(S.records.kills[0]!, { healed: false, ms: null }) },
  { name: 'a watchdog back after 9 s', figure: /^watchdog kill/, breakIt: (S) => Object.assign(S.records.watchdog[0]!, { ms: 9000 }) },
  { name: 'a status call that hung', figure: /^ao status --json calls/, breakIt: (S) => Object.assign(S.records.status[1]!, { ms: 6000 }) },
  {
    name: 'a status that printed no JSON',
    figure: /^ao status --json output/,
    breakIt: (S) => Object.assign(S.records.status[1]!, { parsed: false, error: 'boom' }),
  },
  {
    name: 'an agent seen failed',
    figure: /^agents FAILED during/,
    breakIt: (S) => (S.records.status[1]!.failed = [{ name: 'builder', detail: '5 failed starts' }]),
  },
  { name: 'an agent failed at the end', figure: /^agents FAILED at the end/, breakIt: (S) => (S.final!.agents[0]!.state = 'failed') },
  {
    name: 'the phase went back',
    figure: /^phase reached/,
    breakIt: (S) => S.records.status.push({ at: 7, ms: 100, parsed: true, phase: 0, states: {}, failed: [] }),
  },
  { name: 'a process left after ao down', figure: /^processes left/, breakIt: (S) => (S.leftovers = ['4242 node']) },
  {
    name: 'a death logged for an ao restart',
    figure: /no death logged/,
    breakIt: (S) => appendFileSync(join(S.stateDir, 'events.jsonl'), event(41, 'builder', 'died', { lived_ms: -300 })),
  },
  {
    name: 'a team not back after kill-server',
    figure: /^tmux kill-server/,
    breakIt: (S) => Object.assign(S.records.killServer[0]!, { back: false, ms: null }),
  },
  { name: 'iteration counts reset by kill-server', figure: /iterations kept/, breakIt: (S) => (S.records.killServer[0]!.iterationsAfter = { builder: 0 }) },
  { name: 'a failed ao restart', figure: /^ao restart builder/, breakIt: (S) => Object.assign(S.records.restarts[0]!, { code: 2 }) },
];

describe('bench/soak checker', () => {
  it('fails on a mail notice pasted again during a full disk', () => {
    const S = cleanRun();
    S.records.disk.push({ from: 60, to: 85, skipped: null });
    const notices = [61, 64, 67].map((s) => event(s, 'builder', 'mail-notice')).join('');
    appendFileSync(join(S.stateDir, 'events.jsonl'), notices);
    expect(rowOf(S, /mail notices to builder/).map((r) => r.ok)).toEqual([false]);
    S.records.sends.push({ at: 62, agent: 'builder', id: 'soak-abc-2', code: 0 }, { at: 63, agent: 'builder', id: 'soak-abc-3', code: 0 });
    appendFileSync(join(S.stateDir, 'inbox', 'builder.md'), '## m2 · x · from maintainer\n> soak-abc-2 soak-abc-3\n\n');
    expect(rowOf(S, /mail notices to builder/).map((r) => r.ok)).toEqual([true]);
  });

  it('a usage limit: held when the loop paused (by its event or a poll), failed when it only died', () => {
    const S = cleanRun();
    S.agents.push('claude');
    S.loopMins.claude = 30;
    S.records.provider.push({ mood: 'limit', from: 10, to: 40 });
    appendFileSync(join(S.stateDir, 'events.jsonl'), event(12, 'claude', 'died', { lived_ms: 900 }));
    expect(rowOf(S, /^usage limit \+10s: claude/).map((r) => r.ok)).toEqual([false]);
    appendFileSync(join(S.stateDir, 'events.jsonl'), event(20, 'claude', 'paused', { kind: 'usage-limit' }));
    expect(rowOf(S, /^usage limit \+10s: claude/).map((r) => r.ok)).toEqual([true]);
    appendFileSync(join(S.stateDir, 'events.jsonl'), event(70, 'claude', 'failed'));
    expect(rowOf(S, /^usage limit \+10s: claude/).map((r) => r.ok)).toEqual([false]);
  });

  it('a full disk that never ran (the soak ended first) is shown, not judged', () => {
    const S = cleanRun();
    S.records.disk.push({ from: null, to: null, skipped: null });
    expect(rowOf(S, /^full disk/).map((r) => [r.value, r.ok])).toEqual([['did not run: the soak ended first', null]]);
  });

  it('holds on a clean run', () => {
    const result = check(cleanRun());
    expect(result.rows.filter((r) => r.ok === false)).toEqual([]);
    expect(result.ok).toBe(true);
  });

  for (const c of CASES) {
    it(`fails on ${c.name}`, () => {
      const S = cleanRun();
      expect(rowOf(S, c.figure).every((r) => r.ok !== false)).toBe(true);
      c.breakIt(S);
      expect(rowOf(S, c.figure).some((r) => r.ok === false)).toBe(true);
      expect(check(S).ok).toBe(false);
    });
  }
});
