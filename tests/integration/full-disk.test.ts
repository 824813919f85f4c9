/**
 * A sweep is a transaction, on a real full file system: the state folder is a
 * 2 MB tmpfs that a file of zeros fills for 25 s. What a sweep starts is
 * written before it starts, so while nothing can be written nothing starts:
 * the loop starts at most once per min_iteration_s, every iteration number is
 * used once, events.jsonl keeps only whole lines, the watchdog says
 * `state-unwritable` once and `state-writable` when the space returns, and a
 * kill after that is healed. Needs root (mount); elsewhere it says so and
 * fails rather than pass without its file system.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { endLeftovers, eventsOf, statusOf, team, waitFor, type Team } from '../helpers/ao.js';

const MIN_ITERATION_S = 5;
const FULL_MS = 25_000;
const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Fills the file system with zeros until it refuses (the dd of the soak, without a process to wait on). */
function fill(file: string): number {
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(4096);
  let bytes = 0;
  try {
    for (let i = 0; i < 100_000; i++) bytes += writeSync(fd, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return bytes;
}

function mountTmpfs(t: Team): string {
  const state = join(t.dir, 'state');
  mkdirSync(state, { recursive: true });
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', state], { encoding: 'utf8' });
  if (mounted.status !== 0) throw new Error(`this test needs a tmpfs of its own (run as root): mount said ${mounted.stderr.trim()}`);
  cleanups.push(() => {
    // the team first (its panes write their logs here), then the mount, lazily if something still holds it
    if (spawnSync('umount', [state]).status !== 0) spawnSync('umount', ['-l', state]);
  });
  return state;
}

describe('a full state folder', { timeout: 150_000 }, () => {
  it('starts nothing twice: a loop at most once per min_iteration_s, each iteration number once, events.jsonl whole; a kill after is healed', async () => {
    // outside the tmpfs: what really started, whatever ao could write
    const starts = join(mkdtempSync(join(tmpdir(), 'ao-starts-')), 'starts.txt');
    const t = team('full', {
      'agents.toml': [
        '[defaults]\nbackend = "shell"\n',
        `[agents.looper]\nkind = "loop"\ncommand = "sh"\nargs = ["-c", "echo $(date +%s.%N) $AO_RUN_ID >> ${starts}; sleep 1"]\nmin_iteration_s = ${MIN_ITERATION_S}\n`,
        '[agents.keeper]\nkind = "persistent"\ncommand = "sleep"\nargs = ["100000"]\n',
        '[[phases]]\nid = "one"\nplan = "one.md"\n',
        '[watchdog]\nhealthy_after_s = 0.3\nstall_check_s = 1\n',
      ].join('\n'),
      'prompts/kickoff.md': 'go\n',
      'phases/one.md': '# one\n',
    });
    cleanups.push(async () => {
      await t.cleanup();
      endLeftovers(t.socket);
      rmSync(dirname(starts), { recursive: true, force: true });
    });
    const state = mountTmpfs(t);
    expect((await t.ao('up')).code).toBe(0);
    await waitFor(async () => (await statusOf(t.ao)).agents.looper!.iteration >= 2, 20_000, 250);

    const zeros = join(state, 'zeros');
    const filledAt = Date.now();
    expect(fill(zeros)).toBeGreaterThan(0);
    // full for FULL_MS, filled again whenever something (a truncated temp, a rotated log) gave space back
    while (Date.now() - filledAt < FULL_MS) {
      await new Promise((r) => setTimeout(r, 1000));
      fill(`${zeros}.${Date.now()}`);
    }
    const freedAt = Date.now();
    for (const f of readdirSync(state).filter((n) => n.startsWith('zeros'))) rmSync(join(state, f), { force: true });

    await waitFor(async () => (await eventsOf(t.ao)).some((e) => e.event === 'state-writable'), 15_000, 250);
    const keeper = (await statusOf(t.ao)).agents.keeper!.pid!;
    process.kill(keeper, 'SIGKILL');
    const healed = await waitFor(async () => {
      const k = (await statusOf(t.ao)).agents.keeper;
      return k?.state === 'running' && k.pid !== keeper ? k.pid : undefined;
    }, 10_000);
    expect(healed).not.toBe(keeper);

    // what really started: never two starts of the loop within min_iteration_s (a little slack for the clock)
    const runs = readFileSync(starts, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' ') as [string, string]);
    const times = runs.map(([at]) => Number(at) * 1000);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!, `starts ${i - 1} and ${i}`).toBeGreaterThanOrEqual(MIN_ITERATION_S * 1000 - 250);
    expect(new Set(runs.map(([, run]) => run)).size).toBe(runs.length);
    // while the disk was full (after the sweep that was on its way), nothing started
    expect(times.filter((at) => at > filledAt + MIN_ITERATION_S * 1000 && at < freedAt)).toEqual([]);

    // events.jsonl: every line whole; the episode said once each way; each iteration number once, and every real start in it
    const lines = readFileSync(join(state, 'events.jsonl'), 'utf8').split('\n').filter(Boolean);
    for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
    const events = lines.map((l) => JSON.parse(l) as { agent: string; event: string; details?: { iteration?: number } });
    expect(events.filter((e) => e.event === 'state-unwritable')).toHaveLength(1);
    expect(events.filter((e) => e.event === 'state-writable')).toHaveLength(1);
    const iterations = events.filter((e) => e.agent === 'looper' && ['started', 'next-iteration'].includes(e.event)).map((e) => e.details?.iteration);
    expect(new Set(iterations).size).toBe(iterations.length);
    // up's own start of the loop is not in events; each of the watchdog's is
    expect(iterations.length).toBeGreaterThanOrEqual(runs.length - 1);
    expect((await statusOf(t.ao)).agents.looper!.iteration).toBe(runs.length);
    expect(existsSync(join(state, 'agents.json'))).toBe(true);
  });
});
