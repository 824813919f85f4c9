import { relative } from 'node:path';
import { fallbackModelFor, modelFor } from '../config/resolve.js';
import type { AgentKind, HealPolicy, Project } from '../config/types.js';
import type { AgentRecord, AgentsState } from '../state/agents.js';
import { phaseView, type PhaseState } from '../state/phase.js';
import type { UsageReport, UsageTotals } from '../state/usage.js';
import { startModelFor } from './fallback.js';
import { SPINNING_AFTER } from './death.js';
import { silenceMs, silentTooLong } from './reconcile.js';
import { foreignNote, ownSessions, type PaneInfo } from '../tmux/snapshot.js';
import { CLEAR, lifeOf } from '../state/lifecycle.js';

export const AGENT_STATES = ['running', 'waiting', 'paused', 'stalled', 'stopped', 'dead', 'backoff', 'failed'] as const;
export type AgentState = (typeof AGENT_STATES)[number];

export const WATCHDOG = 'watchdog';

export interface AgentStatus {
  name: string;
  session: string;
  kind: AgentKind;
  backend: string | null;
  /** the model it runs on (running), else the one its next start uses */
  model: string | null;
  /** `model` is its fallback model, not its own (its own was overloaded: `fallback_model`) */
  fallback: boolean;
  heal: HealPolicy | null;
  enabled: boolean;
  state: AgentState;
  /** a few words more: why it is stopped, how long it stalled */
  detail: string | null;
  pid: number | null;
  exit_status: number | null;
  restarts: number;
  iteration: number;
  last_activity: string | null;
  /** brought up by the user and not brought down: it should be running */
  up: boolean;
  /** the dialog its screen shows (`folder trust`, `tool permission`, …): it waits for a person */
  waiting_on: string | null;
  /** what the watchdog will paste once its screen is steadily ready */
  pending: 'kickoff' | null;
  /** tokens and cost of its iterations so far, where its CLI reports them */
  usage: UsageTotals | null;
  /**
   * Its own git worktree (`workspace = "worktree"`): the path relative to the
   * project and its branch (the config's), the commit checked out and whether
   * it held uncommitted work, as its last start found them (null before one).
   */
  workspace?: { path: string; branch: string; head: string | null; dirty: boolean | null; seen_at: string | null };
  /** the watchdog only: the pid of the sh that restarts it (its pane's program); `pid` is the watchdog's own */
  supervisor_pid?: number | null;
}

export interface StatusReport {
  project: string;
  complete: boolean;
  phase: { id: string; index: number; count: number; plan: string; status: string; gate: string; fails_in_a_row: number; usage: UsageTotals | null };
  /** agents.toml does not validate; the watchdog keeps the last good config */
  config_error: string | null;
  /** whether ao's tmux server answered */
  server: boolean;
  agents: AgentStatus[];
}

export interface Observed {
  panes: readonly PaneInfo[];
  server: boolean;
  agents: AgentsState;
  phase: PhaseState;
  /** unix milliseconds */
  now: number;
  configError?: string | null;
  /** what state/usage.jsonl adds up to */
  usage?: UsageReport | null;
  /** the watchdog's own process (watchdog-pid.ts), a child of its pane's sh; null: not known */
  watchdogPid?: number | null;
  /** the launcher's exit records of dead agents (their current run's) */
  exits?: Record<string, { status: number | null; signal: number | null } | null>;
}

const iso = (seconds: number | null): string | null => (seconds === null ? null : new Date(seconds * 1000).toISOString());

/** Pure: what the team looks like, from one tmux snapshot and the state files. */
export function buildStatus(project: Project, observed: Observed): StatusReport {
  const { own: panes, foreign } = ownSessions(observed.panes, project.configFile);
  // a session with one of our names but another owner is not ours: say whose it is
  const taken = (session: string, up: boolean, state: { state: AgentState; detail: string | null }): { state: AgentState; detail: string | null } => {
    const other = foreign.get(session);
    return other && !panes.has(session) ? { state: up ? 'dead' : 'stopped', detail: `session ${foreignNote(other)}` } : state;
  };
  const { phase, index, status } = phaseView(project, observed.phase);
  const complete = observed.phase.complete;

  const agents: AgentStatus[] = project.agents.map((agent) => {
    const record = observed.agents.agents[agent.name];
    const tmuxPane = panes.get(agent.session);
    // tmux 3.3a can lose a dead pane's status: the launcher's own record says it
    const kept = tmuxPane?.dead && tmuxPane.deadStatus === null && tmuxPane.deadSignal === null ? observed.exits?.[agent.name] : undefined;
    const pane = kept && tmuxPane ? { ...tmuxPane, deadStatus: kept.status, deadSignal: kept.signal } : tmuxPane;
    const model = (pane && !pane.dead && record?.model) || startModelFor(project, agent, phase, record?.fallback);
    const base = {
      name: agent.name,
      session: agent.session,
      kind: agent.kind,
      backend: agent.kind === 'service' ? null : agent.backend,
      model,
      fallback: model !== null && model !== modelFor(project, agent, phase) && model === fallbackModelFor(project, agent, phase),
      heal: agent.heal,
      enabled: agent.enabled,
      pid: pane && !pane.dead ? pane.pid : null,
      exit_status: pane?.dead ? pane.deadStatus : null,
      restarts: record?.restarts ?? 0,
      iteration: record?.iteration ?? 0,
      last_activity: iso(pane?.activity ?? null),
      up: record?.up ?? false,
      waiting_on: pane && !pane.dead ? (record?.waitingOn ?? record?.providerWait ?? null) : null,
      pending: record?.pending ? record.pending.what : null,
      usage: observed.usage?.byAgent[agent.name] ?? null,
      // `ao status` runs no git: the path and branch are the config's, the head what the last start recorded
      ...(agent.worktree
        ? {
            workspace: {
              path: relative(project.dir, agent.worktree.path),
              branch: agent.worktree.branch,
              head: record?.workspace?.head ?? null,
              dirty: record?.workspace?.dirty ?? null,
              seen_at: record?.workspace?.at ?? null,
            },
          }
        : {}),
    };
    return { ...base, ...taken(agent.session, base.up, agentState(pane, record, agent.heal, agent.stallMinutes, agent.enabled, observed)) };
  });

  const watchdogSession = `${project.sessionPrefix}${WATCHDOG}`;
  const wdPane = panes.get(watchdogSession);
  const wdRecord = observed.agents.agents[WATCHDOG];
  const wdAlive = wdPane !== undefined && !wdPane.dead;
  agents.push({
    name: WATCHDOG,
    session: watchdogSession,
    kind: 'service',
    backend: null,
    model: null,
    fallback: false,
    heal: null,
    enabled: true,
    // the watchdog's own process; its sh parent's only while it is between two runs
    pid: wdAlive ? (observed.watchdogPid ?? wdPane.pid) : null,
    supervisor_pid: wdAlive ? wdPane.pid : null,
    exit_status: wdPane?.dead ? wdPane.deadStatus : null,
    restarts: wdRecord?.restarts ?? 0,
    iteration: 0,
    last_activity: iso(wdPane?.activity ?? null),
    up: wdRecord?.up ?? false,
    waiting_on: null,
    pending: null,
    usage: null,
    ...taken(watchdogSession, wdRecord?.up ?? false, agentState(wdPane, wdRecord ? { ...wdRecord, life: CLEAR } : undefined, 'none', 0, true, observed)),
  });

  return {
    project: project.name,
    complete,
    phase: {
      id: phase.id,
      index,
      count: project.phases.length,
      plan: phase.plan,
      status,
      gate: complete ? 'closed' : observed.phase.gate.status,
      fails_in_a_row: observed.phase.gate.failStreak,
      usage: observed.usage?.byPhase[phase.id] ?? null,
    },
    config_error: observed.configError ?? null,
    server: observed.server,
    agents,
  };
}

function agentState(
  pane: PaneInfo | undefined,
  record: AgentRecord | undefined,
  heal: HealPolicy,
  stallMinutes: number,
  enabled: boolean,
  observed: Observed,
): { state: AgentState; detail: string | null } {
  const life = lifeOf(record);
  const up = record?.up ?? false;
  const down = !pane || pane.dead;
  const secondsTo = (at: number): number => Math.max(0, Math.ceil((at - observed.now) / 1000));
  const spinning = (record?.quickIterations ?? 0) >= SPINNING_AFTER ? `spinning: ${record!.quickIterations} iterations in a row ended at once` : null;
  switch (life.is) {
    case 'error':
      return { state: down ? 'dead' : 'running', detail: `error: ${life.message}` };
    case 'failed':
      if (down) return { state: 'failed', detail: life.why };
      break;
    case 'pacing':
      if (down) return { state: 'backoff', detail: `${spinning ? `${spinning}; ` : ''}next iteration in ${secondsTo(life.until)}s` };
      break;
    case 'paused':
      // provider trouble: waiting for a reset, not a crash (and status stays healthy)
      if (down) return { state: 'paused', detail: life.why };
      break;
    case 'backoff':
      if (down)
        return {
          state: 'backoff',
          detail: [`restart in ${secondsTo(life.until)}s`, life.lastExit ? `after ${life.lastExit}` : null].filter(Boolean).join('; '),
        };
      break;
    case 'clear':
    case 'waiting': // told below, while its pane lives
    case 'foreign': // told by the pane's owner (`taken`)
      break;
  }
  if (pane?.dead && !up)
    return { state: 'stopped', detail: pane.deadStatus === 0 ? 'done' : pane.deadStatus !== null ? `ended, exit ${pane.deadStatus}` : 'ended' };
  if (pane?.dead) {
    const detail = pane.deadStatus !== null ? `exit ${pane.deadStatus}` : pane.deadSignal !== null ? `signal ${pane.deadSignal}` : 'exit status lost';
    return { state: 'dead', detail };
  }
  if (pane) {
    const pending = record?.pending ? 'kickoff pending' : null;
    // a dialog on screen: whatever the heal mode, the agent waits for a person
    if (record?.waitingOn) return { state: 'waiting', detail: [`at a dialog (${record.waitingOn})`, pending].filter(Boolean).join('; ') };
    if (life.is === 'waiting') return { state: 'waiting', detail: 'asks for input' };
    if (record?.providerWait) return { state: 'waiting', detail: `on: ${record.providerWait}` };
    // the reconciler's own rule, so status never says running while a stall restart is due
    const seen = { exists: true, dead: false, activityMs: pane.activity === null ? null : pane.activity * 1000 };
    if (silentTooLong({ heal, stallMs: stallMinutes * 60_000 }, seen, record, observed.now)) {
      return { state: 'stalled', detail: `${Math.floor((silenceMs({ heal }, seen, record, observed.now) ?? 0) / 60_000)}m` };
    }
    return { state: 'running', detail: pending ?? (enabled ? spinning : 'disabled') };
  }
  if (up) return { state: 'dead', detail: observed.server ? 'session gone' : 'gone with its tmux server' };
  return { state: 'stopped', detail: enabled ? null : 'disabled' };
}

/** `ao status` exits 3 when an agent that should run does not (DESIGN §9). */
export function isHealthy(report: StatusReport): boolean {
  return report.agents.every((a) => !a.up || !['dead', 'failed', 'stalled'].includes(a.state));
}
