import { existsSync } from 'node:fs';
import { refuseInSandbox } from '../caller.js';
import { updateAgentsState } from '../../state/agents.js';
import { fileIdentity, removeEnvFileIf, watchdogEnvFile } from '../../state/env-file.js';
import { watchdogSession } from '../../supervisor/sessions.js';
import { WATCHDOG } from '../../supervisor/status.js';
import { stopSession } from '../../supervisor/stop.js';
import { bySession, foreignNote, ownSessions } from '../../tmux/snapshot.js';
import { openProjectOrRunning, selectAgents } from '../context.js';
import type { GlobalOptions, Io } from '../io.js';
import { CLEAR } from '../../state/lifecycle.js';

export interface DownOptions extends GlobalOptions {
  agents: string[];
}

/** `ao down [AGENT...]`: stop this project's sessions, exact names only; the watchdog last. */
export async function down(options: DownOptions, io: Io): Promise<number> {
  refuseInSandbox(io.env, 'ao down');
  const { project, tmux } = openProjectOrRunning(options, io);
  const agents = selectAgents(project, options.agents, () => true);
  const all = options.agents.length === 0;
  let stopped = 0;

  /** `runs`: each agent's last run id, so what its run left outside its process group is ended too */
  const stopAgents = async (runs: Record<string, string | undefined> = {}): Promise<void> => {
    const { own: panes, foreign } = ownSessions(await tmux.snapshot(), project.configFile);
    for (const agent of agents) {
      const other = foreign.get(agent.session);
      if (other) io.out(`${agent.name}: session ${agent.session} ${foreignNote(other)}; left alone\n`);
    }
    // at once: each may take its grace time to end what ignores SIGTERM
    const ends = await Promise.all(
      agents.map(async (agent) => (panes.has(agent.session) ? stopSession(tmux, agent.session, panes.get(agent.session), runs[agent.name]) : null)),
    );
    agents.forEach((agent, i) => {
      const end = ends[i];
      if (end === null || end === undefined) return;
      stopped++;
      io.out(`${agent.name}: stopped${end === 'killed' ? ' (it ignored SIGTERM: killed)' : ''}\n`);
    });
  };

  if (existsSync(project.stateDir)) {
    // under the state lock: the watchdog cannot restart what is being stopped
    await updateAgentsState(project.stateDir, async (state) => {
      for (const name of [...agents.map((a) => a.name), ...(all ? [WATCHDOG] : [])]) {
        const record = state.agents[name];
        if (record) {
          record.up = false;
          record.life = CLEAR;
        }
      }
      await stopAgents(Object.fromEntries(agents.map((a) => [a.name, state.agents[a.name]?.runId])));
    });
  } else {
    // a project that never ran has no state to update, and down creates none
    await stopAgents();
  }

  const dog = all ? bySession(await tmux.snapshot()).get(watchdogSession(project)) : undefined;
  if (dog && dog.owner !== project.configFile) io.out(`watchdog: session ${watchdogSession(project)} ${foreignNote(dog)}; left alone\n`);
  else if (dog) {
    // its pane-died hook would respawn what is being stopped on purpose: gone first
    const envFile = watchdogEnvFile(project.stateDir, io.env);
    const kept = fileIdentity(envFile);
    await tmux.unhook(watchdogSession(project));
    await stopSession(tmux, watchdogSession(project), dog);
    // the file of the watchdog stopped here, not the one a racing `ao up` wrote meanwhile for its new watchdog
    removeEnvFileIf(envFile, kept);
    stopped++;
    io.out('watchdog: stopped\n');
  }
  if (stopped === 0) io.out('nothing to stop: no agent of this project is running\n');
  return 0;
}
