import { cachedProject } from '../../config/cache.js';
import { findConfig } from '../../config/find.js';
import type { Project } from '../../config/types.js';
import { readProjectView } from '../../readmodel/view.js';
import { isHealthy, type StatusReport } from '../../supervisor/status.js';
import { Tmux } from '../../tmux/client.js';
import { formatStatus, statusJson } from '../format.js';
import type { GlobalOptions, Io } from '../io.js';

export interface StatusOptions extends GlobalOptions {
  json?: boolean;
}

export interface ProjectStatus {
  project: Project;
  report: StatusReport;
  /** agents.toml does not validate (the report is of the config the watchdog still runs) */
  configError: string | null;
}

/** What `ao status` shows of a project, from one tmux snapshot (`quiet`: a config error is not printed). */
export async function projectStatus(options: GlobalOptions, io: Io, quiet = false): Promise<ProjectStatus> {
  // the copy `ao up` or the watchdog keeps of this very agents.toml; else the loader (and its errors), loaded only then
  const cached = fromCache(options, io);
  const { project, tmux, configError } = cached
    ? { project: cached, tmux: new Tmux(cached.tmuxSocket), configError: null }
    : (await import('../context.js')).openProjectOrRunning(options, io, quiet);
  const { report } = readProjectView(project, await tmux.snapshot(), { configError });
  return { project, report, configError };
}

/** 0 healthy, 2 a config error, 3 an agent that should run does not. */
export const statusExit = ({ report, configError }: Pick<ProjectStatus, 'report' | 'configError'>): number => (configError ? 2 : isHealthy(report) ? 0 : 3);

/** `ao status`: read-only; one tmux call at most. Exit 3 when an agent that should run does not. */
export async function status(options: StatusOptions, io: Io): Promise<number> {
  const seen = await projectStatus(options, io);
  io.out(options.json ? `${JSON.stringify(statusJson(seen.report), null, 2)}\n` : formatStatus(seen.report, seen.project.tmuxSocket));
  return statusExit(seen);
}

function fromCache(options: GlobalOptions, io: Io): Project | null {
  try {
    return cachedProject(findConfig({ config: options.config, cwd: io.cwd, env: io.env }), io.env);
  } catch {
    // no usable agents.toml: the loader says why
    return null;
  }
}
