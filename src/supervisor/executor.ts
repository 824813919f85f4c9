import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { getBackend } from '../backends/index.js';
import type { AgentSpec, Project } from '../config/types.js';
import { writeTextAtomic } from '../state/files.js';
import { watchdogLockFile } from '../state/housekeeping.js';
import { holderAlive, readHolder } from '../state/pidlock.js';
import type { SessionSpec, Tmux } from '../tmux/client.js';
import type { PaneInfo } from '../tmux/snapshot.js';
import { passedEnv, type LaunchPlan } from './launch.js';

export interface StartResult {
  agent: string;
  pid: number | null;
  /** for paste kickoffs: whether the kickoff was delivered and submitted */
  kickoff: 'delivered' | 'not-ready' | 'not-submitted' | null;
}

/**
 * Writes the kickoff, then starts the agent as its pane's own program. An
 * existing session is respawned in place (its log pipe and hook stay), or
 * killed and created anew.
 */
export async function startSession(tmux: Tmux, plan: LaunchPlan, how: { existing: boolean; respawn?: boolean }): Promise<void> {
  await writeTextAtomic(plan.kickoffFile, plan.kickoffText);
  if (plan.session.logFile) mkdirSync(dirname(plan.session.logFile), { recursive: true });
  if (how.existing && how.respawn) {
    try {
      await tmux.respawn(plan.session);
      return;
    } catch {
      // the session went away meanwhile: create it
    }
  }
  if (how.existing) await tmux.killSession(plan.session.name);
  await tmux.newSession(plan.session);
}

/** Polls the pane until the backend's detector reads `ready`. */
export async function waitReady(tmux: Tmux, agent: AgentSpec, timeoutMs: number): Promise<boolean> {
  const backend = getBackend(agent.backend);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const screen = await tmux.capture(agent.session);
    if (screen === null) return false;
    if (backend.detect(screen, { readyPattern: agent.readyPattern }) === 'ready') return true;
    await sleep(100);
  }
  return false;
}

/** Pastes a kickoff into a ready TUI; never typed as keys (DESIGN §4.6). */
export async function deliverKickoff(tmux: Tmux, plan: LaunchPlan, timeoutMs = 30_000): Promise<StartResult['kickoff']> {
  if (!(await waitReady(tmux, plan.agent, timeoutMs))) return 'not-ready';
  // the Enter that submits is sent on its own: a trailing newline would submit early
  const { submitted } = await tmux.paste(plan.agent.session, plan.kickoffText.replace(/[\r\n]+$/, ''));
  return submitted ? 'delivered' : 'not-submitted';
}

export const watchdogSession = (project: Project): string => `${project.sessionPrefix}watchdog`;
/** what the watchdog's pane prints (its own lines; its pino log is logs/watchdog.log) */
export const watchdogLogFile = (project: Project): string => join(project.stateDir, 'logs', 'watchdog-pane.log');

/**
 * The watchdog's parent, a few hundred kB of sh rather than a second node:
 * it runs `ao watchdog` again whenever it dies (kill -9, a crash), after a
 * backoff that doubles from 1 s to 60 s while it keeps dying within a minute
 * of its start. Exit 0 is a stop on purpose (a signal, another watchdog runs).
 * The new watchdog reports the death (AO_WATCHDOG_RESTART).
 */
export const WATCHDOG_SUPERVISOR = [
  'delay=1; fails=0',
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
export function watchdogSpec(project: Project, entry: string, env: NodeJS.ProcessEnv): SessionSpec {
  return {
    name: watchdogSession(project),
    cwd: project.dir,
    argv: ['sh', '-c', WATCHDOG_SUPERVISOR, 'ao-watchdog', process.execPath, entry, 'watchdog', '-c', project.configFile],
    logFile: watchdogLogFile(project),
    env: { ...passedEnv(env), AO_TMUX_SOCKET: project.tmuxSocket, AO_CONFIG: project.configFile },
  };
}

/** Starts the watchdog unless it runs; a dead watchdog pane is replaced. */
export async function ensureWatchdog(project: Project, tmux: Tmux, pane: PaneInfo | undefined, entry: string, env: NodeJS.ProcessEnv): Promise<'running' | 'started'> {
  if (pane && !pane.dead) return 'running';
  const spec = watchdogSpec(project, entry, env);
  mkdirSync(join(project.stateDir, 'logs'), { recursive: true });
  if (pane) await tmux.killSession(spec.name);
  await tmux.newSession(spec);
  return 'started';
}

/**
 * Whether a live watchdog holds the project's lock (taken at its start), waiting up to
 * timeoutMs for one; `gone` when its session went away meanwhile (a racing `ao down`).
 */
export async function watchdogSeen(project: Project, tmux: Tmux, timeoutMs: number): Promise<'running' | 'gone' | 'not-seen'> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const holder = readHolder(watchdogLockFile(project.stateDir));
    if (holder && holderAlive(holder)) return 'running';
    if (!(await tmux.snapshot()).some((p) => p.session === watchdogSession(project))) return 'gone';
    if (Date.now() > deadline) return 'not-seen';
    await sleep(50);
  }
}
