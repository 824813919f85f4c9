import { join } from 'node:path';
import { readJson, withLock, writeJsonAtomic } from './files.js';

/**
 * `foreign`: a session of another owner has its name (left alone until it goes);
 * `error`: planning or starting it failed (`error` says why), retried at a bounded rate
 */
export type AgentCondition = 'failed' | 'backoff' | 'waiting' | 'foreign' | 'error' | 'pacing' | 'spinning' | null;

/** What ao remembers of an agent between commands and watchdog ticks (state/agents.json). */
export interface AgentRecord {
  /** the user brought it up and has not brought it down */
  up: boolean;
  /** ISO time of the last start */
  startedAt: string | null;
  restarts: number;
  iteration: number;
  /** the model it was started with */
  model: string | null;
  /** set by the watchdog; null when nothing is wrong */
  condition?: AgentCondition;
  /** unix ms of starts that died before `healthy_after_s`, inside the crash window */
  failedStarts?: number[];
  /** unix ms of restarts after a healthy run, inside the restart window */
  healthyRestarts?: number[];
  /** a loop's iterations in a row that ended (exit 0) within min_iteration_s */
  quickIterations?: number;
  /** consecutive failed starts: the backoff exponent */
  streak?: number;
  /** unix ms the watchdog first saw it dead or gone */
  deadSince?: number | null;
  /** unix ms before which it is not started again */
  nextStartAt?: number | null;
  /** unix ms of the stall nudge not yet answered */
  nudgedAt?: number | null;
  /** the reason for `failed`, for status */
  failedReason?: string | null;
  /** why its last start could not be made (condition `error`): `prompts/alpha.md not found` */
  error?: string | null;
  /** the phase generation it was started under (a loop from an older one runs an old kickoff) */
  phaseGen?: number;
  /** what its command line was made of at its start: a change means a restart */
  launchKey?: string;
  /** the id of its current run, which its launcher records with the exit status (state/exits/AGENT) */
  runId?: string;
  /** bytes of its inbox it has been told about */
  mailSeen?: number;
  /** a kickoff written for its start and not yet pasted: the watchdog pastes it once the screen is steadily ready */
  pending?: PendingDelivery | null;
  /** the watchdog should paste a stall nudge once the screen is steadily ready */
  nudgeDue?: boolean;
  /** the dialog its screen shows (`folder trust`, `tool permission`, …): it waits for a person */
  waitingOn?: string | null;
  /** how the last paste into its pane went */
  delivery?: DeliveryRecord | null;
}

export interface PendingDelivery {
  what: 'kickoff';
  /** unix ms it was recorded */
  since: number;
}

export interface DeliveryRecord {
  what: 'kickoff' | 'notice' | 'nudge';
  verdict: 'delivered' | 'unconfirmed' | 'not-delivered';
  reason: string;
  /** unix ms */
  at: number;
}

export interface AgentsState {
  version: 1;
  agents: Record<string, AgentRecord>;
}

export const agentsFile = (stateDir: string): string => join(stateDir, 'agents.json');

export function emptyRecord(): AgentRecord {
  return { up: false, startedAt: null, restarts: 0, iteration: 0, model: null, condition: null };
}

/** A record as it must look right after a start by hand (`up`, `restart`): clean history. */
export function markStarted(record: AgentRecord, model: string | null, now: Date, launch?: { phaseGen: number; launchKey: string; runId?: string }): void {
  if (launch) {
    record.phaseGen = launch.phaseGen;
    record.launchKey = launch.launchKey;
    if (launch.runId) record.runId = launch.runId;
  }
  record.up = true;
  record.condition = null;
  record.startedAt = now.toISOString();
  record.model = model;
  record.deadSince = null;
  record.nextStartAt = null;
  record.nudgedAt = null;
  record.nudgeDue = false;
  record.waitingOn = null;
  record.pending = null;
  record.failedReason = null;
  // a start by hand is a fresh start: a new crash budget
  record.failedStarts = [];
  record.healthyRestarts = [];
  record.streak = 0;
}

export function readAgentsState(stateDir: string): AgentsState {
  return readJson<AgentsState>(agentsFile(stateDir)) ?? { version: 1, agents: {} };
}

/** Locked read-modify-write of state/agents.json. */
export async function updateAgentsState(stateDir: string, change: (state: AgentsState) => void | Promise<void>): Promise<AgentsState> {
  return withLock(stateDir, async () => {
    const state = readAgentsState(stateDir);
    await change(state);
    await writeJsonAtomic(agentsFile(stateDir), state);
    return state;
  });
}
