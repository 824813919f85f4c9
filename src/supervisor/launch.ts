import { sha256 } from '../state/digest.js';
import { getBackend } from '../backends/index.js';
import { buildKickoff, coordPaths, modelFor, type PhaseView } from '../config/resolve.js';
import { commitGateOf } from '../phases/commit-gate.js';
import { passedEnv } from '../config/pass-env.js';
import { maskedNames } from '../state/secrets.js';
import type { AgentSpec, Project } from '../config/types.js';
import { safeText } from '../text/safe.js';
import { newEnvFile } from '../state/env-file.js';
import { newRunId } from '../state/exits.js';
import { withFormatter } from '../stream/launch.js';
import { signalFile } from '../state/signals.js';
import type { SessionSpec } from '../tmux/client.js';
import { layout } from '../state/layout.js';
import type { FallbackState } from '../state/agents.js';
import { fallbackPolicyOf, runModel } from './fallback.js';
import { bwrapArgv, type SandboxFacts } from '../sandbox/bwrap.js';
import { plannedCwd } from '../workspace/worktree.js';
import { findBwrap, sandboxEnv, sandboxFacts, sandboxRefusal } from '../sandbox/host.js';

export interface LaunchPlan {
  agent: AgentSpec;
  /** the agent's whole environment, which reaches its pane through envFile, never through tmux's arguments */
  env: Record<string, string>;
  /** where the start writes env (0600) for the pane's launcher to read and remove */
  envFile: string;
  model: string | null;
  kickoffFile: string;
  kickoffText: string;
  /** paste the kickoff once the agent's screen is ready */
  pasteKickoff: boolean;
  /** this start's id, which the launcher writes with the exit status (AgentRecord.runId) */
  runId: string;
  /** the conversation it begins or continues (AgentRecord.conversationId, resumedRun), or null */
  conversation: { id: string; resume: boolean } | null;
  session: SessionSpec;
  /** its sandbox (`sandbox = "bwrap"`): what its start makes and checks before the pane starts, null when it has none */
  sandbox: SandboxFacts | null;
}

/** A session prefix given from outside (a fleet.toml's, as AO_SESSION_PREFIX) is handed on, so the watchdog and the agents' own `ao` calls keep it. */
export function prefixOverride(project: Project, env: NodeJS.ProcessEnv): { AO_SESSION_PREFIX?: string } {
  return env.AO_SESSION_PREFIX ? { AO_SESSION_PREFIX: project.sessionPrefix } : {};
}

/** The tmux wait-for channel that wakes this project's watchdog (its panes' pane-died hook signals it). */
export function wakeChannel(stateDir: string): string {
  return `ao-wake-${sha256(stateDir).slice(0, 16)}`;
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
 * The first step of every pane ao starts, in tmux's environment: it keeps what
 * tmux sets for the pane (its terminal and the pane's identity) and nothing
 * else of it (not the tmux server's environment, which holds that of whoever
 * started it, nor what tmux copies from an attaching client, SSH_AUTH_SOCK
 * among it), and runs the second step with it (`env -i` leaves no PATH: sh
 * is found on the C library's default one).
 */
// (the one exception: the mark tmux's respawn hook gives a watchdog pane it brought back, sessions.ts)
const CLEAN_START =
  's=$1; shift; exec env -i TMUX="$TMUX" TMUX_PANE="$TMUX_PANE" TERM="$TERM" TERM_PROGRAM="$TERM_PROGRAM" TERM_PROGRAM_VERSION="$TERM_PROGRAM_VERSION" ${AO_WATCHDOG_RESPAWNED:+AO_WATCHDOG_RESPAWNED=1} sh -c "$s" "$0" "$@"';

/**
 * The second step, in that clean environment: exports each line of the
 * environment file ($1) as data (`export "NAME=value"`: never evaluated),
 * removes the file, and goes on with the pane's own script and the rest of
 * the arguments (its variables are not exported: the agent never sees them).
 * A link or a missing file starts nothing.
 */
const READ_ENV_FILE = [
  '_ao_f=$1; shift',
  // a respawned watchdog pane whose file is gone must not make tmux, which has no backoff, spin
  'if [ -h "$_ao_f" ] || [ ! -f "$_ao_f" ]; then echo "ao: no environment file at $_ao_f" >&2; [ -n "$AO_WATCHDOG_RESPAWNED" ] && sleep 5; exit 127; fi',
  'while IFS= read -r _ao_l; do _ao_n=${_ao_l#?}; _ao_n=${_ao_n%%=*}',
  'case $_ao_n in ""|[!A-Za-z_]*|*[!A-Za-z0-9_]*) continue ;; esac',
  `case $_ao_l in ="$_ao_n"=*) export "\${_ao_l#=}" ;; %"$_ao_n"=*) _ao_v=$(printf '%bx' "\${_ao_l#*=}"); export "$_ao_n=\${_ao_v%x}" ;; esac`,
  'done < "$_ao_f"',
].join('; ');
const REMOVE_ENV_FILE = 'command -p rm -f -- "$_ao_f"';

/**
 * A pane program (`sh -c SCRIPT NAME ARG...`) that takes its environment from
 * `envFile` alone: what goes on the command line is the file's path, never a value.
 * `keep`: the file stays for the next run of the same program (the watchdog's
 * pane, which tmux respawns; its file lives outside the state folder).
 */
export function viaEnvFile(program: readonly string[], envFile: string, options: { keep?: boolean } = {}): string[] {
  const [sh, flag, script, name, ...args] = program;
  if (sh !== 'sh' || flag !== '-c' || script === undefined || name === undefined) throw new Error('a pane program must be sh -c SCRIPT NAME ...');
  const read = options.keep ? READ_ENV_FILE : `${READ_ENV_FILE}; ${REMOVE_ENV_FILE}`;
  return ['sh', '-c', CLEAN_START, name, `${read}; ${script}`, envFile, ...args];
}

/** The facts of a sandboxed agent's command line; no bubblewrap to run is no start (never one unsandboxed). */
function sandboxOf(project: Project, agent: AgentSpec, env: NodeJS.ProcessEnv, entry: string): SandboxFacts {
  const bwrap = findBwrap(env);
  if (bwrap === null)
    throw new Error(sandboxRefusal(agent.name, env.AO_BWRAP ? `bubblewrap not found at AO_BWRAP=${env.AO_BWRAP}` : 'bubblewrap (bwrap) is not on PATH'));
  return sandboxFacts(project, agent, env, bwrap, entry);
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
 * Everything needed to start one agent; reads only the role prompt. `conversationId`: the conversation its record holds;
 * `fallback`: its record's breaker state, which says whether this start runs on its own model or its fallback.
 */
export function planLaunch(
  project: Project,
  agent: AgentSpec,
  view: PhaseView,
  entry: string,
  env: NodeJS.ProcessEnv,
  conversationId?: string | null,
  fallback?: FallbackState | null,
): LaunchPlan {
  const policy = fallbackPolicyOf(project, agent, view.phase);
  const own = { name: agent.name, model: modelFor(project, agent, view.phase), fallback: policy };
  const model = runModel(own, fallback);
  const file = layout.kickoff(project.stateDir, agent.name);
  const conversation = conversationOf(agent, conversationId);
  const sandbox = agent.sandbox ? sandboxOf(project, agent, env, entry) : null;
  // in its worktree, the project's subfolder of it where the project is in one (its start checks this against git)
  const cwd = plannedCwd(project, agent);
  const wrap = (inner: string[]): string[] => (sandbox ? bwrapArgv(project, agent, sandbox, inner, cwd) : inner);
  const argv =
    agent.kind === 'service'
      ? wrap([agent.command ?? 'true', ...agent.args])
      : withFormatter(
          project.stateDir,
          agent,
          getBackend(agent.backend).argv({
            agent,
            outerSandbox: sandbox !== null && !sandbox.nested,
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
          process.execPath,
          wrap,
        );
  const masked = maskedNames(agent);
  // a watchdog that came back while agents.toml was broken runs on the state folder's copy, which keeps no values
  if (masked.length > 0)
    throw new Error(`its env (${masked.join(', ')}) is not kept in the state folder and agents.toml does not validate: ao starts it once agents.toml is fixed`);
  const paths = coordPaths(project, view.phase.id, agent.name);
  const runId = newRunId();
  const envFile = newEnvFile(project.stateDir, agent.name);
  return {
    agent,
    model,
    kickoffFile: file,
    // whatever the mode, no control sequence from a prompt or plan reaches a terminal
    kickoffText: safeText(buildKickoff(project, agent, view)),
    pasteKickoff: agent.kickoff === 'paste',
    runId,
    conversation,
    env: {
      LANG: 'C.UTF-8',
      ...passedEnv(env, agent.passEnv),
      // where its CLI keeps its state in a read-only HOME (Backend.sandboxed)
      ...(sandbox ? sandboxEnv(agent, sandbox.home) : {}),
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
      // its own worktree, where it has one; and a commit-bound gate's open claim, the commit to review ('' when none is open)
      ...(agent.worktree ? { AO_WORKTREE: agent.worktree.path } : {}),
      ...(commitGateOf(project) ? { AO_CLAIM_SHA: view.claimSha ?? '' } : {}),
    },
    envFile,
    sandbox,
    session: {
      name: agent.session,
      owner: project.configFile,
      cwd,
      argv: viaEnvFile(wrapKickoff(argv, agent.kickoff), envFile),
      logFile: layout.agentLog(project.stateDir, agent.name),
      wakeChannel: wakeChannel(project.stateDir),
    },
  };
}
