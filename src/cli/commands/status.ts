import type { Project } from '../../config/types.js';
import { readProjectView } from '../../readmodel/view.js';
import type { StatusReport } from '../../supervisor/status.js';
import type { GlobalOptions, Io } from '../io.js';
import { copyStatus, printStatus, projectFromCopy } from '../status-copy.js';

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
  const copy = projectFromCopy(options, io);
  if (copy) return copyStatus(copy);
  const { project, tmux, configError } = (await import('../context.js')).openProjectOrRunning(options, io, quiet);
  const { report } = readProjectView(project, await tmux.snapshot(), { configError });
  return { project, report, configError };
}

/** `ao status`: read-only; one tmux call at most. Exit 3 when an agent that should run does not. */
export async function status(options: StatusOptions, io: Io): Promise<number> {
  return printStatus(await projectStatus(options, io), options, io);
}
