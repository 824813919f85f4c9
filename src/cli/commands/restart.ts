import { emptyRecord, markStarted, updateAgentsState } from '../../state/agents.js';
import { phaseView, readPhaseStateOf } from '../../state/phase.js';
import { deliverKickoff, ensureWatchdog, startSession, watchdogSession } from '../../supervisor/executor.js';
import { WATCHDOG } from '../../supervisor/status.js';
import { launchKeyOf, planLaunch } from '../../supervisor/launch.js';
import { UsageError } from '../../errors.js';
import { bySession } from '../../tmux/snapshot.js';
import { aoEntry, openProject, selectAgents } from '../context.js';
import type { GlobalOptions, Io } from '../io.js';

export interface RestartOptions extends GlobalOptions {
  agent: string;
}

/** `ao restart AGENT`: stop it if it runs, start it with a fresh kickoff, clear a failed state. */
export async function restart(options: RestartOptions, io: Io): Promise<number> {
  const { project, tmux } = openProject(options, io);
  const [agent] = selectAgents(project, [options.agent], () => false);
  if (!agent) throw new UsageError('ao restart needs an agent name');
  const phase = readPhaseStateOf(project);
  const plan = planLaunch(project, agent, phaseView(project, phase), aoEntry(), io.env);
  let existed = false;
  let watchdog = 'running' as 'running' | 'started';
  await updateAgentsState(project.stateDir, async (state) => {
    const panes = bySession(await tmux.snapshot());
    existed = panes.has(agent.session);
    await startSession(tmux, plan, { existing: existed });
    const record = (state.agents[agent.name] ??= emptyRecord());
    markStarted(record, plan.model, new Date(), { phaseGen: phase.generation, launchKey: launchKeyOf(agent) });
    if (existed) record.restarts++;
    if (agent.kind === 'loop') record.iteration++;
    // an agent restarted on a stopped team is healed like any other: the watchdog comes with it
    watchdog = await ensureWatchdog(project, tmux, panes.get(watchdogSession(project)), aoEntry(), io.env);
    const dog = (state.agents[WATCHDOG] ??= emptyRecord());
    if (watchdog === 'started') markStarted(dog, null, new Date());
    dog.up = true;
  });
  if (watchdog === 'started') io.out('watchdog: started\n');
  const kickoff = plan.pasteKickoff ? await deliverKickoff(tmux, plan) : null;
  const pane = bySession(await tmux.snapshot()).get(agent.session);
  if (!pane || pane.dead) {
    io.out(`${agent.name}: exited at once; see \`ao logs ${agent.name}\`\n`);
    return 1;
  }
  io.out(`${agent.name}: ${existed ? 'restarted' : 'started'} (pid ${pane.pid ?? '?'}${kickoff ? `, kickoff ${kickoff}` : ''})\n`);
  return kickoff && kickoff !== 'delivered' ? 1 : 0;
}
