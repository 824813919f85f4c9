import { setTimeout as sleep } from 'node:timers/promises';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Project } from '../config/types.js';
import { writeTextAtomic } from '../state/files.js';
import { createOwn, ensureDir, isBadFile, readTextCapped } from '../state/safe-fs.js';
import { holderAlive, readHolder } from '../state/pidlock.js';
import type { SessionSpec, Tmux } from '../tmux/client.js';
import type { PaneInfo } from '../tmux/snapshot.js';
import { watchdogEnv } from '../config/pass-env.js';
import { removeEnvFile, rewriteEnvFile, watchdogEnvFile, writeEnvFile } from '../state/env-file.js';
import { prefixOverride, viaEnvFile, type LaunchPlan } from './launch.js';
import { endProcessGroup, endRun, stopSession } from './stop.js';
import { layout } from '../state/layout.js';

/**
 * Writes the kickoff, then starts the agent as its pane's own program. An
 * existing session (`pane`) is respawned in place (its log pipe and hook
 * stay), or killed and created anew; either way nothing of its old process
 * group outlives it.
 */
export async function startSession(
  tmux: Tmux,
  plan: LaunchPlan,
  how: { pane?: PaneInfo | undefined; respawn?: boolean; previousRun?: string | null | undefined },
): Promise<void> {
  // a heal usually renders the same kickoff again: an unchanged file is not rewritten (no fsync on the heal's path)
  if (readTextOrNull(plan.kickoffFile) !== plan.kickoffText) await writeTextAtomic(plan.kickoffFile, plan.kickoffText);
  if (plan.session.logFile) ownLog(plan.session.logFile);
  const existing = how.pane !== undefined;
  if (how.pane?.pid) await endProcessGroup(how.pane.pid, !how.pane.dead);
  const exits = plan.env.AO_EXIT_FILE;
  if (exits) ensureDir(dirname(exits)); // the launcher writes its record there
  try {
    await withEnvFile(plan, async () => {
      if (existing && how.respawn) {
        try {
          await tmux.respawn(plan.session);
          return;
        } catch {
          // the session went away meanwhile: create it
        }
      }
      if (existing) await tmux.killSession(plan.session.name);
      // a second try (the server ended under the first) needs its own file: the first's launcher may have read and removed it
      await tmux.newSession(plan.session, () => rewriteEnvFile(plan.envFile, plan.env));
    });
  } finally {
    // what the previous run left outside its group (a detached daemon) is ended once the new run is
    // on its way, in the background: the scan of /proc is not on a heal's path, and the new run
    // carries another run id, so nothing of it is touched
    if (how.previousRun) void endRun(how.previousRun).catch(() => undefined);
  }
}

/** What a pane's start needs beside its session: the environment its launcher reads from envFile. */
export interface PaneEnv {
  env: Record<string, string>;
  envFile: string;
  /** the file is read again by a respawn of the pane (the watchdog's), so it is written anew, not created once */
  kept?: boolean;
}

/**
 * Writes the environment file, then starts the pane; a start that fails
 * removes the file (no launcher will read it).
 */
async function withEnvFile(pane: PaneEnv, start: () => Promise<void>): Promise<void> {
  if (pane.kept) rewriteEnvFile(pane.envFile, pane.env);
  else writeEnvFile(pane.envFile, pane.env);
  try {
    await start();
  } catch (error) {
    removeEnvFile(pane.envFile);
    throw error;
  }
}

function readTextOrNull(file: string): string | null {
  try {
    return readTextCapped(file);
  } catch {
    return null; // a link or a FIFO planted there: the atomic write replaces it
  }
}

/** The pane log tmux's pipe appends to is ao's own file (0600), made before the pipe opens it; the pipe refuses a link (tmux/client.ts). */
function ownLog(file: string): void {
  ensureDir(dirname(file));
  try {
    createOwn(file);
  } catch (error) {
    if (!isBadFile(error)) throw error;
    // a link or a FIFO planted as the log (reported once): removed itself, never followed, and the agent starts
    rmSync(file);
    createOwn(file);
  }
}

export const watchdogSession = (project: Project): string => `${project.sessionPrefix}watchdog`;
/** what the watchdog's pane prints (its own lines; its pino log is logs/watchdog.log) */

/** What tmux adds to the environment of a watchdog pane it respawned (its pane-died hook). */
export const WATCHDOG_RESPAWN_MARK = 'AO_WATCHDOG_RESPAWNED=1';

/**
 * The watchdog's parent, a few hundred kB of sh rather than a second node:
 * it runs `ao watchdog` again whenever it dies (kill -9, a crash), after a
 * backoff that doubles from 1 s to 60 s while it keeps dying within a minute
 * of its start. Exit 0 is a stop on purpose (a signal, another watchdog runs).
 * The new watchdog reports the death (AO_WATCHDOG_RESTART). This sh is itself
 * supervised by tmux: its session's pane-died hook respawns the pane if it
 * dies, and a respawned sh waits a second first, so that a pane that dies at
 * once cannot make tmux, which has no backoff, spin.
 */
export const WATCHDOG_SUPERVISOR = [
  'delay=1; fails=0',
  'if [ -n "$AO_WATCHDOG_RESPAWNED" ]; then',
  '  echo "ao: the watchdog\'s supervisor died; tmux respawned its pane"',
  '  sleep 1',
  '  export AO_WATCHDOG_RESTART="its sh supervisor died and tmux respawned the pane"',
  'fi',
  'while :; do',
  '  start=$(date +%s); "$@"; rc=$?',
  '  [ "$rc" -eq 0 ] && exit 0',
  '  ran=$(( $(date +%s) - start ))',
  '  if [ "$ran" -ge 60 ]; then delay=1; fails=0; fi',
  '  fails=$((fails + 1))',
  '  echo "ao: the watchdog exited ($rc) after ${ran}s; starting it again in ${delay}s"',
  '  sleep "$delay"',
  '  export AO_WATCHDOG_RESTART="exit $rc after ${ran}s, $fails in a row, waited ${delay}s"',
  '  delay=$((delay * 2)); [ "$delay" -gt 60 ] && delay=60',
  'done',
].join('\n');

/** The watchdog's own session: `ao watchdog` under its sh parent as the pane's program. */
export function watchdogSpec(project: Project, entry: string, env: NodeJS.ProcessEnv): PaneEnv & { session: SessionSpec } {
  // kept for tmux's respawn of the pane (outside the state folder: env-file.ts)
  const envFile = watchdogEnvFile(project.stateDir, env);
  return {
    session: {
      name: watchdogSession(project),
      owner: project.configFile,
      cwd: project.dir,
      argv: viaEnvFile(['sh', '-c', WATCHDOG_SUPERVISOR, 'ao-watchdog', process.execPath, entry, 'watchdog', '-c', project.configFile], envFile, {
        keep: true,
      }),
      logFile: layout.watchdogPaneLog(project.stateDir),
      respawnOnCrash: WATCHDOG_RESPAWN_MARK,
    },
    envFile,
    kept: true,
    // the agents it heals get the allow-listed part of the environment of the `ao up` that started it
    // (its pane starts from this file alone: nothing of the tmux server's environment, no agent's identity)
    env: {
      ...watchdogEnv(env),
      AO_TMUX_SOCKET: project.tmuxSocket,
      ...prefixOverride(project, env),
      AO_CONFIG: project.configFile,
      // how it asks tmux (a control client, or a process per question for comparison): `ao up`'s choice
      ...(env.AO_TMUX_CONTROL !== undefined ? { AO_TMUX_CONTROL: env.AO_TMUX_CONTROL } : {}),
    },
  };
}

/** Starts the watchdog unless it runs; a dead watchdog pane is replaced; a session of another owner with its name is left alone. */
export async function ensureWatchdog(
  project: Project,
  tmux: Tmux,
  pane: PaneInfo | undefined,
  entry: string,
  env: NodeJS.ProcessEnv,
): Promise<'running' | 'started' | 'foreign'> {
  if (pane && pane.owner !== project.configFile) return 'foreign';
  if (pane && !pane.dead) return 'running';
  const spec = watchdogSpec(project, entry, env);
  ownLog(layout.watchdogPaneLog(project.stateDir));
  if (pane) await stopSession(tmux, spec.session.name, pane);
  await withEnvFile(spec, () => tmux.newSession(spec.session, () => rewriteEnvFile(spec.envFile, spec.env)));
  return 'started';
}

/**
 * Whether a live watchdog holds the project's lock (taken at its start), waiting up to
 * timeoutMs for one; `gone` when its session went away meanwhile (a racing `ao down`).
 */
export async function watchdogSeen(project: Project, tmux: Tmux, timeoutMs: number): Promise<'running' | 'gone' | 'not-seen'> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const holder = readHolder(layout.watchdogLock(project.stateDir));
    if (holder && holderAlive(holder)) return 'running';
    if (!(await tmux.snapshot()).some((p) => p.session === watchdogSession(project))) return 'gone';
    if (Date.now() > deadline) return 'not-seen';
    await sleep(50);
  }
}
