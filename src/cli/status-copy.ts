// The entry of dist/status.cjs (scripts/build.mjs), which bin/ao asks first: a plain
// `ao status`, which scripts and prompts run all day, answered from the project's
// validated copy. CommonJS, because node's CommonJS loader has a command running
// about 10 ms sooner than its ESM loader (docs/PERFORMANCE.md). It imports nothing
// of the config loader: a copy that misses, and every other command, belong to the
// ESM build (dist/ao.js).
import { cachedProject } from '../config/cache.js';
import { findConfig } from '../config/find.js';
import type { Project } from '../config/types.js';
import { readProjectView } from '../readmodel/view.js';
import { isHealthy } from '../supervisor/status.js';
import { Tmux } from '../tmux/client.js';
import { syncRunner } from '../process/run.js';
import type { ProjectStatus, StatusOptions } from './commands/status.js';
import { plainStatus } from './fast.js';
import { formatStatus, statusJson } from './format.js';
import { processIo, type GlobalOptions, type Io } from './io.js';
import { reportError } from './report.js';
import { jsonText } from '../text/safe.js';
import { ledgerHead } from '../state/ledger.js';

/** The copy `ao up` or the watchdog keeps of this very agents.toml, or null (no usable agents.toml: the loader says why). */
export function projectFromCopy(options: GlobalOptions, io: Io): Project | null {
  try {
    return cachedProject(findConfig({ config: options.config, cwd: io.cwd, env: io.env }), io.env);
  } catch {
    return null;
  }
}

/** What `ao status` shows of the copy's project, from one tmux snapshot. */
export async function copyStatus(project: Project): Promise<ProjectStatus> {
  // one question to tmux and then the exit: a synchronous spawn sets up no streams
  const snapshot = await new Tmux(project.tmuxSocket, syncRunner).snapshot();
  return { project, report: readProjectView(project, snapshot, { configError: null }).report, configError: null };
}

/**
 * Prints a status as `ao status [--json]` does; returns its exit code: 0 healthy, 2 a config error, 3 an agent that
 * should run does not. Inside an agent's sandbox (AO_SANDBOX) tmux is out of reach: no agent is judged, and it says so.
 */
export function printStatus(seen: ProjectStatus, options: StatusOptions, io: Io): number {
  const sandbox = !seen.report.server ? io.env.AO_SANDBOX?.trim() || null : null;
  // the ledger's head: a witness outside the state folder for `ao verify --head` (one small read of ledger-head.json)
  io.out(
    options.json
      ? `${jsonText({ ...statusJson(seen.report), ledger: ledgerHead(seen.project.stateDir) }, 2)}\n`
      : formatStatus(seen.report, seen.project.tmuxSocket, sandbox),
  );
  return seen.configError ? 2 : sandbox || isHealthy(seen.report) ? 0 : 3;
}

/** The exit code to come, or null (nothing printed) when this is not a plain `ao status` that the copy answers. */
export function statusFromCopy(argv: readonly string[]): Promise<number> | null {
  const options = plainStatus(argv);
  if (!options) return null;
  const io = processIo();
  const project = projectFromCopy(options, io);
  if (!project) return null;
  return copyStatus(project).then(
    (seen) => printStatus(seen, options, io),
    (error: unknown) => reportError(error, io),
  );
}
