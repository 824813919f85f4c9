import { readProjectView } from '../../readmodel/view.js';
import { isHealthy } from '../../supervisor/status.js';
import { openProjectOrRunning } from '../context.js';
import { formatStatus, statusJson } from '../format.js';
import type { GlobalOptions, Io } from '../io.js';

export interface StatusOptions extends GlobalOptions {
  json?: boolean;
}

/** `ao status`: read-only; one tmux call at most. Exit 3 when an agent that should run does not. */
export async function status(options: StatusOptions, io: Io): Promise<number> {
  const { project, tmux, configError } = openProjectOrRunning(options, io);
  const { report } = readProjectView(project, await tmux.snapshot(), { configError });
  io.out(options.json ? `${JSON.stringify(statusJson(report), null, 2)}\n` : formatStatus(report, project.tmuxSocket));
  if (configError) return 2;
  return isHealthy(report) ? 0 : 3;
}
