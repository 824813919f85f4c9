/**
 * The watchdog's own process, as `ao status` and `ao explain watchdog` show
 * it: the pane's program is the sh that restarts it (sessions.ts), so the
 * pane's pid is that supervisor's, and the watchdog is the live holder of the
 * project's watchdog lock, a child of that sh.
 */
import { readFileSync } from 'node:fs';
import { layout } from '../state/layout.js';
import { holderAlive, holderAliveFrom, readHolder, type LockHolder } from '../state/pidlock.js';

/** The watchdog's pid, when the lock's live holder runs in the pane whose pid is `panePid` (its program or that program's child). */
export function watchdogProcess(stateDir: string, panePid: number | null): number | null {
  if (panePid === null) return null;
  const holder = readHolder(layout.watchdogLock(stateDir));
  if (!holder || !holderAlive(holder)) return null;
  return holder.pid === panePid || parentOf(holder.pid) === panePid ? holder.pid : null;
}

/** watchdogProcess from another host's lock file (its holder) and what its /proc said of that holder (stat, arguments). */
export function watchdogFrom(holder: LockHolder | null, panePid: number | null, stat: string | null, args: readonly string[] | null): number | null {
  if (panePid === null || !holder) return null;
  const { alive, parent } = holderAliveFrom(holder, stat, args);
  return alive && (holder.pid === panePid || parent === panePid) ? holder.pid : null;
}

/** Field 4 of /proc/PID/stat, or null. */
function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : null;
  } catch {
    return null;
  }
}
