/**
 * The executor of a sweep's decision: each action is applied on its own, with
 * its own error handling, so one agent's fault stays with that agent. A start
 * that cannot be made marks the agent `error` (tried again at errorRetryMs); a
 * stop or a mail that fails is logged; the sweep goes on. The phase state's
 * write is the one failure that fails the sweep: without it the next sweep
 * would read the same gate lines as new and tell of them again.
 * The starts are planned first (prepareStarts), their runs marked on their
 * records, so that the watchdog writes what will run before anything runs.
 */
import { relative } from 'node:path';
import type { PhaseView } from '../config/resolve.js';
import type { Project } from '../config/types.js';
import { appendMessage } from '../coord/inbox.js';
import { markRun, type AgentRecord } from '../state/agents.js';
import { writePhaseState } from '../state/phase.js';
import type { Tmux } from '../tmux/client.js';
import type { PaneInfo } from '../tmux/snapshot.js';
import type { EventAction, SweepAction } from './decide.js';
import { startSession } from './executor.js';
import { planLaunch, type LaunchPlan } from './launch.js';
import { inboxSize } from './mail.js';
import { timingsOf } from './observe.js';
import { logOffset } from './read-trouble.js';
import { errorRetryMs } from './reconcile.js';
import { stopSession } from './stop.js';
import { prepareWorkspace } from '../workspace/worktree.js';

export interface SweepContext {
  project: Project;
  /** the phase the starts render their kickoff for */
  view: PhaseView;
  tmux: Tmux;
  aoEntry: string;
  env: NodeJS.ProcessEnv;
  /** the project's own panes at the sweep's snapshot */
  panes: ReadonlyMap<string, PaneInfo>;
  /** the records before the decision: a start that fails goes back to its record */
  before: Readonly<Record<string, AgentRecord>>;
  /** the decision's records; the starts complete them in place */
  history: Record<string, AgentRecord>;
  /** the starts' launches, planned and marked by prepareStarts (planned here when absent) */
  plans?: ReadonlyMap<string, LaunchPlan>;
  now: number;
  event: (event: EventAction) => void;
  log: (level: 'warn', text: string) => void;
}

/** Applies the actions in order; returns how many starts were made. */
export async function applyActions(actions: readonly SweepAction[], ctx: SweepContext): Promise<{ started: number }> {
  const plans = ctx.plans ?? prepareStarts(actions, ctx);
  let started = 0;
  for (const action of actions) {
    switch (action.type) {
      case 'event':
        ctx.event(action);
        break;
      case 'nudge':
        break; // pasted by the screen watch (record.nudgeDue)
      case 'write-phase':
        await writePhaseState(ctx.project.stateDir, action.state);
        break;
      case 'mail':
        await appendMessage(ctx.project.stateDir, action.to, 'ao', action.text).catch((error: unknown) =>
          ctx.log('warn', `mail to ${action.to}: ${String(error)}`),
        );
        break;
      case 'stop': {
        const agent = ctx.project.agents.find((a) => a.name === action.agent);
        if (agent)
          await stopSession(ctx.tmux, agent.session, ctx.panes.get(agent.session), ctx.before[agent.name]?.runId).catch((error: unknown) =>
            ctx.log('warn', `stop ${agent.name}: ${String(error)}`),
          );
        break;
      }
      case 'start': {
        const plan = plans.get(action.agent);
        if (plan && (await start(action, plan, ctx))) started++;
        break;
      }
    }
  }
  return { started };
}

/**
 * Before anything starts: each start's launch planned and its run (id,
 * conversation, log offset, the mail its fresh kickoff points at) marked on its
 * record, so that the write that follows records what will run, and a write
 * that fails starts nothing. A start that cannot even be planned (its prompt
 * gone) is marked `error` here.
 */
export function prepareStarts(actions: readonly SweepAction[], ctx: SweepContext): Map<string, LaunchPlan> {
  const { project } = ctx;
  const plans = new Map<string, LaunchPlan>();
  for (const action of actions) {
    if (action.type !== 'start') continue;
    const agent = project.agents.find((a) => a.name === action.agent);
    const record = ctx.history[action.agent];
    if (!agent || !record) continue;
    try {
      const plan = planLaunch(project, agent, ctx.view, ctx.aoEntry, ctx.env, record.sessionId, record.fallback);
      // the fresh kickoff points at the inbox: what is in it now is no news
      markRun(record, {
        runId: plan.runId,
        conversation: plan.conversation,
        logOffset: logOffset(project, agent.name),
        mailSeen: inboxSize(project.stateDir, agent.name),
      });
      plans.set(agent.name, plan);
    } catch (error) {
      startFailed(agent.name, record, ctx.before[agent.name], startError(project, error), ctx);
    }
  }
  return plans;
}

async function start(action: Extract<SweepAction, { type: 'start' }>, plan: LaunchPlan, ctx: SweepContext): Promise<boolean> {
  const { project } = ctx;
  const agent = plan.agent;
  const record = ctx.history[action.agent]!;
  try {
    // one agent's fault (tmux refusing its session, a kickoff the disk refuses) stays with that agent
    await prepareWorkspace(project, agent); // its own worktree made or checked: a broken one is this start's error (src/workspace/)
    await startSession(ctx.tmux, plan, { pane: ctx.panes.get(agent.session), respawn: true, previousRun: ctx.before[agent.name]?.runId });
    // a run's life counts from when its pane started, not from the sweep's decision: in a sweep of a hundred
    // starts the last one begins seconds later, and a crash at once must not read as a healthy run
    record.startedAt = new Date(Math.max(ctx.now, Date.now())).toISOString();
    const event = action.reason === 'next-iteration' ? 'next-iteration' : action.reason === 'start' ? 'started' : 'restart';
    ctx.event({
      type: 'event',
      agent: agent.name,
      event,
      reason: action.reason,
      details: {
        iteration: record.iteration,
        restarts: record.restarts,
        ...(plan.conversation ? { conversation: plan.conversation.id, resumed: plan.conversation.resume } : {}),
      },
    });
    return true;
  } catch (error) {
    startFailed(agent.name, record, ctx.before[agent.name], startError(project, error), ctx);
    return false;
  }
}

/**
 * A start that could not be made: the record is as before the start (no
 * iteration or restart counted), marked `error`, tried again after
 * errorRetryMs; the event is written once per distinct error, not per sweep.
 */
function startFailed(name: string, record: AgentRecord, before: AgentRecord | undefined, message: string, ctx: SweepContext): void {
  if (before) {
    Object.assign(record, {
      model: before.model,
      restarts: before.restarts,
      iteration: before.iteration,
      phaseIterations: before.phaseIterations,
      phaseGen: before.phaseGen,
      launchKey: before.launchKey,
      runId: before.runId,
      // what prepareStarts marked for the run that did not begin
      sessionId: before.sessionId,
      resumedRun: before.resumedRun,
      logOffset: before.logOffset,
      mailSeen: before.mailSeen,
    });
    if (before.startedAt !== null) record.startedAt = before.startedAt;
  }
  const retryMs = errorRetryMs(timingsOf(ctx.project));
  record.deadSince ??= ctx.now; // its death is classified already: the retry is no new death
  record.condition = 'error';
  record.nextStartAt = ctx.now + retryMs;
  if (before?.error !== message)
    ctx.event({ type: 'event', agent: name, event: 'start-error', reason: `error: ${message}; tried again every ${retryMs / 1000} s` });
  record.error = message;
}

/** What went wrong with a start, in a few words: `prompts/alpha.md not found`. */
function startError(project: Project, error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  const where = typeof e.path === 'string' ? relative(project.dir, e.path) || e.path : null;
  if (where && e.code === 'ENOENT') return `${where} not found`;
  if (where && e.code) return `${where}: ${e.code}`;
  return (e.message ?? String(error)).split('\n')[0]!;
}
