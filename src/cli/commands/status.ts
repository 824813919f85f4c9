import { cachedProject } from '../../config/cache.js';
import { findConfig } from '../../config/find.js';
import type { Project } from '../../config/types.js';
import { readProjectView } from '../../readmodel/view.js';
import { isHealthy } from '../../supervisor/status.js';
import { Tmux } from '../../tmux/client.js';
import { formatStatus, statusJson } from '../format.js';
import type { GlobalOptions, Io } from '../io.js';

export interface StatusOptions extends GlobalOptions {
  json?: boolean;
}

/** `ao status`: read-only; one tmux call at most. Exit 3 when an agent that should run does not. */
export async function status(options: StatusOptions, io: Io): Promise<number> {
  // the copy `ao up` or the watchdog keeps of this very agents.toml; else the loader (and its errors), loaded only then
  const cached = fromCache(options, io);
  const { project, tmux, configError } = cached
    ? { project: cached, tmux: new Tmux(cached.tmuxSocket), configError: null }
    : (await import('../context.js')).openProjectOrRunning(options, io);
  const { report } = readProjectView(project, await tmux.snapshot(), { configError });
  io.out(options.json ? `${JSON.stringify(statusJson(report), null, 2)}\n` : formatStatus(report, project.tmuxSocket));
  if (configError) return 2;
  return isHealthy(report) ? 0 : 3;
}

function fromCache(options: StatusOptions, io: Io): Project | null {
  try {
    return cachedProject(findConfig({ config: options.config, cwd: io.cwd, env: io.env }), io.env);
  } catch {
    // no usable agents.toml: the loader says why
    return null;
  }
}
