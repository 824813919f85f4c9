/**
 * The watchdog's brain, a pure function in the manner of a Kubernetes
 * controller: what should run (desired), what tmux shows (observed) and what
 * happened before (history) go in; actions and the new history come out.
 * A start is an action, `start { agent, reason }`: the records keep what was
 * decided (a death classified, a backoff, the breaker), and the start itself is
 * recorded by the one start transaction (start.ts) when it is made.
 * Only the executor touches tmux.
 */
import type { AgentKind, HealPolicy } from '../config/types.js';
import type { ScreenState } from '../backends/types.js';
import type { AgentRecord } from '../state/agents.js';
import type { AoEvent } from '../state/event-catalogue.js';
import { decideDeath, type Verdict } from './death.js';
import { atStart, runModel, settle, whileAlive, type FallbackPolicy } from './fallback.js';
import { followProviderWait } from './provider-wait.js';
import { CLEAR, lifeOf, nextStartOf, type Life } from '../state/lifecycle.js';
import { transition } from './transition.js';

export { backoffMs } from './death.js';

export interface DesiredAgent {
  name: string;
  kind: AgentKind;
  heal: HealPolicy;
  /** brought up and not brought down */
  up: boolean;
  stallMs: number;
  /** a loop's shortest iteration: one that ends sooner (exit 0) waits out the rest, paced, not failed */
  minIterationMs?: number;
  /** its own model now (a start runs on its fallback while the breaker is open: fallback.ts) */
  model: string | null;
  /** its fallback model and when to move to it and back (null: none) */
  fallback?: FallbackPolicy | null;
  /** the phase generation now: a loop started under another one restarts */
  generation: number;
  /** what its command line is made of now: a change restarts it */
  launchKey: string;
  /** why it must not run although it was brought up (the project is complete) */
  stopReason?: string;
  /** a stall nudge can reach it (an interactive program that takes notices); false: a stall restarts it at once */
  nudgeable?: boolean;
  /** its kickoff is pasted into its screen: every start leaves one pending for the screen watch */
  pasteKickoff?: boolean;
  /** why it must not start another run now (a budget or an iteration cap reached): it is paused instead */
  hold?: string | null;
}

export interface ObservedAgent {
  /** the session exists (its pane may be dead) */
  exists: boolean;
  dead: boolean;
  exitStatus: number | null;
  exitSignal: number | null;
  /**
   * for a dead pane whose run had ao's launcher: whether it left its record (the
   * exit above is then exact); false means the launcher itself was killed
   */
  recorded?: boolean;
  /** unix ms of the pane's last output */
  activityMs: number | null;
  /** what the backend's detector read off the screen, when it was captured */
  screen: ScreenState | null;
  /** a session with the agent's name belongs to another owner (its config path, '' for none): left alone */
  foreign?: string;
  /** a dead agent's last output shows provider trouble (a usage limit, an outage) */
  trouble?: ProviderTrouble | null;
  /** a live agent's CLI retries its provider and said so (its stream): which retry, and when the next try is due (unix ms) */
  providerRetry?: { retry: string; dueMs: number } | null;
  /** a dead run's CLI switched to its own fallback model during the run (Claude's `--fallback-model`): its model was in trouble */
  fellBack?: { from: string; to: string } | null;
  /** a dead run's last words when they are no provider trouble ao knows: shown with its exit, so they can be added to the table */
  lastWords?: string;
  /** a dead run that was to continue its conversation shows the CLI refused it (it does not know the id) */
  refusedResume?: boolean;
}

export interface Timings {
  backoffInitialMs: number;
  backoffMaxMs: number;
  healthyAfterMs: number;
  crashLimit: number;
  crashWindowMs: number;
  restartLimit: number;
  restartWindowMs: number;
  /** provider trouble with no reset time: the first wait before trying again; doubles up to probeMaxMs */
  probeInitialMs?: number;
  probeMaxMs?: number;
  /** after a usage limit's reset time, this much more before the agent resumes */
  resumeMarginMs?: number;
}

export type StartReason =
  'start' | 'heal' | 'next-iteration' | 'stall' | 'model-changed' | 'phase-changed' | 'config-changed' | 'retry' | 'resume' | 'fresh-conversation' | 'fallback';

/** What a backend recognised in a dead agent's last output: the provider's trouble, not the agent's. */
export interface ProviderTrouble {
  kind: 'usage-limit' | 'rate-limit' | 'overload' | 'auth';
  /** unix ms the provider said the limit resets, when it said */
  resetAt: number | null;
  message: string;
}

export type Action =
  | { type: 'start'; agent: string; reason: StartReason }
  | { type: 'nudge'; agent: string }
  /** `session`: an agent agents.toml no longer has (a reload), whose session is stopped by its name */
  | { type: 'stop'; agent: string; session?: string }
  | ({ type: 'event' } & AoEvent);

export interface Decision {
  actions: Action[];
  history: Record<string, AgentRecord>;
  /** unix ms when the watchdog should look again at the latest (a backoff ends) */
  wakeAt: number | null;
}

/** Whether a start counts as a restart: a heal or a stall's (planned restarts, for a new phase, model or command, are no failures). */
export function countsAsRestart(reason: StartReason): boolean {
  return reason === 'heal' || reason === 'stall';
}

/** How long after a start that could not be made (state `error`) it is tried again. */
export function errorRetryMs(t: Pick<Timings, 'backoffInitialMs' | 'backoffMaxMs'>): number {
  return Math.min(t.backoffMaxMs, Math.max(t.backoffInitialMs, 5000));
}

/**
 * How long a live heal+stall agent has been silent (null: not watched for
 * stalls): since its last output or its start, whichever is later; the nudge's
 * own echo (within 1 s of it) is no output. The one stall rule: the reconciler
 * and `ao status` both read it.
 */
export function silenceMs(
  agent: Pick<DesiredAgent, 'heal'>,
  observed: Pick<ObservedAgent, 'exists' | 'dead' | 'activityMs'>,
  record: Pick<AgentRecord, 'startedAt' | 'nudgedAt'> | undefined,
  now: number,
): number | null {
  if (agent.heal !== 'heal+stall' || !observed.exists || observed.dead) return null;
  const nudged = record?.nudgedAt ?? null;
  const output = observed.activityMs ?? 0;
  const heard = nudged !== null && output <= nudged + 1000 ? Math.min(output, nudged) : output;
  const since = Math.max(heard, record?.startedAt ? Date.parse(record.startedAt) : 0);
  return since > 0 ? now - since : null;
}

/** Whether the agent is stalled: silent for its stall time (it needs a look at its screen, then a nudge). */
export function silentTooLong(
  agent: Pick<DesiredAgent, 'heal' | 'stallMs'>,
  observed: Pick<ObservedAgent, 'exists' | 'dead' | 'activityMs'>,
  record: Pick<AgentRecord, 'startedAt' | 'nudgedAt'> | undefined,
  now: number,
): boolean {
  const silent = silenceMs(agent, observed, record, now);
  return silent !== null && silent >= agent.stallMs;
}

export function reconcile(
  desired: readonly DesiredAgent[],
  observed: ReadonlyMap<string, ObservedAgent>,
  history: Readonly<Record<string, AgentRecord>>,
  now: number,
  timings: Timings,
): Decision {
  const actions: Action[] = [];
  const next: Record<string, AgentRecord> = structuredClone(history) as Record<string, AgentRecord>;
  let wakeAt: number | null = null;
  const wake = (at: number): void => {
    wakeAt = wakeAt === null ? at : Math.min(wakeAt, at);
  };

  for (const agent of desired) {
    const record = next[agent.name];
    const seen = observed.get(agent.name) ?? { exists: false, dead: false, exitStatus: null, exitSignal: null, activityMs: null, screen: null };
    if (!agent.up && record?.up && agent.stopReason) {
      record.up = false;
      record.life = CLEAR;
      actions.push({ type: 'event', agent: agent.name, event: 'stop', reason: agent.stopReason });
      if (seen.exists) actions.push({ type: 'stop', agent: agent.name }); // a dead pane too: nothing left to read as running or dead
      continue;
    }
    if (!agent.up || !record?.up) continue;
    const breaker = (change: { state: AgentRecord['fallback']; event: AoEvent | null }): void => {
      if (change.state !== (record.fallback ?? null)) record.fallback = change.state;
      if (change.event) actions.push({ type: 'event', ...change.event });
    };
    breaker({ state: settle(agent, record.fallback), event: null });
    const start = (reason: StartReason): void => {
      // a budget or an iteration cap reached: no new run of a loop or task, it waits for the maintainer
      if (agent.hold && (agent.kind === 'loop' || agent.kind === 'task') && reason !== 'stall') {
        hold(agent.name, record, agent.hold, actions);
        return;
      }
      breaker(atStart(agent, record.fallback, now));
      actions.push({ type: 'start', agent: agent.name, reason });
    };
    const verdict: Verdict = { name: agent.name, actions, start, wake, breaker };

    if (seen.foreign !== undefined) {
      becomeForeign(agent.name, seen.foreign, record, actions);
      continue;
    }
    if (leaveState(seen, record, now, verdict)) continue;
    if (seen.exists && !seen.dead) {
      // a persistent agent's probe of its own model that stays up is a good one
      if (agent.kind === 'persistent' && record.startedAt)
        breaker(whileAlive(agent, record.fallback, now - Date.parse(record.startedAt), timings.healthyAfterMs, now));
      decideAlive(agent, seen, record, now, timings, actions, start, wake);
      continue;
    }
    if (seen.refusedResume && record.conversationId && record.deadSince == null) {
      // the CLI does not know the conversation (deleted, another machine's): a new one, no crash counted
      actions.push({
        type: 'event',
        agent: agent.name,
        event: 'resume-refused',
        reason: `the CLI has no conversation ${record.conversationId} to resume; starting a fresh conversation`,
      });
      record.conversationId = null;
      record.resumedRun = false;
      start('fresh-conversation');
      continue;
    }
    if (record.startedAt == null && (!seen.exists || seen.dead)) {
      // brought up while the watchdog runs (a new agent in agents.toml): a first start, not a death
      actions.push({ type: 'event', agent: agent.name, event: 'start', reason: 'first start' });
      start('start');
      continue;
    }

    // first sight of this death: a wait on the provider ends with its run (a short last run may end before a sweep sees it answered)
    if (record.deadSince == null) followProviderWait(agent.name, seen, record, actions);
    // and the death is classified once
    if (record.deadSince == null && decideDeath(agent, seen, record, now, timings, verdict)) continue;
    startWhenDue(agent, record, now, verdict);
  }
  return { actions, history: next, wakeAt };
}

/** Its name is taken by a session ao did not make for this project: reported once, touched by nothing. */
function becomeForeign(name: string, owner: string | null, record: AgentRecord, actions: Action[]): void {
  const reason = `its session ${owner ? `belongs to another project (${owner})` : 'was not made by ao'}; left alone`;
  transition(record, { is: 'foreign' }, { type: 'event', agent: name, event: 'foreign-session', reason }, actions);
}

/**
 * The way out of the states that are decided before what the pane shows: a
 * switch on the agent's state into one small function each. True when that
 * settles the agent for this sweep.
 */
function leaveState(seen: ObservedAgent, record: AgentRecord, now: number, out: Verdict): boolean {
  const life = lifeOf(record);
  switch (life.is) {
    case 'foreign':
      return leaveForeign(seen, record, out);
    case 'error':
      return retryError(life, seen, record, now, out);
    case 'failed':
      // left down until a person starts it; a pane that lives (started by hand) is decided as any live one
      return !seen.exists || seen.dead;
    case 'clear':
    case 'backoff':
    case 'pacing':
    case 'paused':
    case 'waiting':
      return false;
  }
}

/** Its session name is free again, or its own again: a first start where nothing runs. */
function leaveForeign(seen: ObservedAgent, record: AgentRecord, out: Verdict): boolean {
  record.life = CLEAR;
  if (seen.exists) return false;
  out.actions.push({ type: 'event', agent: out.name, event: 'start', reason: 'its session name is free again' });
  out.start('start');
  return true;
}

/** Its last start could not be made (the start said why, once): tried again at a bounded rate. */
function retryError(life: Extract<Life, { is: 'error' }>, seen: ObservedAgent, record: AgentRecord, now: number, out: Verdict): boolean {
  if (life.retryAt > now) {
    out.wake(life.retryAt);
    return true;
  }
  if (!seen.exists || seen.dead) {
    out.start('retry');
    return true;
  }
  record.life = CLEAR; // alive: what needs a start is decided afresh
  return false;
}

/** A dead agent whose death is classified: started once its state's wait is over (a backoff, a pacing, a pause), else woken for then. */
function startWhenDue(agent: DesiredAgent, record: AgentRecord, now: number, out: Verdict): void {
  const held = lifeOf(record);
  // a paced loop's next iteration is no heal, nor is the end of a pause
  if (agent.heal === 'none' && held.is !== 'pacing') return;
  // held for a budget: no time to wake at; a raised number lets it go on at the next sweep
  if (held.is === 'paused' && held.until === null && agent.hold) return;
  const due = nextStartOf(held) ?? now;
  if (due > now) return out.wake(due);
  switch (held.is) {
    case 'paused':
      out.actions.push({ type: 'event', agent: agent.name, event: 'resume', reason: `${held.why}: trying again` });
      return out.start('resume');
    case 'pacing':
      return out.start('next-iteration');
    default:
      return out.start('heal');
  }
}

function decideAlive(
  agent: DesiredAgent,
  seen: ObservedAgent,
  record: AgentRecord,
  now: number,
  timings: Timings,
  actions: Action[],
  start: (reason: StartReason) => void,
  wake: (at: number) => void,
): void {
  record.deadSince = null;
  const startedAt = record.startedAt ? Date.parse(record.startedAt) : now;
  if ((record.streak ?? 0) > 0) {
    if (now - startedAt >= timings.healthyAfterMs)
      record.streak = 0; // a healthy run resets the backoff
    else wake(startedAt + timings.healthyAfterMs);
  }
  if (lifeOf(record).is === 'backoff') record.life = CLEAR;
  const model = runModel(agent, record.fallback);
  if (model !== record.model && agent.kind !== 'service') {
    actions.push({ type: 'event', agent: agent.name, event: 'model-changed', reason: `${record.model ?? '-'} -> ${model ?? '-'}` });
    start('model-changed');
    return;
  }
  if (record.launchKey !== undefined && record.launchKey !== agent.launchKey) {
    actions.push({ type: 'event', agent: agent.name, event: 'config-changed', reason: 'its command, arguments, environment or folder changed in agents.toml' });
    start('config-changed');
    return;
  }
  if (agent.kind === 'loop' && (record.phaseGen ?? 0) !== agent.generation) {
    actions.push({ type: 'event', agent: agent.name, event: 'phase-changed', reason: 'the next iteration starts with the new phase’s kickoff' });
    start('phase-changed');
    return;
  }
  // a CLI retrying its provider is waiting on it: its silence counts from the retry it said was due
  const heard = followProviderWait(agent.name, seen, record, actions);
  if (agent.heal !== 'heal+stall') return;
  // output well after the nudge (not its own echo) answers it
  if (record.nudgedAt != null && (heard.activityMs ?? 0) > record.nudgedAt + 1000) record.nudgedAt = null;
  // the nudge's own echo is not output: silence is counted from before it
  const echoOnly = record.nudgedAt != null && (heard.activityMs ?? 0) <= record.nudgedAt + 1000;
  const seenForSilence = echoOnly ? { ...heard, activityMs: Math.min(heard.activityMs ?? 0, record.nudgedAt!) } : heard;
  const waiting = lifeOf(record).is === 'waiting';
  if (!silentTooLong(agent, seenForSilence, record, now)) {
    if (waiting) record.life = CLEAR;
    return;
  }
  if (seen.screen === 'waiting') {
    // the watchdog's screen watch has already told of the dialog (record.waitingOn)
    const told = record.waitingOn
      ? null
      : { type: 'event' as const, agent: agent.name, event: 'waiting' as const, reason: 'silent, and its screen asks for input: left alone' };
    transition(record, { is: 'waiting' }, told, actions);
    return;
  }
  if (waiting) record.life = CLEAR;
  const silentMin = Math.round((now - Math.max(seenForSilence.activityMs ?? 0, startedAt)) / 6000) / 10;
  if (agent.nudgeable === false) {
    // a one-shot run or a program that takes no typed notice: a nudge would reach nobody
    actions.push({ type: 'event', agent: agent.name, event: 'stall-restart', reason: `no output for ${silentMin} min; it takes no nudge` });
    start('stall');
  } else if (record.nudgedAt == null) {
    record.nudgedAt = now;
    actions.push({ type: 'event', agent: agent.name, event: 'nudge', reason: `no output for ${silentMin} min` });
    actions.push({ type: 'nudge', agent: agent.name });
  } else if (now - record.nudgedAt >= agent.stallMs) {
    actions.push({
      type: 'event',
      agent: agent.name,
      event: 'stall-restart',
      reason: `still silent ${Math.round((now - record.nudgedAt) / 1000)} s after the nudge`,
    });
    start('stall');
  }
}

/** Paused for a budget or cap: told once per reason, no wake time (the maintainer raises the number). */
function hold(name: string, record: AgentRecord, why: string, actions: Action[]): void {
  const told = {
    type: 'event' as const,
    agent: name,
    event: 'paused' as const,
    reason: `${why}; raise it in agents.toml to go on`,
    details: { kind: 'budget' as const },
  };
  transition(record, { is: 'paused', until: null, why }, told, actions);
}
