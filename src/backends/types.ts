import type { AgentKind, AgentSpec, BackendName, KickoffMode } from '../config/types.js';
import type { Trouble } from './trouble.js';
import type { IterationUsage } from './usage.js';

/** What a backend's detector reads off a pane's screen. */
export type ScreenState =
  | 'ready' // idle at its input prompt: a kickoff or a notice may be pasted
  | 'busy' // working: leave it alone
  | 'waiting' // asks the human something (a permission or trust dialog)
  | 'unknown';

export interface LaunchInput {
  agent: AgentSpec;
  /** it runs in ao's bubblewrap sandbox, inside which its CLI's own sandbox cannot be made: the CLI relies on ao's (Backend.outerSandbox) */
  outerSandbox?: boolean;
  /** the model in force for this launch (phase override applied, or its fallback while its own is overloaded), or null */
  model: string | null;
  /** the fallback model, when this launch runs on the agent's own model and one is configured: for a CLI that can move to it by itself */
  fallbackModel?: string | null;
  /** absolute path of the rendered kickoff file */
  kickoffFile: string;
  /** the kickoff mode in force (agent's setting, else the backend default) */
  kickoff: KickoffMode;
  /** absolute path of the `ao` entry script, for the demo agent */
  aoEntry: string;
  /** the conversation this start continues or begins (agent key `resume`), for a backend with `conversations` */
  conversation?: { id: string; resume: boolean } | null;
  /** where the CLI's hooks append their signals (state/signals/AGENT.jsonl), for a backend that takes hooks */
  signalFile?: string | null;
}

/** How a CLI keeps a conversation across restarts (agent key `resume`). */
export interface ConversationSupport {
  /** a new conversation id of ao's choosing (the CLI is told it at the first start) */
  newId(): string;
  /** pure: whether the output of a dead run shows that the CLI refused to resume `id` (it does not know it) */
  refused(output: string, id: string): boolean;
}

export interface DetectOptions {
  /** the agent's `ready_pattern`, as a regular expression source */
  readyPattern?: string | null;
}

export interface Backend {
  readonly name: BackendName;
  /** how long its screen must read ready, with no dialog, before ao pastes into it (ms) */
  readonly settleMs: number;
  /**
   * how long after a paste before Enter (ms; default 0). Gemini CLI 0.61 turns an
   * Enter that comes within 40 ms of a paste it has just handled into a newline; a
   * Gemini still busy after its start handles the paste late, so 200 ms was seen to
   * land inside that window and the text stayed in its input box.
   */
  readonly enterAfterMs?: number;
  /** pure: what `ao check` should warn about in an agent of this backend (valid, but almost surely not meant) */
  checks?(agent: AgentSpec): string[];
  /** how the kickoff reaches the agent when the agent does not say */
  defaultKickoff(kind: AgentKind): KickoffMode;
  /**
   * The agent program's argv. For kickoff 'arg' the launcher appends the
   * kickoff text as the last argument, so the argv ends with whatever flag
   * expects the prompt. For 'stdin' the launcher feeds the kickoff file.
   */
  argv(input: LaunchInput): string[];
  /** pure: a capture of the pane (plain text) to a state */
  detect(screen: string, options?: DetectOptions): ScreenState;
  /**
   * pure: the dialog shown anywhere on the screen ('folder trust',
   * 'tool permission', 'api key', 'question'), or null. Nothing may be
   * pasted while a dialog is up: the keystrokes would answer it.
   */
  dialog?(screen: string): DialogName | null;
  /** pure: the CLI's own retry of its provider shown on screen (`3/10`), or null */
  retrying?(screen: string): string | null;
  /**
   * pure: provider trouble (usage limit with its reset, rate limit, outage,
   * authentication) from the run's output (structured stream first, text
   * second; a pane's screen works too) and exit status (null: still running).
   */
  trouble?(output: string, exitStatus: number | null, now: number): Trouble;
  /**
   * pure: the CLI's own switch to a fallback model during a run (Claude Code's
   * `--fallback-model`), which its exit status does not show: from what to what,
   * or null when it ran on its own model throughout
   */
  fellBack?(output: string): { from: string; to: string } | null;
  /** pure: one iteration's tokens and cost from its output, or null when it reports none */
  usage?(output: string): IterationUsage | null;
  /** its CLI reports what a run cost (USD): only then can a `budget_usd` count its spending (a budget that cannot is a config error) */
  reportsCost?: boolean;
  /** conversations that survive restarts; `argv` reads `input.conversation` */
  conversations?: ConversationSupport;
  /** where its CLI finds credentials, for `ao doctor`: any of these variables, or any of these login files under HOME */
  credentials?: { env: readonly string[]; files: readonly string[] };
  /**
   * what its CLI keeps for itself under HOME (relative paths): the only files
   * of HOME a sandboxed agent may write (`sandbox = "bwrap"`); folders are made
   * before its start when missing, files are bound only where they exist
   */
  ownFiles?: { dirs: readonly string[]; files: readonly string[] };
  /**
   * how its CLI is set up inside ao's sandbox where HOME is read-only: the
   * environment it gets (values relative to HOME) and the files copied once,
   * before its first sandboxed start, from where it keeps them unsandboxed to
   * where the environment points it (HOME-relative pairs, copied only when the
   * target is missing)
   */
  sandboxed?: { env: Readonly<Record<string, string>>; seed: readonly (readonly [string, string])[] };
  /**
   * pure: what its command line gains when its CLI's own sandbox cannot be made
   * inside ao's (bubblewrap in bubblewrap, as root): the CLI's option to rely on
   * the outer one; none when the agent's `args` choose a sandbox themselves
   */
  outerSandbox?(agent: AgentSpec): string[];
}

export type DialogName = 'folder trust' | 'tool permission' | 'api key' | 'question';
