/**
 * The one start transaction of an agent, for the watchdog's sweep, `ao up` and
 * `ao restart`. Its launch is planned and reserved on its record (run id,
 * iteration, conversation, as markStarted says), then its pane is started; the
 * record keeps the start only when the pane started, its `startedAt` then the
 * pane's start. A start that fails at either step puts the record back as it
 * was, marked `error` (markStartFailed: the watchdog tries it again at
 * errorRetryMs), and says so once per distinct error. The sweep writes its
 * reserved starts before it makes any (planStart, then makeStart), so a disk
 * that refuses the write starts nothing; the commands do both at once
 * (startAgent).
 */
import { statSync } from 'node:fs';
import { relative } from 'node:path';
import type { PhaseView } from '../config/resolve.js';
import type { AgentSpec, Project } from '../config/types.js';
import { markStarted, markStartFailed, type AgentRecord } from '../state/agents.js';
import { launchKeyOf } from '../state/secrets.js';
import { TmuxError } from '../errors.js';
import type { Tmux } from '../tmux/client.js';
import type { PaneInfo } from '../tmux/snapshot.js';
import type { EventAction } from './decide.js';
import { startSession } from './sessions.js';
import { planLaunch, type LaunchPlan } from './launch.js';
import { prepareWorkspace, WorkspaceError, type WorktreeMade } from '../workspace/worktree.js';
import { bwrapProblem, prepareSandbox, sandboxRefusal } from '../sandbox/host.js';
import { inboxSize } from './mail.js';
import { timingsOf } from './observe.js';
import { logOffset } from './read-trouble.js';
import { errorRetryMs } from './reconcile.js';

export interface StartContext {
  project: Project;
  tmux: Tmux;
  /** the phase the kickoff is rendered for */
  view: PhaseView;
  /** that phase's generation, which a loop's record keeps */
  generation: number;
  aoEntry: string;
  env: NodeJS.ProcessEnv;
  /** unix ms of the decision to start */
  now: number;
  /** where a start that could not be made is told (`start-error`) */
  event: (event: EventAction) => void;
}

/** How this start is made, beside the agent and its record. */
export interface StartRequest {
  /** `hand`: `ao up` or `ao restart` (a fresh crash budget); `watchdog`: a heal, an iteration, a retry */
  by: 'hand' | 'watchdog';
  /** it counts as a restart */
  restart: boolean;
  /** the conversation to continue, null for a new one; absent: the one its record holds */
  conversation?: string | null;
  /** its session's pane now, if it has one: it is replaced */
  pane?: PaneInfo | undefined;
  /** an existing pane is respawned in place (its log pipe and hook stay) rather than made anew */
  respawn?: boolean;
}

/** A start planned and reserved on its record, not yet made. */
export interface PlannedStart {
  agent: AgentSpec;
  plan: LaunchPlan;
  record: AgentRecord;
  /** the record before the start: what a failed start goes back to */
  before: AgentRecord;
  request: StartRequest;
}

export type StartOutcome = { ok: true; run: LaunchPlan } | { ok: false; error: string };

/** Plans, starts and records one agent's start (`ao up`, `ao restart`); never throws for the start's own failure. */
export async function startAgent(ctx: StartContext, agent: AgentSpec, record: AgentRecord, request: StartRequest): Promise<StartOutcome> {
  const planned = planStart(ctx, agent, record, request);
  return planned.ok ? makeStart(ctx, planned.start) : planned;
}

/** The first step: the launch planned and its run reserved on the record (what the sweep writes before anything starts). */
export function planStart(
  ctx: StartContext,
  agent: AgentSpec,
  record: AgentRecord,
  request: StartRequest,
): { ok: true; start: PlannedStart } | { ok: false; error: string } {
  const before = structuredClone(record);
  try {
    const conversation = request.conversation === undefined ? record.conversationId : request.conversation;
    // the fallback model's breaker is the provider's state, not the agent's: every start keeps it
    const plan = planLaunch(ctx.project, agent, ctx.view, ctx.aoEntry, ctx.env, conversation, record.fallback);
    markStarted(record, {
      at: ctx.now,
      model: plan.model,
      by: request.by,
      launch: { kind: agent.kind, phaseGen: ctx.generation, launchKey: launchKeyOf(agent), pasteKickoff: plan.pasteKickoff },
      restart: request.restart,
      run: {
        runId: plan.runId,
        conversation: plan.conversation,
        logOffset: logOffset(ctx.project, agent.name),
        // the watchdog's fresh kickoff points at the inbox: what is in it now is no news (a start by hand leaves the notice due)
        ...(request.by === 'watchdog' ? { mailSeen: inboxSize(ctx.project.stateDir, agent.name) } : {}),
      },
    });
    return { ok: true, start: { agent, plan, record, before, request } };
  } catch (error) {
    return failed(ctx, agent.name, record, before, error);
  }
}

/** The second step: the pane started; the record keeps the start, or goes back to `before` marked `error`. */
export async function makeStart(ctx: StartContext, start: PlannedStart): Promise<StartOutcome> {
  const { agent, plan, record, before, request } = start;
  try {
    // one agent's fault (tmux refusing its session, a kickoff the disk refuses) stays with that agent
    // its own worktree made, or checked: a broken one is no start (src/workspace/)
    const workspace = await prepareWorkspace(ctx.project, agent);
    if (workspace) record.workspace = { head: workspace.head, dirty: workspace.dirty, at: new Date().toISOString() };
    if (workspace?.made) toldMade(ctx, agent.name, workspace.made);
    // a sandbox's command line names its folder: where git puts the agent elsewhere than the plan, it would work in the wrong one
    if (workspace && plan.sandbox && workspace.cwd !== plan.session.cwd)
      throw new WorkspaceError(agent.name, `git puts its working folder at ${workspace.cwd}, and its sandbox was planned in ${plan.session.cwd}`);
    const session = workspace ? { ...plan.session, cwd: workspace.cwd } : plan.session;
    ensureFolder(session.cwd);
    // never unsandboxed: a bubblewrap that cannot make its namespaces here is no start (the record says error)
    if (plan.sandbox) {
      const problem = bwrapProblem(ctx.env);
      if (problem) throw new Error(sandboxRefusal(agent.name, problem));
      prepareSandbox(ctx.project, agent, plan.sandbox);
    }
    await startSession(ctx.tmux, { ...plan, session }, { pane: request.pane, respawn: request.respawn ?? false, previousRun: before.runId });
  } catch (error) {
    return failed(ctx, agent.name, record, before, error);
  }
  // a run's life counts from when its pane started, not from the decision: in a sweep of a hundred
  // starts the last one begins seconds later, and a crash at once must not read as a healthy run
  record.startedAt = new Date(Math.max(ctx.now, Date.now())).toISOString();
  return { ok: true, run: plan };
}

/**
 * A worktree made is told through the starter's events (the watchdog's sink,
 * with its buffer and notifications): it is there whatever becomes of the
 * start, and whatever the events file does (a refused write is the
 * watchdog's to report, not this start's failure).
 */
function toldMade(ctx: StartContext, agent: string, made: WorktreeMade): void {
  try {
    ctx.event({ type: 'event', agent, event: 'worktree-created', ...made });
  } catch {
    // recorded nowhere, made all the same
  }
}

/** tmux 3.3a starts a pane whose folder is gone in another folder, silently: such a start fails instead (`<cwd> not found`). */
function ensureFolder(cwd: string): void {
  if (!statSync(cwd).isDirectory()) throw new Error(`${cwd} is not a folder`);
}

function failed(ctx: StartContext, name: string, record: AgentRecord, before: AgentRecord, error: unknown): { ok: false; error: string } {
  const message = startError(ctx.project, error);
  const retryMs = errorRetryMs(timingsOf(ctx.project));
  markStartFailed(record, before, { message, at: ctx.now, retryAt: ctx.now + retryMs });
  if (before.lastStartError !== message)
    ctx.event({ type: 'event', agent: name, event: 'start-error', reason: `error: ${message}; tried again every ${retryMs / 1000} s` });
  return { ok: false, error: message };
}

/** What went wrong with a start, in a few words: `prompts/alpha.md not found`, `tmux new-session failed (exit 1): command too long`. */
function startError(project: Project, error: unknown): string {
  // tmux's command alone, not its argv: that names this start's environment file, and the same refusal must read the same
  if (error instanceof TmuxError) return `tmux ${error.args[3] ?? ''} failed${error.code === null ? '' : ` (exit ${error.code})`}: ${oneLine(error.stderr)}`;
  const e = error as NodeJS.ErrnoException;
  const where = typeof e.path === 'string' ? relative(project.dir, e.path) || e.path : null;
  if (where && e.code === 'ENOENT') return `${where} not found`;
  if (where && e.code) return `${where}: ${e.code}`;
  return oneLine(e.message ?? String(error));
}

const oneLine = (text: string): string => text.trim().split('\n')[0]! || 'no output';
