/**
 * Stopping means stopped: closing a pane sends SIGHUP, and a program that
 * ignores it (Gemini CLI's TUI ignores SIGHUP and SIGTERM) or a child it left
 * behind would live on, reparented to init. A pane's program leads its own
 * process group (tmux starts it in a new session), so what is left of the
 * group gets SIGTERM, a grace time, then SIGKILL.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { processAlive } from '../state/pidlock.js';
import type { Tmux } from '../tmux/client.js';
import type { PaneInfo } from '../tmux/snapshot.js';

/** How long a group has between SIGTERM and SIGKILL. */
export const STOP_GRACE_MS = 2000;

/** Whether a process of the group still runs. A zombie does not count (tmux 3.3a can be slow to reap a pane's program). */
function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return liveMembers(pgid) > 0;
}

/** Processes of the group that are not zombies, read from /proc/PID/stat (pgrp is the third field after the name). */
function liveMembers(pgid: number): number {
  let count = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') count++;
    } catch {
      // ended meanwhile
    }
  }
  return count;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // gone meanwhile
  }
}

export type GroupEnd = 'none' | 'terminated' | 'killed';

/**
 * Ends the process group a pane's program led. `leaderRunning`: tmux shows the
 * program alive right now, so the group is the pane's. For a dead pane the
 * group id is still safe while its pid is not in use (Linux never hands out a
 * pid that names a live process group); a pid in use again is someone else's.
 */
export async function endProcessGroup(pgid: number, leaderRunning: boolean, graceMs = STOP_GRACE_MS): Promise<GroupEnd> {
  if (pgid <= 1) return 'none';
  if (!leaderRunning && processAlive(pgid)) return 'none';
  if (!groupExists(pgid)) return 'none';
  signalGroup(pgid, 'SIGTERM');
  signalGroup(pgid, 'SIGCONT'); // a stopped process acts on SIGTERM only once it runs
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!groupExists(pgid)) return 'terminated';
    await sleep(25);
  }
  signalGroup(pgid, 'SIGKILL');
  for (let i = 0; i < 40 && groupExists(pgid); i++) await sleep(25);
  return 'killed';
}

/**
 * Processes of runs of agents, found by the AO_RUN_ID their launchers passed
 * down: a daemon that left the process group (Codex's TUI leaves one) still
 * carries it. Run ids are random, so nothing else can match. One pass over
 * /proc answers for every run asked about.
 */
export function runProcesses(runIds: ReadonlySet<string>): Map<string, number[]> {
  const key = Buffer.from('AO_RUN_ID=');
  const found = new Map<string, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`);
      // the variable at the start of the block, or after a NUL
      for (let at = environ.indexOf(key); at !== -1; at = environ.indexOf(key, at + 1)) {
        if (at > 0 && environ[at - 1] !== 0) continue;
        const end = environ.indexOf(0, at);
        if (end === -1) break;
        const runId = environ.toString('utf8', at + key.length, end);
        if (runIds.has(runId) && processAlive(Number(entry))) found.set(runId, [...(found.get(runId) ?? []), Number(entry)]);
        break;
      }
    } catch {
      // ended meanwhile, or not ours to read
    }
  }
  return found;
}

// The runs asked about in one turn of the event loop share one pass over /proc: `ao down`
// and `ao up` of 200 agents end 200 runs, and a pass per run reads /proc 200 times.
let batch: { runIds: Set<string>; result: Promise<Map<string, number[]>> } | null = null;

/** The processes of one run, found by a pass over /proc that starts after this call. */
function runProcessesSoon(runId: string): Promise<number[]> {
  if (!batch) {
    const runIds = new Set<string>();
    const result = new Promise<Map<string, number[]>>((resolve) =>
      setImmediate(() => {
        batch = null;
        resolve(runProcesses(runIds));
      }),
    );
    batch = { runIds, result };
  }
  batch.runIds.add(runId);
  return batch.result.then((found) => found.get(runId) ?? []);
}

/** Ends every process left of a run: SIGTERM, the grace time, SIGKILL. Returns how many there were. */
export async function endRun(runId: string | undefined | null, graceMs = STOP_GRACE_MS): Promise<number> {
  if (!runId) return 0;
  const pids = await runProcessesSoon(runId);
  if (pids.length === 0) return 0;
  const signal = (s: NodeJS.Signals): void => {
    for (const pid of pids) {
      try {
        process.kill(pid, s);
      } catch {
        // gone
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && pids.some((pid) => processAlive(pid))) await sleep(25);
  // a pid still alive is still the same process: it cannot be reused while it runs
  if (pids.some((pid) => processAlive(pid))) signal('SIGKILL');
  return pids.length;
}

/** Kills a session, whatever its pane's process group left behind, and what else its run started. */
export async function stopSession(tmux: Tmux, session: string, pane: PaneInfo | undefined, runId?: string | null): Promise<GroupEnd> {
  await tmux.killSession(session);
  const end = pane?.pid ? await endProcessGroup(pane.pid, !pane.dead) : 'none';
  return (await endRun(runId)) > 0 && end === 'none' ? 'terminated' : end;
}
