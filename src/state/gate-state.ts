/** The gate's part of state/phase.json, apart so that phases/ and state/ share it without importing each other. */

export type GateStatus = 'open' | 'claimed';

/** What ao remembers of a phase's gate (in state/phase.json). */
export interface GateState {
  status: GateStatus;
  /** claims and verdicts already acted upon */
  claimsSeen: number;
  verdictsSeen: number;
  /** fails in a row on this phase */
  failStreak: number;
  /** a commit-bound gate (the builder in a worktree): the full SHA the open claim names */
  claimSha?: string | null;
}

export const openGate = (): GateState => ({ status: 'open', claimsSeen: 0, verdictsSeen: 0, failStreak: 0 });
