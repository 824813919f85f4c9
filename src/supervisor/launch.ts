import { join } from 'node:path';
import { getBackend } from '../backends/index.js';
import { buildKickoff, coordPaths, modelFor, type PhaseView } from '../config/resolve.js';
import type { AgentSpec, Project } from '../config/types.js';
import { watchdogPidFile } from '../state/housekeeping.js';
import type { SessionSpec } from '../tmux/client.js';

export interface LaunchPlan {
  agent: AgentSpec;
  model: string | null;
  kickoffFile: string;
  kickoffText: string;
  /** paste the kickoff once the agent's screen is ready */
  pasteKickoff: boolean;
  session: SessionSpec;
}

export const logFile = (project: Project, agent: string): string => join(project.stateDir, 'logs', `${agent}.log`);
export const kickoffFile = (project: Project, agent: string): string => join(project.stateDir, 'kickoff', `${agent}.md`);

/** Environment passed down from the caller to every agent (the demo pace, for one). */
const PASSED_ENV = ['AO_DEMO_PACE_S', 'PATH', 'HOME', 'LANG', 'LC_ALL', 'TERM'];

export function passedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(PASSED_ENV.flatMap((k) => (env[k] ? [[k, env[k]]] : [])));
}

/** Tells the watchdog at once that a pane died (tmux's pane-died hook); null when the path cannot be quoted safely. */
export function deathHook(stateDir: string): string | undefined {
  const pidFile = watchdogPidFile(stateDir);
  return /^[A-Za-z0-9_./+@-]+$/.test(pidFile) ? `read p < ${pidFile} && kill -USR2 "$p"` : undefined;
}

/**
 * How the kickoff reaches a program that takes it as an argument or on stdin:
 * a fixed script reads the file, so the text is never parsed by a shell.
 */
export function wrapKickoff(argv: readonly string[], mode: AgentSpec['kickoff']): string[] {
  if (mode === 'arg') return ['sh', '-c', 'exec "$@" "$(cat "$AO_KICKOFF_FILE")"', 'ao-launch', ...argv];
  if (mode === 'stdin') return ['sh', '-c', 'exec "$@" < "$AO_KICKOFF_FILE"', 'ao-launch', ...argv];
  return [...argv];
}

/** Everything needed to start one agent; reads only the role prompt. */
export function planLaunch(project: Project, agent: AgentSpec, view: PhaseView, entry: string, env: NodeJS.ProcessEnv): LaunchPlan {
  const model = modelFor(project, agent, view.phase);
  const file = kickoffFile(project, agent.name);
  const argv =
    agent.kind === 'service' ? [agent.command ?? 'true', ...agent.args] : getBackend(agent.backend).argv({ agent, model, kickoffFile: file, kickoff: agent.kickoff, aoEntry: entry });
  const passed = passedEnv(env);
  const paths = coordPaths(project, view.phase.id, agent.name);
  const hook = deathHook(project.stateDir);
  return {
    agent,
    model,
    kickoffFile: file,
    kickoffText: buildKickoff(project, agent, view),
    pasteKickoff: agent.kickoff === 'paste',
    session: {
      name: agent.session,
      cwd: agent.cwd,
      argv: wrapKickoff(argv, agent.kickoff),
      logFile: logFile(project, agent.name),
      ...(hook ? { deathHook: hook } : {}),
      env: {
        LANG: 'C.UTF-8',
        ...passed,
        ...agent.env,
        AO_PROJECT_DIR: project.dir,
        AO_CONFIG: project.configFile,
        AO_TMUX_SOCKET: project.tmuxSocket,
        AO_STATE_DIR: project.stateDir,
        AO_AGENT: agent.name,
        AO_KICKOFF_FILE: file,
        // the coordination files of this phase, for agents that read them directly (the demo agent)
        AO_PHASE: view.phase.id,
        AO_PLAN: view.phase.planPath,
        AO_JOURNAL: paths.journal,
        AO_REVIEW: paths.review,
        AO_INBOX: paths.inbox,
      },
    },
  };
}

/** What an agent's command line is made of, beyond its model: a change in agents.toml restarts it. */
export function launchKeyOf(agent: AgentSpec): string {
  return JSON.stringify([agent.backend, agent.command, agent.args, agent.env, agent.cwd, agent.kickoff, agent.readyPattern, agent.paceS]);
}
