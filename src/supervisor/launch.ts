import { createHash } from 'node:crypto';
import { getBackend } from '../backends/index.js';
import { buildKickoff, coordPaths, modelFor, type PhaseView } from '../config/resolve.js';
import type { AgentSpec, Project } from '../config/types.js';
import { safeText } from '../text/safe.js';
import { newRunId } from '../state/exits.js';
import { withFormatter } from '../stream/launch.js';
import { signalFile } from '../state/signals.js';
import type { SessionSpec } from '../tmux/client.js';
import { layout } from '../state/layout.js';
import type { FallbackState } from '../state/agents.js';
import { fallbackPolicyOf, runModel } from './fallback.js';

export interface LaunchPlan {
  agent: AgentSpec;
  model: string | null;
  kickoffFile: string;
  kickoffText: string;
  /** paste the kickoff once the agent's screen is ready */
  pasteKickoff: boolean;
  /** this start's id, which the launcher writes with the exit status (AgentRecord.runId) */
  runId: string;
  /** the conversation it begins or continues (AgentRecord.sessionId, resumedRun), or null */
  conversation: { id: string; resume: boolean } | null;
  session: SessionSpec;
}

/** Variables that describe the caller's own terminal or tmux client, not what the agent should see. */
const NOT_PASSED = new Set(['TMUX', 'TMUX_PANE', 'COLUMNS', 'LINES', '_', 'OLDPWD', 'PWD', 'SHLVL']);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The environment of the command that starts an agent (`ao up`, `ao restart`,
 * the watchdog, which was started with that of `ao up`), passed to its session
 * with `-e`: what the tmux server's global environment holds from its first
 * start never decides what an agent sees (a key exported before `ao restart`
 * reaches the agent).
 */
export function passedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).flatMap(([k, v]) => (v !== undefined && ENV_NAME.test(k) && !NOT_PASSED.has(k) && !ownVariable(k) ? [[k, v]] : [])),
  );
}

/** A session prefix given from outside (a fleet.toml's, as AO_SESSION_PREFIX) is handed on, so the watchdog and the agents' own `ao` calls keep it. */
export function prefixOverride(project: Project, env: NodeJS.ProcessEnv): { AO_SESSION_PREFIX?: string } {
  return env.AO_SESSION_PREFIX ? { AO_SESSION_PREFIX: project.sessionPrefix } : {};
}

/**
 * ao's own per-agent variables are set for each session, never inherited: an
 * agent that runs `ao up` must not hand its identity (AO_AGENT, AO_RUN_ID) to
 * the watchdog or to another agent. The demo pace is the one passed on.
 */
function ownVariable(name: string): boolean {
  return (name.startsWith('AO_') && name !== 'AO_DEMO_PACE_S') || name === 'CI' || name === 'CONTINUOUS_INTEGRATION';
}

/** The tmux wait-for channel that wakes this project's watchdog (its panes' pane-died hook signals it). */
export function wakeChannel(stateDir: string): string {
  return `ao-wake-${createHash('sha256').update(stateDir).digest('hex').slice(0, 16)}`;
}

/**
 * What the launcher does once the agent ends: it records the run's exit status
 * (128+N for signal N) in $AO_EXIT_FILE and exits with it. Ctrl-C and Ctrl-\
 * reach the agent (the same process group) and must not end the launcher before
 * it records; SIGHUP and SIGTERM end it, and the kernel then hangs up the agent
 * (the launcher leads the pane's session). The record goes to a temp of an
 * unpredictable name created O_EXCL (noclobber: a link planted there is never
 * written through), 0600, then `mv -T` over the record: a rename replaces a
 * link at the record's name, never its target.
 */
const RECORD_EXIT =
  's=$?; set -C; umask 077; t=$(mktemp -u "$AO_EXIT_FILE.ao-tmp-XXXXXXXXXX") && printf \'%s %s\\n\' "$AO_RUN_ID" "$s" > "$t" && mv -fT "$t" "$AO_EXIT_FILE"; exit "$s"';

/**
 * The pane's program: a fixed `sh` script that runs the agent as its child and
 * records how it ended (no tmux loss can hide an exit), handing the kickoff over
 * as an argument or on stdin. Only "$@" and environment variables are expanded:
 * no text is ever parsed by a shell.
 */
export function wrapKickoff(argv: readonly string[], mode: AgentSpec['kickoff']): string[] {
  const run = mode === 'arg' ? '"$@" "$(cat "$AO_KICKOFF_FILE")"' : mode === 'stdin' ? '"$@" < "$AO_KICKOFF_FILE"' : '"$@"';
  // an agent runs in a terminal of its own: a CI marker of the shell that started ao (or of the tmux
  // server's first client) would make a TUI refuse to be interactive (Gemini CLI exits 42)
  return ['sh', '-c', `unset CI CONTINUOUS_INTEGRATION; trap : INT QUIT; ${run}; ${RECORD_EXIT}`, 'ao-launch', ...argv];
}

/**
 * The conversation of a start: with `resume` on and a backend that keeps
 * conversations, the one recorded (continued) or a new one of ao's choosing.
 */
export function conversationOf(agent: AgentSpec, recorded: string | null | undefined): LaunchPlan['conversation'] {
  const support = agent.kind === 'service' ? undefined : getBackend(agent.backend).conversations;
  if (!support || !agent.resume) return null;
  return recorded ? { id: recorded, resume: true } : { id: support.newId(), resume: false };
}

/**
 * Everything needed to start one agent; reads only the role prompt. `sessionId`: the conversation its record holds;
 * `fallback`: its record's breaker state, which says whether this start runs on its own model or its fallback.
 */
export function planLaunch(
  project: Project,
  agent: AgentSpec,
  view: PhaseView,
  entry: string,
  env: NodeJS.ProcessEnv,
  sessionId?: string | null,
  fallback?: FallbackState | null,
): LaunchPlan {
  const policy = fallbackPolicyOf(project, agent, view.phase);
  const own = { name: agent.name, model: modelFor(project, agent, view.phase), fallback: policy };
  const model = runModel(own, fallback);
  const file = layout.kickoff(project.stateDir, agent.name);
  const conversation = conversationOf(agent, sessionId);
  const argv =
    agent.kind === 'service'
      ? [agent.command ?? 'true', ...agent.args]
      : withFormatter(
          project.stateDir,
          agent,
          getBackend(agent.backend).argv({
            agent,
            model,
            // on its own model, the CLI may move to the fallback itself where it can (Claude's --fallback-model)
            fallbackModel: model === own.model ? (policy?.model ?? null) : null,
            kickoffFile: file,
            kickoff: agent.kickoff,
            aoEntry: entry,
            conversation,
            signalFile: signalFile(project.stateDir, agent.name),
          }),
          entry,
        );
  const passed = passedEnv(env);
  const paths = coordPaths(project, view.phase.id, agent.name);
  const runId = newRunId();
  return {
    agent,
    model,
    kickoffFile: file,
    // whatever the mode, no control sequence from a prompt or plan reaches a terminal
    kickoffText: safeText(buildKickoff(project, agent, view)),
    pasteKickoff: agent.kickoff === 'paste',
    runId,
    conversation,
    session: {
      name: agent.session,
      owner: project.configFile,
      cwd: agent.cwd,
      argv: wrapKickoff(argv, agent.kickoff),
      logFile: layout.agentLog(project.stateDir, agent.name),
      wakeChannel: wakeChannel(project.stateDir),
      env: {
        LANG: 'C.UTF-8',
        ...passed,
        ...agent.env,
        AO_PROJECT_DIR: project.dir,
        AO_CONFIG: project.configFile,
        AO_TMUX_SOCKET: project.tmuxSocket,
        ...prefixOverride(project, env),
        AO_STATE_DIR: project.stateDir,
        AO_AGENT: agent.name,
        AO_KICKOFF_FILE: file,
        AO_RUN_ID: runId,
        AO_EXIT_FILE: layout.exit(project.stateDir, agent.name),
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
