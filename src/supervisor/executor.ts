import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Project } from '../config/types.js';
import { writeTextAtomic } from '../state/files.js';
import type { SessionSpec, Tmux } from '../tmux/client.js';
import type { PaneInfo } from '../tmux/snapshot.js';
import { passedEnv, type LaunchPlan } from './launch.js';
import { endProcessGroup, stopSession } from './stop.js';

/**
 * Writes the kickoff, then starts the agent as its pane's own program. An
 * existing session (`pane`) is respawned in place (its log pipe and hook
 * stay), or killed and created anew; either way nothing of its old process
 * group outlives it.
 */
export async function startSession(tmux: Tmux, plan: LaunchPlan, how: { pane?: PaneInfo | undefined; respawn?: boolean }): Promise<void> {
  await writeTextAtomic(plan.kickoffFile, plan.kickoffText);
  if (plan.session.logFile) mkdirSync(dirname(plan.session.logFile), { recursive: true });
  const existing = how.pane !== undefined;
  if (how.pane?.pid) await endProcessGroup(how.pane.pid, !how.pane.dead);
  const exits = plan.session.env.AO_EXIT_FILE;
  if (exits) mkdirSync(dirname(exits), { recursive: true }); // the launcher writes its record there
  if (existing && how.respawn) {
    try {
      await tmux.respawn(plan.session);
      return;
    } catch {
      // the session went away meanwhile: create it
    }
  }
  if (existing) await tmux.killSession(plan.session.name);
  await tmux.newSession(plan.session);
}

export const watchdogSession = (project: Project): string => `${project.sessionPrefix}watchdog`;
/** what the watchdog's pane prints (its own lines; its pino log is logs/watchdog.log) */
export const watchdogLogFile = (project: Project): string => join(project.stateDir, 'logs', 'watchdog-pane.log');

/** The watchdog's own session: `ao watchdog` as the pane's program. */
export function watchdogSpec(project: Project, entry: string, env: NodeJS.ProcessEnv): SessionSpec {
  return {
    name: watchdogSession(project),
    owner: project.configFile,
    cwd: project.dir,
    argv: [process.execPath, entry, 'watchdog', '-c', project.configFile],
    logFile: watchdogLogFile(project),
    // the agents it heals get the environment of the `ao up` that started it
    env: { ...passedEnv(env), AO_TMUX_SOCKET: project.tmuxSocket, AO_CONFIG: project.configFile },
  };
}

/** Starts the watchdog unless it runs; a dead watchdog pane is replaced; a session of another owner with its name is left alone. */
export async function ensureWatchdog(project: Project, tmux: Tmux, pane: PaneInfo | undefined, entry: string, env: NodeJS.ProcessEnv): Promise<'running' | 'started' | 'foreign'> {
  if (pane && pane.owner !== project.configFile) return 'foreign';
  if (pane && !pane.dead) return 'running';
  const spec = watchdogSpec(project, entry, env);
  mkdirSync(join(project.stateDir, 'logs'), { recursive: true });
  if (pane) await stopSession(tmux, spec.name, pane);
  await tmux.newSession(spec);
  return 'started';
}
