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

/** Kills a session and whatever its pane's process group left behind. */
export async function stopSession(tmux: Tmux, session: string, pane: PaneInfo | undefined): Promise<GroupEnd> {
  await tmux.killSession(session);
  return pane?.pid ? endProcessGroup(pane.pid, !pane.dead) : 'none';
}
