/**
 * The executor of a sweep's decision: each action is applied on its own, with
 * its own error handling, so one agent's fault stays with that agent. A start
 * that cannot be made marks the agent `error` (tried again at errorRetryMs); a
 * stop or a mail that fails is logged; the sweep goes on. The phase state's
 * write is the one failure that fails the sweep: without it the next sweep
 * would read the same gate lines as new and tell of them again.
 * The starts are planned first (prepareStarts), their runs reserved on their
 * records, so that the watchdog writes what will run before anything runs;
 * each is then made by the one start transaction (start.ts).
 */
import { appendMessage } from '../coord/inbox.js';
import type { AgentRecord } from '../state/agents.js';
import { writePhaseState } from '../state/phase.js';
import type { PaneInfo } from '../tmux/snapshot.js';
import type { SweepAction } from './decide.js';
import { countsAsRestart } from './reconcile.js';
import { makeStart, planStart, type PlannedStart, type StartContext } from './start.js';
import { stopSession } from './stop.js';

export interface SweepContext extends StartContext {
  /** the project's own panes at the sweep's snapshot */
  panes: ReadonlyMap<string, PaneInfo>;
  /** the records before the decision: a stop ends the run its record names */
  before: Readonly<Record<string, AgentRecord>>;
  /** the decision's records; the starts are reserved and made on them in place */
  history: Record<string, AgentRecord>;
  /** the starts, planned and reserved by prepareStarts (planned here when absent) */
  plans?: ReadonlyMap<string, PlannedStart>;
  log: (level: 'warn', text: string) => void;
}

/** Applies the actions in order; returns how many starts were made, and how many nudges were handed to the screen watch. */
export async function applyActions(actions: readonly SweepAction[], ctx: SweepContext): Promise<{ started: number; nudged: number }> {
  const plans = ctx.plans ?? prepareStarts(actions, ctx);
  let started = 0;
  let nudged = 0;
  for (const action of actions) {
    switch (action.type) {
      case 'event':
        ctx.event(action);
        break;
      case 'nudge': {
        // the screen watch pastes it once the screen is steadily ready: the record hands it over, the caller wakes the watch
        const record = ctx.history[action.agent];
        if (record) {
          record.nudgeDue = true;
          nudged++;
        }
        break;
      }
      case 'write-phase':
        await writePhaseState(ctx.project.stateDir, action.state);
        break;
      case 'mail':
        await appendMessage(ctx.project.stateDir, action.to, 'ao', action.text).catch((error: unknown) =>
          ctx.log('warn', `mail to ${action.to}: ${String(error)}`),
        );
        break;
      case 'stop': {
        const session = ctx.project.agents.find((a) => a.name === action.agent)?.session ?? action.session;
        // only a session that is there: an agent removed from agents.toml may have had none
        if (session && (action.session === undefined || ctx.panes.has(session)))
          await stopSession(ctx.tmux, session, ctx.panes.get(session), ctx.before[action.agent]?.runId).catch((error: unknown) =>
            ctx.log('warn', `stop ${action.agent}: ${String(error)}`),
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
  return { started, nudged };
}

/**
 * Before anything starts: each start's launch planned and its run (id,
 * iteration, conversation, log offset, the mail its fresh kickoff points at)
 * reserved on its record, so that the write that follows records what will
 * run, and a write that fails starts nothing. A start that cannot even be
 * planned (its prompt gone) is marked `error` here.
 */
export function prepareStarts(actions: readonly SweepAction[], ctx: SweepContext): Map<string, PlannedStart> {
  const plans = new Map<string, PlannedStart>();
  for (const action of actions) {
    if (action.type !== 'start') continue;
    const agent = ctx.project.agents.find((a) => a.name === action.agent);
    const record = ctx.history[action.agent];
    if (!agent || !record) continue;
    const request = { by: 'watchdog', restart: countsAsRestart(action.reason), pane: ctx.panes.get(agent.session), respawn: true } as const;
    const planned = planStart(ctx, agent, record, request);
    if (planned.ok) plans.set(agent.name, planned.start);
  }
  return plans;
}

async function start(action: Extract<SweepAction, { type: 'start' }>, planned: PlannedStart, ctx: SweepContext): Promise<boolean> {
  const outcome = await makeStart(ctx, planned);
  if (!outcome.ok) return false;
  const { record, plan } = planned;
  const event = action.reason === 'next-iteration' ? 'next-iteration' : action.reason === 'start' ? 'started' : 'restart';
  ctx.event({
    type: 'event',
    agent: action.agent,
    event,
    reason: action.reason,
    details: {
      iteration: record.iteration,
      restarts: record.restarts,
      ...(plan.conversation ? { conversation: plan.conversation.id, resumed: plan.conversation.resume } : {}),
    },
  });
  return true;
}
