/**
 * The watchdog's own process, as `ao status` and `ao explain watchdog` show
 * it: the pane's program is the sh that restarts it (sessions.ts), so the
 * pane's pid is that supervisor's, and the watchdog is the live holder of the
 * project's watchdog lock, a child of that sh.
 */
import { layout } from '../state/layout.js';
import { holderAliveFrom, procOf, readHolder, type LockHolder } from '../state/pidlock.js';

/** The watchdog's pid, when the lock's live holder runs in the pane whose pid is `panePid` (its program or that program's child). */
export function watchdogProcess(stateDir: string, panePid: number | null): number | null {
  if (panePid === null) return null;
  const holder = readHolder(layout.watchdogLock(stateDir));
  return holder ? watchdogFrom(holder, panePid, ...procOf(holder.pid)) : null;
}

/** watchdogProcess from the lock's holder and what /proc said of it (stat, arguments), on this host or another. */
export function watchdogFrom(holder: LockHolder | null, panePid: number | null, stat: string | null, args: readonly string[] | null): number | null {
  if (panePid === null || !holder) return null;
  const { alive, parent } = holderAliveFrom(holder, stat, args);
  return alive && (holder.pid === panePid || parent === panePid) ? holder.pid : null;
}
