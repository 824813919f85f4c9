import { dirname, join } from 'node:path';
import { findConfig } from '../../config/load.js';
import type { Project } from '../../config/types.js';
import { ConfigError } from '../../errors.js';
import { readAgentsState } from '../../state/agents.js';
import { readPhaseState } from '../../state/phase.js';
import { readConfigError, readRunningProject } from '../../supervisor/reload.js';
import { buildStatus, isHealthy } from '../../supervisor/status.js';
import { Tmux } from '../../tmux/client.js';
import { openProject } from '../context.js';
import { formatStatus, statusJson } from '../format.js';
import type { GlobalOptions, Io } from '../io.js';

export interface StatusOptions extends GlobalOptions {
  json?: boolean;
}

/** `ao status`: read-only; one tmux call at most. Exit 3 when an agent that should run does not. */
export async function status(options: StatusOptions, io: Io): Promise<number> {
  let project: Project;
  let configError: string | null = null;
  try {
    project = openProject(options, io).project;
  } catch (error) {
    // agents.toml broken while a team runs: show the error, and the team the watchdog still runs
    if (!(error instanceof ConfigError)) throw error;
    const running = readRunningProject(join(dirname(findConfig({ config: options.config, cwd: io.cwd, env: io.env })), 'state'));
    if (!running) throw error;
    io.err(`ao: config error\n${error.format(io.cwd)}\n`);
    project = running;
    configError = error.format(running.dir);
  }
  const tmux = new Tmux(project.tmuxSocket);
  const panes = await tmux.snapshot();
  const report = buildStatus(project, {
    panes,
    // a tmux server lives only while it has a session, so no panes means no server
    server: panes.length > 0,
    agents: readAgentsState(project.stateDir),
    phase: readPhaseState(project.stateDir),
    now: Date.now(),
    configError: configError ?? readConfigError(project.stateDir)?.message ?? null,
  });
  io.out(options.json ? `${JSON.stringify(statusJson(report), null, 2)}\n` : formatStatus(report));
  if (configError) return 2;
  return isHealthy(report) ? 0 : 3;
}
