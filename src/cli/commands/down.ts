import { existsSync } from 'node:fs';
import { updateAgentsState } from '../../state/agents.js';
import { WATCHDOG } from '../../supervisor/status.js';
import { bySession } from '../../tmux/snapshot.js';
import { openProject, selectAgents } from '../context.js';
import type { GlobalOptions, Io } from '../io.js';

export interface DownOptions extends GlobalOptions {
  agents: string[];
}

/** `ao down [AGENT...]`: stop this project's sessions, exact names only; the watchdog last. */
export async function down(options: DownOptions, io: Io): Promise<number> {
  const { project, tmux } = openProject(options, io);
  const agents = selectAgents(project, options.agents, () => true);
  const all = options.agents.length === 0;
  const sessions = new Map(agents.map((a) => [a.name, a.session]));
  if (all) sessions.set(WATCHDOG, `${project.sessionPrefix}${WATCHDOG}`);

  const panes = bySession(await tmux.snapshot());
  let stopped = 0;
  for (const [name, session] of sessions) {
    if (!panes.has(session)) continue;
    await tmux.killSession(session);
    stopped++;
    io.out(`${name}: stopped\n`);
  }
  if (stopped === 0) io.out('nothing to stop: no agent of this project is running\n');

  // a project that never ran has no state to update, and down creates none
  if (existsSync(project.stateDir)) {
    await updateAgentsState(project.stateDir, (state) => {
      for (const name of sessions.keys()) {
        const record = state.agents[name];
        if (record) {
          record.up = false;
          record.condition = null;
        }
      }
    });
  }
  return 0;
}
