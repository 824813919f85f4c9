/**
 * What the watchdog decides in a sweep, as pure functions: the config, the
 * phase, the records and what the sweep observed go in; typed actions for the
 * executor (apply.ts) and the new records come out. Two steps, because what is
 * observed of an agent depends on the phase the team is in now (its usage is
 * that phase's, a task scheduled on the advance is up): first the phase
 * (decidePhase, from the gate files' text), then the agents (decideAgents,
 * from what tmux, the exit records, the screens and the usage show).
 */
import { getBackend } from '../backends/index.js';
import { DEFAULT_MIN_ITERATION_S } from '../config/load.js';
import { modelFor } from '../config/resolve.js';
import type { AgentSpec, Project } from '../config/types.js';
import { stepPhase, type GateFacts } from '../phases/advance.js';
import { emptyRecord, type AgentRecord } from '../state/agents.js';
import { phaseView, type PhaseState } from '../state/phase.js';
import type { UsageReport } from '../state/usage.js';
import { budgetHolds } from './budgets.js';
import { takesNotices } from './deliver.js';
import { fallbackPolicyOf } from './fallback.js';
import { launchKeyOf } from '../state/secrets.js';
import { timingsOf } from './observe.js';
import { reconcile, type Action, type DesiredAgent, type ObservedAgent } from './reconcile.js';
import { CLEAR } from '../state/lifecycle.js';

/** Everything a sweep can do: the reconciler's actions, mail for an inbox, and the phase state's write. */
export type SweepAction = Action | { type: 'mail'; to: string; text: string } | { type: 'write-phase'; state: PhaseState };

export type EventAction = Extract<Action, { type: 'event' }>;

export interface PhaseInput {
  project: Project;
  /** phase.json as the sweep found it */
  phase: PhaseState;
  /** the current phase's journal and review, as they are now ('' for a missing file) */
  journal: string;
  review: string;
  records: Readonly<Record<string, AgentRecord>>;
  /** the phase generation the last sweep left (null: the watchdog's first sweep, which enters no phase) */
  lastGeneration: number | null;
  /** plan files edited since the last sweep */
  plansEdited: ReadonlySet<string>;
  /** a commit-bound gate (the builder in a worktree): what git says of the new gate lines' commits, and the landings done */
  facts?: GateFacts | null;
}

export interface PhaseDecision {
  phase: PhaseState;
  /** in the order they are applied: the phase state's write first, then events and mail */
  actions: SweepAction[];
  /** the records with the tasks scheduled on a phase advance brought up */
  records: Record<string, AgentRecord>;
  /** a passed commit to land before anything of this decision counts: land it, then decide again with its landing */
  land?: { sha: string; phase: string };
}

/**
 * The gate's new lines move the team (or not); a new phase, by a pass or by
 * `ao phase next|set`, schedules the tasks that run on phase advance; an
 * edited plan of the current phase is a notice to every loop.
 */
export function decidePhase(input: PhaseInput): PhaseDecision {
  const { project } = input;
  const step = stepPhase(project, input.phase, input.journal, input.review, project.watchdog.nonConvergenceFails, input.facts ?? null);
  if (step.land) return { phase: input.phase, actions: [], records: { ...input.records }, land: step.land };
  const actions: SweepAction[] = [];
  if (JSON.stringify(step.state) !== JSON.stringify(input.phase)) actions.push({ type: 'write-phase', state: step.state });
  for (const e of step.events) actions.push({ type: 'event', ...e });
  const records: Record<string, AgentRecord> = { ...input.records };
  const current = phaseView(project, step.state).phase;
  const entered = input.lastGeneration !== null && step.state.generation !== input.lastGeneration;
  if (entered && !step.state.complete) {
    // a first start under the new phase
    for (const task of project.agents.filter((a) => a.kind === 'task' && a.onPhaseAdvance && a.enabled)) {
      records[task.name] = { ...emptyRecord(), ...records[task.name], up: true, startedAt: null, life: CLEAR, deadSince: null };
      actions.push({ type: 'event', agent: task.name, event: 'task-scheduled', reason: `runs on phase advance (${current.id})` });
    }
  }
  for (const m of step.messages) {
    if (project.agents.some((a) => a.name === m.to)) actions.push({ type: 'mail', to: m.to, text: m.text });
  }
  if (input.plansEdited.has(current.planPath) && !step.state.complete) {
    for (const loop of project.agents.filter((a) => a.kind === 'loop')) {
      actions.push({ type: 'mail', to: loop.name, text: `The plan of phase ${current.id} was edited (${current.planPath}). Re-read it before you go on.` });
    }
    actions.push({ type: 'event', agent: 'phase', event: 'plan-edited', reason: current.planPath });
  }
  return { phase: step.state, actions, records };
}

/** What should run now: every configured agent, as the reconciler sees it. Loops stop once the project is complete. */
export function desiredAgents(
  project: Project,
  phase: PhaseState,
  records: Readonly<Record<string, AgentRecord>>,
  holds: ReadonlyMap<string, string> = new Map(),
): DesiredAgent[] {
  const view = phaseView(project, phase);
  return project.agents.map((a) => {
    const stop = phase.complete && a.kind === 'loop';
    return {
      name: a.name,
      kind: a.kind,
      heal: a.heal,
      up: (records[a.name]?.up ?? false) && !stop,
      ...(stop ? { stopReason: 'the project is complete: loops stop' } : {}),
      stallMs: a.stallMinutes * 60_000,
      minIterationMs: (a.minIterationS ?? DEFAULT_MIN_ITERATION_S) * 1000,
      model: modelFor(project, a, view.phase),
      fallback: fallbackPolicyOf(project, a, view.phase),
      generation: phase.generation,
      launchKey: launchKeyOf(a),
      nudgeable: takesNotices(a),
      pasteKickoff: a.kickoff === 'paste',
      hold: holds.get(a.name) ?? null,
    };
  });
}

/**
 * Whether the conversation the CLI reports for the agent's current run (its
 * SessionStart hook) is the one to continue: `/clear` in Claude begins a new one.
 * The observe step reads the report only for these.
 */
export function followsConversation(spec: AgentSpec, record: AgentRecord | undefined): record is AgentRecord & { startedAt: string } {
  return Boolean(record?.up && record.startedAt && spec.resume && spec.kind !== 'service' && getBackend(spec.backend).conversations);
}

export interface AgentsInput {
  project: Project;
  /** the phase as decidePhase left it */
  phase: PhaseState;
  /** the records as decidePhase left them */
  records: Readonly<Record<string, AgentRecord>>;
  /** what tmux, /proc, the exit records, the run's output and the screens show (observe step) */
  observed: ReadonlyMap<string, ObservedAgent>;
  /** agent -> the conversation its CLI reports for its current run, for agents that follow one */
  conversations: ReadonlyMap<string, string>;
  /** state/usage.jsonl summed, with the runs that ended in this sweep (null: no usage yet) */
  usage: UsageReport | null;
  now: number;
}

export interface AgentsDecision {
  actions: Action[];
  history: Record<string, AgentRecord>;
  /** unix ms when the watchdog should look again at the latest */
  wakeAt: number | null;
}

/** Starts, restarts, stops, nudges and their events for every agent. */
export function decideAgents(input: AgentsInput): AgentsDecision {
  const { project, phase, now } = input;
  const actions: Action[] = [];
  const records: Record<string, AgentRecord> = { ...input.records };
  for (const spec of project.agents) {
    const record = records[spec.name];
    const reported = input.conversations.get(spec.name);
    if (!followsConversation(spec, record) || !reported || reported === record.conversationId) continue;
    actions.push({
      type: 'event',
      agent: spec.name,
      event: 'conversation',
      reason: `the CLI reports conversation ${reported}${record.conversationId ? ` (was ${record.conversationId})` : ''}; later starts continue it`,
    });
    records[spec.name] = { ...record, conversationId: reported };
  }
  const view = phaseView(project, phase);
  const holds = budgetHolds(project, view.phase, phase.generation, records, input.usage);
  const decision = reconcile(desiredAgents(project, phase, records, holds), input.observed, records, now, timingsOf(project));
  return { actions: [...actions, ...decision.actions], history: decision.history, wakeAt: decision.wakeAt };
}
