import { readAgentsState } from '../../state/agents.js';
import { readExit } from '../../state/exits.js';
import { readPhaseStateOf } from '../../state/phase.js';
import { readUsage, summarise } from '../../state/usage.js';
import { readConfigError } from '../../supervisor/reload.js';
import { buildStatus, isHealthy } from '../../supervisor/status.js';
import { openProjectOrRunning } from '../context.js';
import { formatStatus, statusJson } from '../format.js';
import type { GlobalOptions, Io } from '../io.js';

export interface StatusOptions extends GlobalOptions {
  json?: boolean;
}

/** `ao status`: read-only; one tmux call at most. Exit 3 when an agent that should run does not. */
export async function status(options: StatusOptions, io: Io): Promise<number> {
  const { project, tmux, configError } = openProjectOrRunning(options, io);
  const panes = await tmux.snapshot();
  const agents = readAgentsState(project.stateDir);
  const dead = new Set(panes.filter((p) => p.dead).map((p) => p.session));
  const exits = Object.fromEntries(
    project.agents.flatMap((a) => {
      const run = agents.agents[a.name]?.runId;
      return dead.has(a.session) && run ? [[a.name, readExit(project.stateDir, a.name, run)]] : [];
    }),
  );
  const report = buildStatus(project, {
    panes,
    // a tmux server lives only while it has a session, so no panes means no server
    server: panes.length > 0,
    agents,
    exits,
    phase: readPhaseStateOf(project),
    now: Date.now(),
    configError: configError ?? readConfigError(project.stateDir)?.message ?? null,
    usage: summarise(readUsage(project.stateDir)),
  });
  io.out(options.json ? `${JSON.stringify(statusJson(report), null, 2)}\n` : formatStatus(report));
  if (configError) return 2;
  return isHealthy(report) ? 0 : 3;
}
