import { emptyRecord, markStarted, readAgentsState, updateAgentsState } from '../../state/agents.js';
import { phaseView, readPhaseStateOf } from '../../state/phase.js';
import { ensureWatchdog, startSession, watchdogSession } from '../../supervisor/executor.js';
import { WATCHDOG } from '../../supervisor/status.js';
import { logOffset } from '../../supervisor/read-trouble.js';
import { launchKeyOf } from '../../state/secrets.js';
import { planLaunch } from '../../supervisor/launch.js';
import { RuntimeError, UsageError } from '../../errors.js';
import { bySession, foreignNote, ownSessions } from '../../tmux/snapshot.js';
import { appendEvent } from '../../state/events.js';
import { callerName, findCaller } from '../caller.js';
import { aoEntry, openProject, selectAgents } from '../context.js';
import { watchKickoffs } from '../kickoffs.js';
import type { GlobalOptions, Io } from '../io.js';
import { prepareWorkspace } from '../../workspace/worktree.js';

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
  const recorded = readAgentsState(project.stateDir).agents[agent.name];
  const kept = options.fresh ? null : recorded?.sessionId;
  // the fallback model's breaker is the provider's state, not the agent's: a start by hand keeps it
  const plan = planLaunch(project, agent, phaseView(project, phase), aoEntry(), io.env, kept, recorded?.fallback);
  let existed = false;
  let watchdog = 'running' as 'running' | 'started';
  await updateAgentsState(project.stateDir, async (state) => {
    const all = await tmux.snapshot();
    // who asked: the maintainer, or the agent from whose pane this runs (src/cli/caller.ts)
    const by = callerName(await findCaller(project, tmux, io.env, all));
    const { own, foreign } = ownSessions(all, project.configFile);
    const other = foreign.get(agent.session);
    if (other) throw new RuntimeError(`${agent.name}: session ${agent.session} ${foreignNote(other)}; left alone`);
    const pane = own.get(agent.session);
    existed = pane !== undefined;
    await prepareWorkspace(project, agent); // its own worktree made or checked: a broken one fails the restart (src/workspace/)
    await startSession(tmux, plan, { pane, previousRun: state.agents[agent.name]?.runId });
    const record = (state.agents[agent.name] ??= emptyRecord());
    markStarted(record, {
      at: Date.now(),
      model: plan.model,
      by: 'hand',
      launch: { kind: agent.kind, phaseGen: phase.generation, launchKey: launchKeyOf(agent), pasteKickoff: plan.pasteKickoff },
      restart: existed,
      run: { runId: plan.runId, conversation: plan.conversation, logOffset: logOffset(project, agent.name) },
    });
    appendEvent(project.stateDir, {
      time: new Date().toISOString(),
      agent: agent.name,
      event: existed ? 'restart' : 'started',
      reason: `ao restart by ${by}`,
      details: { iteration: record.iteration, restarts: record.restarts, by },
    });
    // an agent restarted on a stopped team is healed like any other: the watchdog comes with it
    const started = await ensureWatchdog(project, tmux, bySession(all).get(watchdogSession(project)), aoEntry(), io.env);
    if (started === 'foreign') throw new RuntimeError(`watchdog: session ${watchdogSession(project)} belongs to another project; left alone`);
    watchdog = started;
    const dog = (state.agents[WATCHDOG] ??= emptyRecord());
    if (watchdog === 'started') markStarted(dog, { at: Date.now(), model: null, by: 'hand' });
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
