import { emptyRecord, markStarted, updateAgentsState } from '../../state/agents.js';
import { phaseView, readPhaseStateOf } from '../../state/phase.js';
import { ensureWatchdog, watchdogSession } from '../../supervisor/sessions.js';
import { WATCHDOG } from '../../supervisor/status.js';
import { startAgent, type StartOutcome } from '../../supervisor/start.js';
import { RuntimeError, UsageError } from '../../errors.js';
import { bySession, foreignNote, ownSessions } from '../../tmux/snapshot.js';
import { appendEvent } from '../../state/events.js';
import { callerName, findCaller, refuseInSandbox } from '../caller.js';
import { aoEntry, eventSink, openProject, selectAgents } from '../context.js';
import { watchKickoffs } from '../kickoffs.js';
import type { GlobalOptions, Io } from '../io.js';

export interface RestartOptions extends GlobalOptions {
  agent: string;
  /** begin a new conversation instead of continuing the recorded one */
  fresh?: boolean;
}

/** `ao restart AGENT`: stop it if it runs, start it with a fresh kickoff, clear a failed state. */
export async function restart(options: RestartOptions, io: Io): Promise<number> {
  refuseInSandbox(io.env, 'ao restart');
  const { project, tmux } = openProject(options, io);
  const [agent] = selectAgents(project, [options.agent], () => false);
  if (!agent) throw new UsageError('ao restart needs an agent name');
  const phase = readPhaseStateOf(project);
  let existed = false;
  let watchdog = 'running' as 'running' | 'started';
  let outcome = { ok: false, error: 'not tried' } as StartOutcome;
  await updateAgentsState(project.stateDir, async (state) => {
    const all = await tmux.snapshot();
    // who asked: the maintainer, or the agent from whose pane this runs (src/cli/caller.ts)
    const by = callerName(await findCaller(project, tmux, io.env, all));
    const { own, foreign } = ownSessions(all, project.configFile);
    const other = foreign.get(agent.session);
    if (other) throw new RuntimeError(`${agent.name}: session ${agent.session} ${foreignNote(other)}; left alone`);
    const pane = own.get(agent.session);
    existed = pane !== undefined;
    const record = (state.agents[agent.name] ??= emptyRecord());
    record.up = true;
    const ctx = {
      project,
      tmux,
      view: phaseView(project, phase),
      generation: phase.generation,
      aoEntry: aoEntry(),
      env: io.env,
      now: Date.now(),
      event: eventSink(project),
    };
    // a new conversation with --fresh, else the recorded one is continued
    outcome = await startAgent(ctx, agent, record, { by: 'hand', restart: existed, pane, ...(options.fresh ? { conversation: null } : {}) });
    if (outcome.ok)
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
  // a start that could not be made is marked `error` on its record: the watchdog tries it again
  if (!outcome.ok) {
    io.out(`${agent.name}: not started: ${outcome.error}; the watchdog tries it again\n`);
    return 1;
  }
  const plan = outcome.run;
  const pane = ownSessions(await tmux.snapshot(), project.configFile).own.get(agent.session);
  const kickoff = plan.pasteKickoff && pane && !pane.dead ? (await watchKickoffs(project, tmux, [plan], 4000, io)).get(agent.name) : undefined;
  if (!pane || pane.dead) {
    io.out(`${agent.name}: exited at once; see \`ao logs ${agent.name}\`\n`);
    return 1;
  }
  io.out(`${agent.name}: ${existed ? 'restarted' : 'started'} (pid ${pane.pid ?? '?'}${kickoff?.inline ?? ''})${kickoff?.after ?? ''}\n`);
  return kickoff?.failed ? 1 : 0;
}
