/**
 * What `ao up --wait` does when it looks, the pure part. While the watchdog's
 * pane lives it watches. When the pane is dead or gone (a tmux server that
 * ended under the team takes every session with it; tmux can lose the hook
 * that respawns a dead watchdog pane) and the team was not brought down, it
 * brings the team up again, in its phase and with its counts (phase.json and
 * agents.json outlive the server), as a bare `ao up` would. A team that will
 * not stay up is left to the boot unit: exit 1, and systemd's restart.
 */

/** bring-ups within RESTORE_WINDOW_MS after which `ao up --wait` gives up (exit 1) */
export const RESTORE_LIMIT = 5;
export const RESTORE_WINDOW_MS = 10 * 60_000;

export interface WaitSeen {
  /** the watchdog's pane: alive, dead, none, or a session of another owner with its name */
  watchdog: 'alive' | 'dead' | 'gone' | 'foreign';
  /** the team is still meant to run (`ao down` marks it down under the state lock before it stops anything) */
  teamUp: boolean;
  /** unix ms of the bring-ups this wait made */
  restored: readonly number[];
  now: number;
}

export type WaitStep = { step: 'watch' } | { step: 'down' } | { step: 'bring-up'; why: string } | { step: 'give-up'; why: string };

export function nextWaitStep(seen: WaitSeen): WaitStep {
  if (seen.watchdog === 'alive') return { step: 'watch' };
  if (!seen.teamUp) return { step: 'down' };
  if (seen.watchdog === 'foreign') return { step: 'give-up', why: 'a session of another owner has the watchdog’s name' };
  const recent = seen.restored.filter((t) => seen.now - t < RESTORE_WINDOW_MS).length;
  if (recent >= RESTORE_LIMIT)
    return { step: 'give-up', why: `the team was brought up ${recent} times within ${RESTORE_WINDOW_MS / 60_000} min and went down again` };
  return { step: 'bring-up', why: seen.watchdog === 'gone' ? 'the watchdog’s session is gone (its tmux server ended?)' : 'the watchdog’s pane is dead' };
}

/** After a bring-up, the wait before the next look: 1 s, doubled for each other recent bring-up (the give-up at RESTORE_LIMIT comes within 15 s, not within a few ms). */
export function bringUpGapMs(restored: readonly number[], now: number): number {
  const recent = restored.filter((t) => now - t < RESTORE_WINDOW_MS).length;
  return 1000 * 2 ** Math.max(0, Math.min(recent, RESTORE_LIMIT) - 1);
}
