import { emptyRecord, markStarted, readAgentsState, updateAgentsState } from '../../state/agents.js';
import { phaseView, readPhaseStateOf } from '../../state/phase.js';
import { shellQuote } from '../../tmux/client.js';
import { bySession } from '../../tmux/snapshot.js';
import { deliverKickoff, ensureWatchdog, startSession, watchdogSeen, watchdogSession } from '../../supervisor/executor.js';
import { WATCHDOG } from '../../supervisor/status.js';
import { launchKeyOf, planLaunch, type LaunchPlan } from '../../supervisor/launch.js';
import { aoEntry, openProject, selectAgents } from '../context.js';
import type { GlobalOptions, Io } from '../io.js';

export interface UpOptions extends GlobalOptions {
  agents: string[];
  dryRun?: boolean;
  /** seconds to wait for a pasted kickoff's agent to be ready */
  readyTimeout?: number;
  /** false: start the agents without the watchdog (nothing heals them) */
  watchdog?: boolean;
}

/** `ao up [AGENT...]`: start what is not running; leave running agents alone. */
export async function up(options: UpOptions, io: Io): Promise<number> {
  const { project, tmux } = openProject(options, io);
  // tasks run on demand (`ao run`), so a bare `ao up` leaves them out
  const agents = selectAgents(project, options.agents, (a) => a.enabled && a.kind !== 'task');
  const phase = readPhaseStateOf(project);
  const view = phaseView(project, phase);
  const entry = aoEntry();
  const plans = agents.map((agent) => planLaunch(project, agent, view, entry, io.env));

  if (options.dryRun) {
    for (const plan of plans) io.out(`${tmux.argv(tmux.newSessionArgs(plan.session)).map(shellQuote).join(' ')}\n`);
    return 0;
  }

  if (phase.complete) {
    // the watchdog would stop the loops again at once: say so and start nothing
    io.out(`the project is complete (all ${project.phases.length} phases passed): nothing to start; \`ao phase set ID\` goes back to a phase\n`);
    return 0;
  }

  const started: LaunchPlan[] = [];
  let watchdog = 'off' as 'running' | 'started' | 'off';
  // the whole start runs under the state lock: concurrent `ao up`s and the watchdog take turns
  await updateAgentsState(project.stateDir, async (state) => {
    const panes = bySession(await tmux.snapshot());
    const now = new Date();
    for (const plan of plans) {
      const pane = panes.get(plan.session.name);
      const record = (state.agents[plan.agent.name] ??= emptyRecord());
      record.up = true;
      if (pane && !pane.dead) {
        io.out(`${plan.agent.name}: already running (pid ${pane.pid ?? '?'})\n`);
        continue;
      }
      await startSession(tmux, plan, { existing: Boolean(pane) });
      markStarted(record, plan.model, now, { phaseGen: phase.generation, launchKey: launchKeyOf(plan.agent) });
      if (plan.agent.kind === 'loop') record.iteration += 1;
      started.push(plan);
    }
    if (options.watchdog !== false) {
      watchdog = await ensureWatchdog(project, tmux, panes.get(watchdogSession(project)), entry, io.env);
      const record = (state.agents[WATCHDOG] ??= emptyRecord());
      if (watchdog === 'started') markStarted(record, null, now);
      record.up = true;
    }
  });
  // started means seen running (it took its lock), not a pane that may have died at once
  const seen = watchdog === 'started' ? await watchdogSeen(project, tmux, 10_000) : null;
  const watchdogDown = seen === 'not-seen';
  if (seen) io.out(`watchdog: ${seen === 'running' ? 'started' : seen === 'gone' ? 'stopped meanwhile by `ao down`' : 'did not start; see state/logs/watchdog-pane.log (its parent keeps trying)'}\n`);

  const after = bySession(await tmux.snapshot());
  const pastes = started.filter((p) => p.pasteKickoff);
  if (pastes.length > 0) io.err(`waiting for ${pastes.map((p) => p.agent.name).join(', ')} to be ready for the kickoff…\n`);
  const delivered = await Promise.all(pastes.map((p) => deliverKickoff(tmux, p, (options.readyTimeout ?? 60) * 1000)));

  let failures = 0;
  for (const plan of started) {
    const pane = after.get(plan.session.name);
    const i = pastes.indexOf(plan);
    const kickoff = i >= 0 ? delivered[i] : null;
    if (pane?.dead && pane.deadStatus === 0 && plan.agent.kind === 'task') {
      io.out(`${plan.agent.name}: ran and finished (exit 0)\n`);
      continue;
    }
    // remain-on-exit keeps a pane that exits at once: a missing one was stopped (a racing `ao down`)
    if (!pane) {
      io.out(`${plan.agent.name}: stopped meanwhile${readAgentsState(project.stateDir).agents[plan.agent.name]?.up === false ? ' by `ao down`' : ''}\n`);
      continue;
    }
    if (!pane || pane.dead) {
      failures++;
      io.out(`${plan.agent.name}: exited at once${pane?.deadStatus != null ? ` (exit ${pane.deadStatus})` : ''}; see \`ao logs ${plan.agent.name}\`\n`);
      continue;
    }
    const note = kickoff === 'delivered' ? ', kickoff pasted' : kickoff ? `, kickoff ${kickoff === 'not-ready' ? 'not delivered: screen never ready' : 'pasted but not submitted'}` : '';
    if (kickoff && kickoff !== 'delivered') failures++;
    io.out(`${plan.agent.name}: started (pid ${pane.pid ?? '?'}, model ${plan.model ?? '-'}${note})\n`);
  }
  if (started.length === 0 && plans.length > 0) io.out('nothing to start: every agent is running\n');
  return failures > 0 || watchdogDown ? 1 : 0;
}
