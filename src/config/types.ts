/** The resolved, validated shape of a project that the rest of ao works from. */

export const AGENT_KINDS = ['persistent', 'loop', 'task', 'service'] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];

export const HEAL_POLICIES = ['none', 'heal', 'heal+stall'] as const;
export type HealPolicy = (typeof HEAL_POLICIES)[number];

export const KICKOFF_MODES = ['arg', 'stdin', 'paste', 'none'] as const;
export type KickoffMode = (typeof KICKOFF_MODES)[number];

/** where an agent works: the project folder itself, or a git worktree of its own (src/workspace/) */
export const WORKSPACE_KINDS = ['project', 'worktree'] as const;
export type WorkspaceKind = (typeof WORKSPACE_KINDS)[number];

/** An agent's own git worktree (`workspace = "worktree"`): created at its first start, kept until `ao workspaces remove`. */
export interface WorktreeSpec {
  /** absolute: state/worktrees/<agent> */
  path: string;
  /** ao/<agent> */
  branch: string;
}

/** how an agent's process tree is confined: not at all (`none`), or in a bubblewrap sandbox (src/sandbox/) */
export const SANDBOX_KINDS = ['none', 'bwrap'] as const;
export type SandboxKind = (typeof SANDBOX_KINDS)[number];

/** `sandbox = "bwrap"` resolved: the extra paths it may write and read (absolute, checked to exist at load). */
export interface SandboxSpec {
  kind: 'bwrap';
  rw: string[];
  ro: string[];
}

export const BACKEND_NAMES = ['claude', 'codex', 'gemini', 'opencode', 'aider', 'shell', 'demo'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** One agent with every default applied; paths are absolute. */
export interface AgentSpec {
  name: string;
  /** tmux session name: session_prefix + name */
  session: string;
  kind: AgentKind;
  backend: BackendName;
  /** the agent's own model as written (an alias or an id); resolveModel applies aliases */
  model: string | null;
  heal: HealPolicy;
  enabled: boolean;
  /** absolute path of the role prompt, or null when the agent has none */
  prompt: string | null;
  command: string | null;
  args: string[];
  env: Record<string, string>;
  /** names (or `PREFIX_*`) of the invoking environment it inherits beyond the allow-list (config/pass-env.ts): [defaults] and its own `pass_env` */
  passEnv?: string[];
  /** absolute; for a worktree agent, inside its worktree (which may not exist before its first start) */
  cwd: string;
  /** its own worktree (`workspace = "worktree"`), or absent/null: it works in the project folder */
  worktree?: WorktreeSpec | null;
  stallMinutes: number;
  kickoff: KickoffMode;
  readyPattern: string | null;
  /** mail notices typed into a `shell` agent (other TUIs get them anyway; services never) */
  notify: boolean;
  paceS: number | null;
  /** a loop's shortest iteration: one that ends sooner waits out the rest before the next starts */
  minIterationS?: number;
  /** a task run by the watchdog each time the team enters a new phase */
  onPhaseAdvance: boolean;
  /** what the agent may spend in all (USD, where its CLI reports cost): reached, its loop is paused */
  budgetUsd?: number | null;
  /** input plus output tokens the agent may use in all (for CLIs that report tokens): reached, its loop is paused */
  budgetTokens?: number | null;
  /** every start after the first continues its conversation, where the backend can (default: persistent agents of a backend that can) */
  resume?: boolean;
  /** `ao phase next|set` run from the agent's own pane is allowed (default: refused) */
  mayMovePhase?: boolean;
  /** the model (an alias or an id, as written) its starts use while its own is overloaded; a phase's `models_fallback` overrides it */
  fallbackModel?: string | null;
  /** when it moves to its fallback model and back (absent: DEFAULT_FALLBACK) */
  fallback?: FallbackTimings;
  /** its bubblewrap sandbox (`sandbox = "bwrap"`), or absent/null: it runs as the maintainer's user, unconfined */
  sandbox?: SandboxSpec | null;
}

/** `fallback_after_s`, `fallback_probe_s`, `fallback_on_usage_limit`, resolved. */
export interface FallbackTimings {
  /** its own model overloaded or down this long, without a good run between: the next start uses the fallback */
  afterS: number;
  /** this long on the fallback, the next start tries its own model again */
  probeS: number;
  /** a usage limit counts as its model being unavailable (another model may be on the same plan: off by default) */
  onUsageLimit: boolean;
}

export const DEFAULT_FALLBACK: Readonly<FallbackTimings> = { afterS: 120, probeS: 600, onUsageLimit: false };

/** USD per million tokens of a model (`[models.prices]`), for CLIs that report tokens but no cost. */
export interface ModelPrice {
  inputPerMtok: number;
  outputPerMtok: number;
}

export interface PhaseSpec {
  id: string;
  /** file name under phases/, as written in agents.toml */
  plan: string;
  /** absolute path of the plan */
  planPath: string;
  /** role -> model as written (an alias or an id) */
  models: Record<string, string>;
  /** role -> fallback model as written (`models_fallback`), over the agent's `fallback_model` */
  modelsFallback?: Record<string, string>;
  /** what the phase may spend (USD): reached, its loops are paused until the number is raised */
  budgetUsd?: number | null;
  /** input plus output tokens the phase may use: reached, its loops are paused until the number is raised */
  budgetTokens?: number | null;
  /** iterations of the phase's loops, all together, before they are paused */
  maxIterations?: number | null;
}

export interface WatchdogSpec {
  backoffInitialS: number;
  backoffMaxS: number;
  healthyAfterS: number;
  crashLimit: number;
  crashWindowS: number;
  stallCheckS: number;
  /** restarts after a healthy run allowed within restartWindowS before `failed` */
  restartLimit: number;
  restartWindowS: number;
  /** provider trouble with no reset time: first wait, and the cap of the doubling waits */
  probeInitialS: number;
  probeMaxS: number;
  /** a usage limit's reset time plus this before the agent resumes */
  resumeMarginS: number;
  /** size at which a log is rotated */
  logMaxMb: number;
  /** fails in a row after which a phase counts as not converging */
  nonConvergenceFails: number;
}

/** The watchdog's timings when agents.toml's [watchdog] names none (the README's table). */
export const DEFAULT_WATCHDOG: Readonly<WatchdogSpec> = {
  backoffInitialS: 1,
  backoffMaxS: 60,
  healthyAfterS: 30,
  crashLimit: 5,
  crashWindowS: 300,
  stallCheckS: 30,
  restartLimit: 10,
  restartWindowS: 1800,
  logMaxMb: 10,
  nonConvergenceFails: 3,
  probeInitialS: 60,
  probeMaxS: 1800,
  resumeMarginS: 30,
};

/** `[notify]`: where the watchdog tells the maintainer that something happened. */
export interface NotifySpec {
  /** POSTed one JSON object per notification */
  webhook: string | null;
  /** run with the JSON object on its stdin (argv, no shell) */
  command: string[] | null;
  /** the event names that notify (state/event-catalogue.ts) */
  events: string[];
  /** how long one attempt may take before it counts as failed */
  timeoutS: number;
}

export interface Project {
  /** project name: the folder holding agents.toml */
  name: string;
  dir: string;
  configFile: string;
  stateDir: string;
  sessionPrefix: string;
  tmuxSocket: string;
  defaultModel: string | null;
  models: Record<string, string>;
  /** `[models.prices]`: model (an alias or an id) -> USD per million tokens (absent: none given, or a running-project.json of an older ao) */
  prices?: Record<string, ModelPrice>;
  agents: AgentSpec[];
  phases: PhaseSpec[];
  kickoffTemplate: string;
  kickoffTemplatePath: string;
  watchdog: WatchdogSpec;
  /** `[workspaces]`: the branch new worktrees start from (null: the one the project's checkout is on at that start); the branch passed commits land on (absent: ao/accepted) */
  workspaces?: { base: string | null; target?: string };
  /** `[web]`: where the `ao web` the watchdog keeps listens (absent: no [web] table) */
  web?: { listen: string };
  /** absent when agents.toml has no [notify] table (and in a running-project.json of an older ao) */
  notify?: NotifySpec;
}
