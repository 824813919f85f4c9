import { emptyRecord, markStarted, readAgentsState, updateAgentsState } from '../../state/agents.js';
import { phaseView, readPhaseStateOf } from '../../state/phase.js';
import { ensureWatchdog, startSession, watchdogSession } from '../../supervisor/executor.js';
import { WATCHDOG } from '../../supervisor/status.js';
import { logOffset } from '../../supervisor/read-trouble.js';
import { launchKeyOf, planLaunch, recordConversation } from '../../supervisor/launch.js';
import { RuntimeError, UsageError } from '../../errors.js';
import { bySession, foreignNote, ownSessions } from '../../tmux/snapshot.js';
import { aoEntry, openProject, selectAgents } from '../context.js';
import { watchKickoffs } from '../kickoffs.js';
import type { GlobalOptions, Io } from '../io.js';

export interface RestartOptions extends GlobalOptions {
  agent: string;
  /** begin a new conversation instead of continuing the recorded one */
  fresh?: boolean;
}

/** `ao restart AGENT`: stop it if it runs, start it with a fresh kickoff, clear a failed state. */
export async function restart(options: RestartOptions, io: Io): Promise<number> {
  const { project, tmux } = openProject(options, io);
  const [agent] = selectAgents(project, [options.agent], () => false);
  if (!agent) throw new UsageError('ao restart needs an agent name');
  const phase = readPhaseStateOf(project);
  const kept = options.fresh ? null : readAgentsState(project.stateDir).agents[agent.name]?.sessionId;
  const plan = planLaunch(project, agent, phaseView(project, phase), aoEntry(), io.env, kept);
  let existed = false;
  let watchdog = 'running' as 'running' | 'started';
  await updateAgentsState(project.stateDir, async (state) => {
    const all = await tmux.snapshot();
    const { own, foreign } = ownSessions(all, project.configFile);
    const other = foreign.get(agent.session);
    if (other) throw new RuntimeError(`${agent.name}: session ${agent.session} ${foreignNote(other)}; left alone`);
    const pane = own.get(agent.session);
    existed = pane !== undefined;
    await startSession(tmux, plan, { pane, previousRun: state.agents[agent.name]?.runId });
    const record = (state.agents[agent.name] ??= emptyRecord());
    const now = new Date();
    const samePhase = record.phaseGen === phase.generation;
    markStarted(record, plan.model, now, { phaseGen: phase.generation, launchKey: launchKeyOf(agent), runId: plan.runId });
    if (agent.kind === 'loop') record.phaseIterations = samePhase ? (record.phaseIterations ?? 0) + 1 : 1;
    record.pending = plan.pasteKickoff ? { what: 'kickoff', since: now.getTime() } : null;
    record.logOffset = logOffset(project, agent.name);
    recordConversation(record, plan);
    if (existed) record.restarts++;
    if (agent.kind === 'loop') record.iteration++;
    // an agent restarted on a stopped team is healed like any other: the watchdog comes with it
    const started = await ensureWatchdog(project, tmux, bySession(all).get(watchdogSession(project)), aoEntry(), io.env);
    if (started === 'foreign') throw new RuntimeError(`watchdog: session ${watchdogSession(project)} belongs to another project; left alone`);
    watchdog = started;
    const dog = (state.agents[WATCHDOG] ??= emptyRecord());
    if (watchdog === 'started') markStarted(dog, null, new Date());
    dog.up = true;
  });
  if (watchdog === 'started') io.out('watchdog: started\n');
  const pane = ownSessions(await tmux.snapshot(), project.configFile).own.get(agent.session);
  const kickoff = plan.pasteKickoff && pane && !pane.dead ? (await watchKickoffs(project, tmux, [plan], 4000, io)).get(agent.name) : undefined;
  if (!pane || pane.dead) {
    io.out(`${agent.name}: exited at once; see \`ao logs ${agent.name}\`\n`);
    return 1;
  }
  io.out(`${agent.name}: ${existed ? 'restarted' : 'started'} (pid ${pane.pid ?? '?'}${kickoff?.inline ?? ''})${kickoff?.after ?? ''}\n`);
  return kickoff?.failed ? 1 : 0;
}
