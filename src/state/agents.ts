import type { AgentKind } from '../config/types.js';
import { upgradeLaunchKey } from './secrets.js';
import { appendEvent, type EventRecord } from './events.js';
import { describeIssues, keepGoodCopy, moveAside, readStateFile, withLock, writeJsonAtomic, type StateRead } from './files.js';
import { layout } from './layout.js';
import { CLEAR, isLife, migrateLife, type Life, type OldLifeFields } from './lifecycle.js';
import * as S from './shape.js';


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
  /** where the watchdog holds it (state/lifecycle.ts): absent or `clear` when nothing does */
  life?: Life;
  /** the last start error told (`start-error`, once per distinct error), until a start is made */
  lastStartError?: string | null;
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
  /** unix ms of the stall nudge not yet answered */
  nudgedAt?: number | null;
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
  /** a Claude TUI's transcript and how far its usage has been recorded (bytes) */
  transcript?: { path: string; offset: number } | null;
  /** its CLI retries the provider and says so (`provider (retry 3/10)`): waiting, not stalled */
  providerWait?: string | null;
  /** the dialog its screen shows (`folder trust`, `tool permission`, …): it waits for a person */
  waitingOn?: string | null;
  /** how the last paste into its pane went */
  delivery?: DeliveryRecord | null;
  /** provider troubles in a row: the exponent of the probe wait */
  troubles?: number;
  /** the size of its pane log at its last start: that run's output follows */
  logOffset?: number;
  /** a loop's iterations under its current phase generation (for max_iterations) */
  phaseIterations?: number;
  /** the CLI's conversation id (agent key `resume`): kept across every start until the CLI refuses it */
  conversationId?: string | null;
  /** its current run was started to continue `conversationId` (a refusal then means a fresh conversation) */
  resumedRun?: boolean;
  /** the fallback model's circuit breaker (agent key `fallback_model`); absent while its own model has given no trouble */
  fallback?: FallbackState | null;
  /** its own worktree as its last start found it: the commit checked out and whether it held uncommitted or untracked files */
  workspace?: WorkspaceSeen | null;
}

/** What a start saw of an agent's worktree (git at the start, so that `ao status` runs none). */
export interface WorkspaceSeen {
  head: string | null;
  dirty: boolean;
  /** ISO time of the look */
  at: string;
}

/** Where an agent stands between its own model and its fallback (supervisor/fallback.ts decides). */
export interface FallbackState {
  /** its own model id this state is about (another one in agents.toml starts afresh) */
  own: string | null;
  /** unix ms of the first provider trouble of its own model since its last good run (the breaker's clock), or null */
  troubleSince: number | null;
  /** unix ms it moved to its fallback, or null while it is on its own model */
  since: number | null;
  /** its current run is a probe of its own model, from the fallback */
  probing: boolean;
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

export function emptyRecord(): AgentRecord {
  return { up: false, startedAt: null, restarts: 0, iteration: 0, model: null, life: CLEAR };
}

/** What a start was: the one description of it that every starter (`ao up`, `ao restart`, the watchdog) hands to markStarted. */
export interface StartFacts {
  /** unix ms */
  at: number;
  model: string | null;
  /** `hand`: `ao up` or `ao restart`, a fresh start with a new crash budget; `watchdog`: a heal, an iteration, a retry, its history kept */
  by: 'hand' | 'watchdog';
  /** an agent's start (absent for the watchdog's own session) */
  launch?: { kind: AgentKind; phaseGen: number; launchKey: string; pasteKickoff: boolean };
  /** it counts as a restart (a heal, a stall, `ao restart` of a session that existed) */
  restart?: boolean;
  /** the run it makes (supervisor/start.ts plans it before the pane starts) */
  run?: StartedRun;
}

/** What the start of a run left: its id, the conversation it holds, where its output begins. */
export interface StartedRun {
  runId: string;
  /** the conversation it begins or continues, or null (the old id is kept) */
  conversation: { id: string; resume: boolean } | null;
  /** the size of its pane log at its start */
  logOffset: number;
  /** the inbox bytes its fresh kickoff points at (the watchdog's starts; a start by hand leaves the notice due) */
  mailSeen?: number;
}

/** A record as it must look right after a start: the one place that says so. */
export function markStarted(record: AgentRecord, start: StartFacts): void {
  const { launch } = start;
  if (launch) {
    const samePhase = record.phaseGen === launch.phaseGen;
    record.phaseGen = launch.phaseGen;
    record.launchKey = launch.launchKey;
    // every start of a loop agent is a new iteration with a fresh kickoff
    if (launch.kind === 'loop') {
      record.phaseIterations = samePhase ? (record.phaseIterations ?? 0) + 1 : 1;
      record.iteration += 1;
    }
  }
  record.life = CLEAR;
  record.startedAt = new Date(start.at).toISOString();
  record.model = start.model;
  record.deadSince = null;
  record.nudgedAt = null;
  record.nudgeDue = false;
  record.waitingOn = null;
  record.providerWait = null;
  record.pending = launch?.pasteKickoff ? { what: 'kickoff', since: start.at } : null;
  // restarts count heals and restarts by hand; planned restarts (a new phase, model or command) are not failures
  if (start.restart) record.restarts += 1;
  if (start.by === 'hand') {
    record.up = true;
    // a start by hand is a fresh start: a new crash budget
    record.failedStarts = [];
    record.healthyRestarts = [];
    record.streak = 0;
  }
  if (start.run) markRun(record, start.run);
}

/**
 * A start that could not be made (its launch not planned, its pane not
 * started): the record goes back to how it was before the start (no run,
 * iteration or restart counted), marked `error` with why, tried again at
 * `retryAt`. The one way every starter puts a failed start back.
 */
export function markStartFailed(record: AgentRecord, before: AgentRecord, failure: { message: string; at: number; retryAt: number }): void {
  for (const key of Object.keys(record)) if (!(key in before)) Reflect.deleteProperty(record, key);
  Object.assign(record, structuredClone(before));
  record.deadSince ??= failure.at; // its death is classified already: the retry is no new death
  record.life = { is: 'error', retryAt: failure.retryAt, message: failure.message };
  record.lastStartError = failure.message;
}

/** The run a start made, once it is on its way: a start that was made (by hand or by the watchdog) ends its start error. */
export function markRun(record: AgentRecord, run: StartedRun): void {
  record.runId = run.runId;
  // the conversation it runs is the one to continue next time (a start without one keeps the old id)
  if (run.conversation) record.conversationId = run.conversation.id;
  record.resumedRun = run.conversation?.resume ?? false;
  record.logOffset = run.logOffset;
  if (run.mailSeen !== undefined) record.mailSeen = run.mailSeen;
  record.lastStartError = null;
}

const optionalOf = (shape: S.Shape): S.Shape => S.optional(S.nullable(shape));

// Loose: fields that a newer ao adds pass through; the ones ao relies on must have their type.
const recordShape = S.looseObject({
  up: S.boolean,
  startedAt: S.nullable(S.string),
  restarts: S.count,
  iteration: S.count,
  model: S.nullable(S.string),
  life: S.optional(S.looseObject({ is: S.string })),
  lastStartError: optionalOf(S.string),
  failedStarts: S.optional(S.array(S.number)),
  healthyRestarts: S.optional(S.array(S.number)),
  streak: S.optional(S.count),
  deadSince: optionalOf(S.number),
  nudgedAt: optionalOf(S.number),
  phaseGen: S.optional(S.number),
  launchKey: S.optional(S.string),
  mailSeen: S.optional(S.count),
  pending: optionalOf(S.looseObject({ what: S.literal('kickoff'), since: S.number })),
  nudgeDue: S.optional(S.boolean),
  waitingOn: optionalOf(S.string),
  providerWait: optionalOf(S.string),
  transcript: optionalOf(S.looseObject({ path: S.string, offset: S.count })),
  delivery: optionalOf(S.looseObject({ what: S.string, verdict: S.string, reason: S.string, at: S.number })),
  troubles: S.optional(S.count),
  logOffset: S.optional(S.count),
  phaseIterations: S.optional(S.count),
  conversationId: optionalOf(S.string),
  sessionId: optionalOf(S.string),
  resumedRun: S.optional(S.boolean),
  fallback: optionalOf(S.looseObject({ own: S.nullable(S.string), troubleSince: S.nullable(S.number), since: S.nullable(S.number), probing: S.boolean })),
  workspace: optionalOf(S.looseObject({ head: S.nullable(S.string), dirty: S.boolean, at: S.string })),
});
const stateShape = S.looseObject({ version: S.literal(1), agents: S.record(recordShape) });

export function checkAgents(value: unknown): AgentsState | { problem: string } {
  const issues = S.shapeIssues(stateShape, value);
  if (issues.length > 0) return { problem: describeIssues(issues) };
  const state = value as AgentsState;
  for (const [name, record] of Object.entries(state.agents)) {
    // an older ao spread where the watchdog held an agent over `condition` and five fields beside it
    migrateLife(record as AgentRecord & OldLifeFields);
    if (record.life !== undefined && !isLife(record.life)) return { problem: `agents.${name}.life: not a state this ao knows (${JSON.stringify(record.life).slice(0, 80)})` };
    // an older ao kept the launch key as JSON with env values in it: read as its hash, written so next time
    if (record.launchKey !== undefined) record.launchKey = upgradeLaunchKey(record.launchKey);
    // and named the CLI's conversation `sessionId` (a word that means a tmux session everywhere else)
    const old = record as AgentRecord & { sessionId?: string | null };
    if (old.sessionId !== undefined) {
      if (old.conversationId === undefined) old.conversationId = old.sessionId;
      delete old.sessionId;
    }
  }
  return state;
}

const emptyState = (): AgentsState => ({ version: 1, agents: {} });

export interface LoadedAgents {
  state: AgentsState;
  /** why agents.json could not be used, or null when it could */
  corrupt: string | null;
  /** where the state came from when agents.json was corrupt */
  from: 'file' | 'good copy' | 'nothing';
}

/** Read-only: agents.json, or around a corrupt one its last good copy (else an empty state). Moves nothing. */
export function loadAgentsState(stateDir: string): LoadedAgents {
  const file = layout.agents(stateDir);
  const read: StateRead<AgentsState> = readStateFile(file, checkAgents);
  if (read.status === 'ok') return { state: read.value, corrupt: null, from: 'file' };
  if (read.status === 'missing') return { state: emptyState(), corrupt: null, from: 'file' };
  const good = readStateFile(layout.goodCopy(file), checkAgents);
  return good.status === 'ok' ? { state: good.value, corrupt: read.reason, from: 'good copy' } : { state: emptyState(), corrupt: read.reason, from: 'nothing' };
}

export function readAgentsState(stateDir: string): AgentsState {
  return loadAgentsState(stateDir).state;
}

/**
 * For a writer that holds the lock: a corrupt agents.json is moved aside
 * (`agents.json.corrupt-<time>`) and reported once in events.jsonl; the
 * state goes on from its last good copy (`report`: the watchdog's event sink,
 * else events.jsonl directly). `rebuilt` tells the caller to fill
 * in what it can see (the tmux snapshot).
 */
export async function recoverAgentsState(
  stateDir: string,
  now = new Date(),
  report: (event: EventRecord) => void = (event) => appendEvent(stateDir, event),
): Promise<{ state: AgentsState; rebuilt: boolean }> {
  const loaded = loadAgentsState(stateDir);
  if (loaded.corrupt === null) return { state: loaded.state, rebuilt: false };
  const aside = moveAside(layout.agents(stateDir), now);
  await writeAgentsState(stateDir, loaded.state);
  report({
    time: now.toISOString(),
    agent: 'state',
    event: 'state-corrupt',
    reason: `agents.json was corrupt (${loaded.corrupt}); moved aside to ${aside.slice(stateDir.length + 1)} and rebuilt from ${loaded.from === 'good copy' ? 'its last good copy' : 'nothing'} and the running sessions`,
  });
  return { state: loaded.state, rebuilt: true };
}

/**
 * Fills a rebuilt state from what runs: every agent whose session exists was
 * brought up (only ao creates those sessions, and `ao down` removes them).
 */
export function adoptRunning(state: AgentsState, sessions: ReadonlyArray<{ name: string; running: boolean }>, now: Date): void {
  for (const { name, running } of sessions) {
    if (!running) continue;
    const record = (state.agents[name] ??= { ...emptyRecord(), startedAt: now.toISOString() });
    record.up = true;
  }
}

/**
 * Writes agents.json whole and keeps it as the good copy a corrupt file is
 * recovered from. Once agents.json is written the write has happened (the
 * watchdog starts what it records): a good copy a full disk refuses keeps the
 * one before, and is no failure.
 */
export async function writeAgentsState(stateDir: string, state: AgentsState): Promise<void> {
  const file = layout.agents(stateDir);
  await writeJsonAtomic(file, state);
  try {
    keepGoodCopy(file);
  } catch {
    // the next write keeps it
  }
}

/** Locked read-modify-write of state/agents.json. */
export async function updateAgentsState(stateDir: string, change: (state: AgentsState) => void | Promise<void>): Promise<AgentsState> {
  return withLock(stateDir, async () => {
    const { state } = await recoverAgentsState(stateDir);
    await change(state);
    await writeAgentsState(stateDir, state);
    return state;
  });
}
