import { emptyRecord, markStarted, readAgentsState, updateAgentsState, type AgentRecord } from '../../state/agents.js';
import { refuseInSandbox } from '../caller.js';
import type { AgentSpec } from '../../config/types.js';
import { phaseView, readPhaseStateOf } from '../../state/phase.js';
import { shellQuote } from '../../tmux/client.js';
import { bySession, foreignNote, ownSessions, type PaneInfo } from '../../tmux/snapshot.js';
import { ensureWatchdog, watchdogSeen, watchdogSession } from '../../supervisor/sessions.js';
import { WATCHDOG } from '../../supervisor/status.js';
import { planLaunch, type LaunchPlan } from '../../supervisor/launch.js';
import { requireWorkspaces } from '../../workspace/worktree.js';
import { startAgent, type StartOutcome } from '../../supervisor/start.js';
import { SHOWN_VALUE } from '../../state/secrets.js';
import { removeStaleEnvFiles } from '../../state/env-file.js';
import { rememberProject } from '../../config/cache.js';
import { aoEntry, eventSink, openProject, selectAgents } from '../context.js';
import { deliverKickoffs, watchKickoffs } from '../kickoffs.js';
import type { GlobalOptions, Io } from '../io.js';
import { requirePrograms, requireSandboxes } from '../programs.js';
import { waitTeamDown } from '../wait.js';
import { getBackend } from '../../backends/index.js';
import { UsageError } from '../../errors.js';
import { appendEvent } from '../../state/events.js';
import { readExit } from '../../state/exits.js';
import { tightenStateModes } from '../../state/housekeeping.js';
import { lifeOf } from '../../state/lifecycle.js';

export interface UpOptions extends GlobalOptions {
  agents: string[];
  dryRun?: boolean;
  /** seconds to wait for pasted kickoffs (with the watchdog: to see how its delivery goes) */
  readyTimeout?: number;
  /** false: start the agents without the watchdog (nothing heals them) */
  watchdog?: boolean;
  /** stay in the foreground until the team is down (what a boot unit runs) */
  wait?: boolean;
}

/** `ao up [AGENT...]`: start what is not running; leave running agents alone. */
export async function up(options: UpOptions, io: Io): Promise<number> {
  refuseInSandbox(io.env, 'ao up');
  const began = Date.now();
  const { project, tmux, loaded } = openProject(options, io);
  if (options.wait && (options.dryRun || options.watchdog === false))
    throw new UsageError('ao up --wait watches the watchdog: it goes with neither --dry-run nor --no-watchdog');
  // tasks run on demand (`ao run`), so a bare `ao up` leaves them out
  const agents = selectAgents(project, options.agents, (a) => a.enabled && a.kind !== 'task');
  // a program that is not there would only die in its pane: refuse before anything starts
  if (!options.dryRun) requirePrograms(project, agents, io.env);
  // a sandboxed agent is never started unsandboxed: no bubblewrap that works here, exit 2 before anything starts
  if (!options.dryRun) requireSandboxes(agents, io.env);
  // git missing, no repository, no base for an agent's own worktree: exit 2 before anything starts (src/workspace/)
  if (!options.dryRun) await requireWorkspaces(project, agents);
  const phase = readPhaseStateOf(project);
  const view = phaseView(project, phase);
  const entry = aoEntry();

  if (options.dryRun) {
    // a conversation kept from before (a reboot, `ao down`) is continued
    const records = readAgentsState(project.stateDir).agents;
    for (const agent of agents) {
      const plan = planLaunch(project, agent, view, entry, io.env, records[agent.name]?.conversationId, records[agent.name]?.fallback);
      io.out(`${tmux.argv(tmux.newSessionArgs(plan.session)).map(shellQuote).join(' ')}\n`);
      io.out(`#   ${plan.agent.name}'s environment, in a 0600 file its launcher reads and removes: ${dryRunEnv(plan.env)}\n`);
    }
    return 0;
  }

  // a state folder an older ao made readable by others is made private, said once (the next \`ao up\` finds nothing to change)
  const tightened = tightenStateModes(project.stateDir);
  if (tightened > 0) io.out(`state folder ${project.stateDir}: made private (folders 0700, files 0600; ${tightened} changed)\n`);

  // a complete project runs as it did when it completed: its loops stopped, the rest and the watchdog as ever
  // (a reboot or a tmux server that ended under it brings back that, not nothing)
  if (phase.complete)
    io.out(`the project is complete (all ${project.phases.length} phases passed): its loops stay stopped; \`ao phase set ID\` goes back to a phase\n`);

  const started: LaunchPlan[] = [];
  let watchdog = 'off' as 'running' | 'started' | 'foreign' | 'off';
  let failures = 0;
  let leftAlone = 0;
  let notStarted = 0;
  // the whole start runs under the state lock: concurrent `ao up`s and the watchdog take turns
  await updateAgentsState(project.stateDir, async (state) => {
    // `ao status` reads the team's config from this copy until agents.toml changes
    if (loaded) await rememberProject(loaded);
    // what a start that crashed before its launcher ran left behind
    removeStaleEnvFiles(project.stateDir);
    const all = await tmux.snapshot();
    const { own: panes, foreign } = ownSessions(all, project.configFile);
    const now = new Date();
    const starts: { agent: AgentSpec; record: AgentRecord; pane: PaneInfo | undefined; ranBefore: boolean }[] = [];
    for (const agent of agents) {
      const pane = panes.get(agent.session);
      const record = (state.agents[agent.name] ??= emptyRecord());
      record.up = true;
      const other = foreign.get(agent.session);
      if (other) {
        failures++;
        io.out(`${agent.name}: not started: session ${agent.session} ${foreignNote(other)}; left alone\n`);
        continue;
      }
      if (pane && !pane.dead) {
        io.out(`${agent.name}: already running (pid ${pane.pid ?? '?'})\n`);
        continue;
      }
      // the watchdog would stop it again at once (decide.ts): brought up, but not started
      if (phase.complete && agent.kind === 'loop') continue;
      const life = lifeOf(record);
      if (life.is === 'paused' && options.watchdog !== false) {
        // a usage limit or a budget outlives a reboot: the watchdog resumes it when it may
        io.out(`${agent.name}: paused (${life.why}); the watchdog resumes it (\`ao restart ${agent.name}\` starts it now)\n`);
        continue;
      }
      if (life.is === 'failed' && options.agents.length === 0) {
        // a crash loop waits for a person (README): only `ao restart AGENT` or `ao up AGENT` starts it again
        leftAlone++;
        io.out(`${agent.name} FAILED: left alone; \`ao restart ${agent.name}\` or \`ao up ${agent.name}\` starts it\n`);
        continue;
      }
      starts.push({ agent, record, pane, ranBefore: record.startedAt !== null });
    }
    // one start's failure stays with its agent (marked `error`, retried by the watchdog): the others are recorded and the watchdog starts
    const ctx = { project, tmux, view, generation: phase.generation, aoEntry: entry, env: io.env, now: now.getTime(), event: eventSink(project) };
    const start = ({ agent, record, pane }: (typeof starts)[number]): Promise<StartOutcome> =>
      startAgent(ctx, agent, record, { by: 'hand', restart: false, pane });
    // each start spawns a tmux client and writes a kickoff file: a few at once keep the cores busy (200 agents in seconds)
    // (the first alone: it may start the tmux server, which concurrent clients must not race to do)
    // (and the agents with worktrees of their own one after another: `git worktree add` takes the repository's locks)
    const [own, shared] = [starts.filter((s) => s.agent.worktree), starts.filter((s) => !s.agent.worktree)];
    const ordered = [...own, ...shared];
    const outcomes = [
      ...(await mapLimited(ordered.slice(0, own.length || 1), 1, start)),
      ...(await mapLimited(ordered.slice(own.length || 1), START_CONCURRENCY, start)),
    ];
    for (const [i, { agent, ranBefore }] of ordered.entries()) {
      const outcome = outcomes[i]!;
      if (!outcome.ok) {
        failures++;
        notStarted++;
        io.out(`${agent.name}: not started: ${outcome.error}${options.watchdog === false ? '' : '; the watchdog tries it again'}\n`);
        continue;
      }
      if (agent.kind === 'persistent' && ranBefore && !outcome.run.conversation?.resume) freshStart(project.stateDir, outcome.run);
      started.push(outcome.run);
    }
    if (options.watchdog !== false) {
      watchdog = await ensureWatchdog(project, tmux, bySession(all).get(watchdogSession(project)), entry, io.env);
      if (watchdog === 'foreign') {
        failures++;
        io.out(`watchdog: not started: session ${watchdogSession(project)} ${foreignNote(bySession(all).get(watchdogSession(project))!)}; left alone\n`);
      }
      const record = (state.agents[WATCHDOG] ??= emptyRecord());
      if (watchdog === 'started') markStarted(record, { at: now.getTime(), model: null, by: 'hand' });
      record.up = true;
    }
  });
  // started means seen running (it took its lock), not a pane that may have died at once
  const seen = watchdog === 'started' ? await watchdogSeen(project, tmux, 10_000) : null;
  const watchdogDown = seen === 'not-seen';
  if (seen)
    io.out(
      `watchdog: ${seen === 'running' ? 'started' : seen === 'gone' ? 'stopped meanwhile by `ao down`' : 'did not start; see state/logs/watchdog-pane.log (its parent keeps trying)'}\n`,
    );

  const after = ownSessions(await tmux.snapshot(), project.configFile).own;
  const pastes = started.filter((p) => p.pasteKickoff && !after.get(p.session.name)?.dead);
  const kickoffs =
    options.watchdog === false
      ? await deliverKickoffs(tmux, pastes, (options.readyTimeout ?? 60) * 1000, io)
      : // the watch ends a few seconds after the command began, however long the starts took: the watchdog delivers anyway
        await watchKickoffs(project, tmux, pastes, Math.max(500, (options.readyTimeout ?? 4.5) * 1000 - (Date.now() - began)), io);

  for (const plan of started) {
    const pane = after.get(plan.session.name);
    const kickoff = kickoffs.get(plan.agent.name);
    // tmux's status, or where tmux lost it, the launcher's record of this very run
    const status = pane?.dead ? (pane.deadStatus ?? readExit(project.stateDir, plan.agent.name, plan.runId)?.status ?? null) : null;
    if (status === 0 && plan.agent.kind === 'task') {
      io.out(`${plan.agent.name}: ran and finished (exit 0)\n`);
      continue;
    }
    // a short iteration can end before `ao up` looks: that is the loop looping, not a failed start
    if (status === 0 && plan.agent.kind === 'loop') {
      const next = options.watchdog === false ? 'with no watchdog nothing runs the next' : 'the watchdog runs the next';
      io.out(`${plan.agent.name}: started; its first iteration already ended (exit 0), ${next}\n`);
      continue;
    }
    // remain-on-exit keeps a pane that exits at once: a missing one was stopped (a racing `ao down`)
    if (!pane) {
      io.out(`${plan.agent.name}: stopped meanwhile${readAgentsState(project.stateDir).agents[plan.agent.name]?.up === false ? ' by `ao down`' : ''}\n`);
      continue;
    }
    if (!pane || pane.dead) {
      failures++;
      io.out(`${plan.agent.name}: exited at once${status !== null ? ` (exit ${status})` : ''}; see \`ao logs ${plan.agent.name}\`\n`);
      continue;
    }
    if (kickoff?.failed) failures++;
    io.out(`${plan.agent.name}: started (pid ${pane.pid ?? '?'}, model ${plan.model ?? '-'}${kickoff?.inline ?? ''})${kickoff?.after ?? ''}\n`);
  }
  if (started.length === 0 && agents.length > leftAlone + notStarted) io.out(`nothing to start: every agent${leftAlone > 0 ? ' not FAILED' : ''} is running\n`);
  const code = failures > 0 || watchdogDown ? 1 : 0;
  if (!options.wait || watchdog === 'off' || watchdog === 'foreign' || watchdogDown) return code;
  // a team that went down under it (its tmux server ended) is brought up again by a bare `ao up`
  return waitTeamDown(project, tmux, io, () => up({ ...options, agents: [], wait: false }, io));
}

/** An environment as `--dry-run` shows it: ao's own variables (paths, names) as they are, every other value `<set>`. */
export function dryRunEnv(env: Readonly<Record<string, string>>): string {
  return Object.entries(env)
    .map(([k, v]) => `${k}=${k.startsWith('AO_') ? shellQuote(v) : SHOWN_VALUE}`)
    .join(' ');
}

/** A persistent agent that ran before begins a new conversation: said once, in events. */
function freshStart(stateDir: string, plan: LaunchPlan): void {
  const why = getBackend(plan.agent.backend).conversations ? `resume is off for it` : `the ${plan.agent.backend} backend cannot continue a conversation`;
  appendEvent(stateDir, { time: new Date().toISOString(), agent: plan.agent.name, event: 'fresh-start', reason: `${why}: a new conversation begins` });
}

/** how many agents `ao up` starts at once */
const START_CONCURRENCY = 8;

/** `fn` on every item, at most `limit` at a time; the results in the items' order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
