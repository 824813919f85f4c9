// zod/mini: the same validation and issues as zod's classic API at a sixth of
// the load time, which `ao status` pays on every run (docs/PERFORMANCE.md).
import * as z from 'zod/mini';
import { ENV_NAME, LAUNCHER_PREFIX } from '../state/env-file.js';
import { PASS_ENV_NAME } from './pass-env.js';
import { AGENT_KINDS, BACKEND_NAMES, HEAL_POLICIES, KICKOFF_MODES, SANDBOX_KINDS, WORKSPACE_KINDS } from './types.js';

/** Names that end up in tmux targets and file names. */
const NAME = /^[A-Za-z0-9_-]+$/;
const nameMessage = 'letters, digits, "_" and "-" only (tmux treats ":" "." and spaces specially)';

const positive = () => z.optional(z.number().check(z.positive()));
const positiveInt = () => z.optional(z.int().check(z.positive()));
const text = () => z.string().check(z.minLength(1));
const optionalText = () => z.optional(text());
const notLauncher = () => z.refine<string>((name) => !name.startsWith(LAUNCHER_PREFIX), `names starting with "${LAUNCHER_PREFIX}" are the launcher's own`);
const envName = () => z.string().check(z.regex(ENV_NAME, 'letters, digits and "_" only, not starting with a digit'), notLauncher());
/** names of the invoking environment an agent inherits beyond the allow-list: `NAME` or `PREFIX_*` */
const passEnv = () =>
  z.optional(z.array(z.string().check(z.regex(PASS_ENV_NAME, 'a variable\'s name, or a prefix ending in "*" (e.g. "AWS_*")'), notLauncher())));

/** When an agent moves to its fallback model and back: per agent and in [defaults]. */
const fallbackTimings = {
  fallback_after_s: z.optional(z.number().check(z.gte(0))),
  fallback_probe_s: positive(),
  fallback_on_usage_limit: z.optional(z.boolean()),
};

export const agentSchema = z.strictObject({
  kind: z.enum(AGENT_KINDS),
  backend: z.optional(z.enum(BACKEND_NAMES)),
  model: optionalText(),
  heal: z.optional(z.enum(HEAL_POLICIES)),
  enabled: z.optional(z.boolean()),
  prompt: optionalText(),
  command: optionalText(),
  args: z.optional(z.array(z.string())),
  env: z.optional(z.record(envName(), z.string())),
  pass_env: passEnv(),
  cwd: optionalText(),
  workspace: z.optional(z.enum(WORKSPACE_KINDS)),
  stall_minutes: positive(),
  kickoff: z.optional(z.enum(KICKOFF_MODES)),
  ready_pattern: optionalText(),
  notify: z.optional(z.boolean()),
  pace_s: positive(),
  min_iteration_s: z.optional(z.number().check(z.gte(0))),
  on_phase_advance: z.optional(z.boolean()),
  budget_usd: positive(),
  budget_tokens: positiveInt(),
  resume: z.optional(z.boolean()),
  may_move_phase: z.optional(z.boolean()),
  fallback_model: optionalText(),
  ...fallbackTimings,
  sandbox: z.optional(z.enum(SANDBOX_KINDS)),
  sandbox_rw: z.optional(z.array(text())),
  sandbox_ro: z.optional(z.array(text())),
});

export const phaseSchema = z.strictObject({
  id: z.string().check(z.regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, ".", "_" and "-" only (it names files)')),
  plan: text(),
  models: z.optional(z.record(z.string(), text())),
  models_fallback: z.optional(z.record(z.string(), text())),
  budget_usd: positive(),
  budget_tokens: positiveInt(),
  max_iterations: positiveInt(),
});

export const defaultsSchema = z.strictObject({
  backend: z.optional(z.enum(BACKEND_NAMES)),
  model: optionalText(),
  session_prefix: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]*$/, nameMessage))),
  state_dir: optionalText(),
  tmux_socket: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, ".", "_" and "-" only'))),
  stall_minutes: positive(),
  ...fallbackTimings,
  pass_env: passEnv(),
  workspace: z.optional(z.enum(WORKSPACE_KINDS)),
  sandbox: z.optional(z.enum(SANDBOX_KINDS)),
});

/** A git ref name as `git check-ref-format --branch` would take it, roughly: no option, no range, no control or space. */
const BRANCH = /^(?!-)(?!.*\.\.)(?!.*@\{)[^\s~^:?*[\\\p{Cc}]+(?<![./])$/u;

const branchName = (): z.ZodMiniOptional<z.ZodMiniString> =>
  z.optional(z.string().check(z.regex(BRANCH, 'a branch name (no spaces, "..", "~", "^", ":", "?", "*", "[", and not starting with "-")')));

export const workspacesSchema = z.strictObject({
  base: branchName(),
  /** the branch a pass of a commit-bound gate moves to the passed commit, fast-forward only */
  target: branchName(),
});

export const watchdogSchema = z.strictObject({
  backoff_initial_s: positive(),
  backoff_max_s: positive(),
  healthy_after_s: positive(),
  crash_limit: positiveInt(),
  crash_window_s: positive(),
  stall_check_s: positive(),
  restart_limit: positiveInt(),
  restart_window_s: positive(),
  log_max_mb: positive(),
  non_convergence_fails: positiveInt(),
  probe_initial_s: positive(),
  probe_max_s: positive(),
  resume_margin_s: z.optional(z.number().check(z.nonnegative())),
});

export const notifySchema = z.strictObject({
  webhook: optionalText(),
  command: z.optional(z.array(text()).check(z.minLength(1, 'a program to run: ["prog", "arg", ...]'))),
  events: z.optional(z.array(text())),
  timeout_s: positive(),
});

/** `[web]`: `listen = "HOST:PORT"` has the watchdog keep an `ao web` running there (an agent named `web`). */
export const webSchema = z.strictObject({
  listen: text(),
});

const perMtok = () => z.number().check(z.gte(0));

/** `[models.prices]`: `"gpt-5" = { input_per_mtok = 1.25, output_per_mtok = 10 }` (USD per million tokens). */
export const pricesSchema = z.record(text(), z.strictObject({ input_per_mtok: perMtok(), output_per_mtok: perMtok() }));

/** `[models]`: aliases (name -> model), and one subtable `prices`, so "prices" names no alias. */
export const modelsSchema = z.catchall(z.object({ prices: z.optional(pricesSchema) }), text());

export const configSchema = z.strictObject({
  defaults: z.optional(defaultsSchema),
  models: z.optional(modelsSchema),
  agents: z.record(z.string().check(z.regex(NAME, nameMessage)), agentSchema),
  phases: z.array(phaseSchema).check(z.minLength(1, 'at least one [[phases]] entry')),
  watchdog: z.optional(watchdogSchema),
  notify: z.optional(notifySchema),
  workspaces: z.optional(workspacesSchema),
  web: z.optional(webSchema),
});

export type RawConfig = z.infer<typeof configSchema>;
export type RawAgent = z.infer<typeof agentSchema>;
export type RawNotify = z.infer<typeof notifySchema>;
