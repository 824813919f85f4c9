import { join } from 'node:path';
import { getBackend } from '../backends/index.js';
import { buildKickoff, coordPaths, modelFor, type PhaseView } from '../config/resolve.js';
import type { AgentSpec, Project } from '../config/types.js';
import { exitFile, newRunId } from '../state/exits.js';
import { watchdogPidFile } from '../state/housekeeping.js';
import type { SessionSpec } from '../tmux/client.js';

export interface LaunchPlan {
  agent: AgentSpec;
  model: string | null;
  kickoffFile: string;
  kickoffText: string;
  /** paste the kickoff once the agent's screen is ready */
  pasteKickoff: boolean;
  /** this start's id, which the launcher writes with the exit status (AgentRecord.runId) */
  runId: string;
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
 * What the launcher does once the agent ends: it records the run's exit status
 * (128+N for signal N) in $AO_EXIT_FILE and exits with it. Ctrl-C and Ctrl-\
 * reach the agent (the same process group) and must not end the launcher before
 * it records; SIGHUP and SIGTERM end it, and the kernel then hangs up the agent
 * (the launcher leads the pane's session).
 */
const RECORD_EXIT = 's=$?; printf \'%s %s\\n\' "$AO_RUN_ID" "$s" > "$AO_EXIT_FILE"; exit "$s"';

/**
 * The pane's program: a fixed `sh` script that runs the agent as its child and
 * records how it ended (no tmux loss can hide an exit), handing the kickoff over
 * as an argument or on stdin. Only "$@" and environment variables are expanded:
 * no text is ever parsed by a shell.
 */
export function wrapKickoff(argv: readonly string[], mode: AgentSpec['kickoff']): string[] {
  const run = mode === 'arg' ? '"$@" "$(cat "$AO_KICKOFF_FILE")"' : mode === 'stdin' ? '"$@" < "$AO_KICKOFF_FILE"' : '"$@"';
  return ['sh', '-c', `trap : INT QUIT; ${run}; ${RECORD_EXIT}`, 'ao-launch', ...argv];
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
  const runId = newRunId();
  return {
    agent,
    model,
    kickoffFile: file,
    kickoffText: buildKickoff(project, agent, view),
    pasteKickoff: agent.kickoff === 'paste',
    runId,
    session: {
      name: agent.session,
      owner: project.configFile,
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
        AO_RUN_ID: runId,
        AO_EXIT_FILE: exitFile(project.stateDir, agent.name),
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
