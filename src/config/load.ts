import { budgetProblems } from './budget-check.js';
import { priceOf } from './prices.js';
import { resolveModel } from './resolve.js';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { getBackend } from '../backends/index.js';
import { ConfigError, UsageError } from '../errors.js';
export { CONFIG_FILE, findConfig, type FindOptions } from './find.js';
import { findUnknownPlaceholders } from './kickoff.js';
import { resolveNotify, type Fail } from './notify.js';
import { WEB_AGENT, webAgent } from './web.js';
import { readToml } from './toml.js';
import { excerpt } from './locate.js';
import { DEFAULT_STATE_DIR, inside, realInside, realOf } from './find.js';
import { readProjectText } from '../state/safe-fs.js';
import type { RawAgent, RawConfig } from './schema.js';
import {
  DEFAULT_FALLBACK,
  DEFAULT_WATCHDOG,
  type AgentKind,
  type AgentSpec,
  type HealPolicy,
  type PhaseSpec,
  type Project,
  type SandboxSpec,
  type WorktreeSpec,
} from './types.js';
import { layout } from '../state/layout.js';
import { errorAt, validateRaw } from './validate.js';

export const KICKOFF_TEMPLATE = join('prompts', 'kickoff.md');
/** seconds between loop starts at the least (`min_iteration_s`): an iteration that ends sooner is paced, not failed */
export const DEFAULT_MIN_ITERATION_S = 3;
/** the watchdog's session uses this name, so no agent may */
export const RESERVED_AGENT_NAMES = ['watchdog'];

const DEFAULT_HEAL: Record<AgentKind, HealPolicy> = {
  persistent: 'heal',
  loop: 'heal+stall',
  task: 'none',
  service: 'heal',
};

function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'project';
}

/** Six hex digits of the project folder's path (FNV-1a): `a/same` and `b/same`, or `my proj` and `my-proj`, never share a prefix. */
export function pathHash(path: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193);
  return ((h >>> 0) & 0xffffff).toString(16).padStart(6, '0');
}

/** The default session prefix: the folder's name for people, a hash of its path for uniqueness on a shared socket. */
export const defaultSessionPrefix = (dir: string): string => `ao-${slug(basename(dir))}-${pathHash(dir)}-`;

/** Reads, parses, validates and resolves a project. Throws ConfigError listing every problem. */
export function loadProject(file: string, env: NodeJS.ProcessEnv = process.env): Project {
  return readProject(file, env).project;
}

/** A loaded project with the agents.toml text it was loaded from (what its cached copy is keyed by). */
export interface LoadedProject {
  project: Project;
  source: string;
  /** the tmux socket agents.toml alone names (AO_TMUX_SOCKET, when set, overrides it) */
  configSocket: string;
  /** the session prefix agents.toml alone gives (AO_SESSION_PREFIX, when set, overrides it) */
  configPrefix: string;
}

/** the tmux socket when neither AO_TMUX_SOCKET nor `[defaults] tmux_socket` names one */
export const DEFAULT_TMUX_SOCKET = 'ao';

/** `loadProject`, keeping the text that was read. */
export function readProject(file: string, env: NodeJS.ProcessEnv = process.env): LoadedProject {
  const { source, data } = readToml(file);
  const raw = validateRaw(data, file, source);
  return {
    project: resolveProject(raw, file, source, env),
    source,
    configSocket: raw.defaults?.tmux_socket || DEFAULT_TMUX_SOCKET,
    configPrefix: raw.defaults?.session_prefix ?? defaultSessionPrefix(dirname(file)),
  };
}

function resolveProject(raw: RawConfig, file: string, source: string, env: NodeJS.ProcessEnv): Project {
  const dir = dirname(file);
  const errors: ConfigError[] = [];
  const fail: Fail = (path, message, find) => void errors.push(errorAt(file, source, path, message, find));
  const projectPath = (path: PropertyKey[], value: string, base = dir): string | null => {
    const abs = resolve(base, value);
    if (!inside(dir, abs)) {
      fail(path, `"${value}" points outside the project folder ${dir}`);
      return null;
    }
    // the same rule after resolving links: `rootlink/etc` with `rootlink -> /` is /etc
    if (!realInside(dir, abs)) {
      fail(path, `"${value}" points outside the project folder ${dir} through a symbolic link (to ${realOf(abs)})`);
      return null;
    }
    return abs;
  };

  const defaults = raw.defaults ?? {};
  // [models] holds the aliases and one subtable, prices (schema.ts)
  const { prices: rawPrices, ...models } = raw.models ?? {};
  const prices = Object.fromEntries(
    Object.entries(rawPrices ?? {}).map(([model, p]) => [model, { inputPerMtok: p.input_per_mtok, outputPerMtok: p.output_per_mtok }]),
  );
  const stateDir = projectPath(['defaults', 'state_dir'], defaults.state_dir ?? DEFAULT_STATE_DIR) ?? join(dir, DEFAULT_STATE_DIR);
  const socket = env.AO_TMUX_SOCKET || defaults.tmux_socket || DEFAULT_TMUX_SOCKET;
  if (!/^[A-Za-z0-9_.-]+$/.test(socket))
    throw new UsageError(`AO_TMUX_SOCKET "${socket}" is not a usable tmux socket name (letters, digits, ".", "_" and "-" only)`);
  const name = basename(dir);
  // AO_SESSION_PREFIX: a fleet.toml's session_prefix for this project, over agents.toml's
  const sessionPrefix = env.AO_SESSION_PREFIX || (defaults.session_prefix ?? defaultSessionPrefix(dir));
  if (!/^[A-Za-z0-9_-]*$/.test(sessionPrefix))
    throw new UsageError(`AO_SESSION_PREFIX "${sessionPrefix}" is not a usable session prefix (letters, digits, "_" and "-" only)`);

  const kickoffTemplatePath = join(dir, KICKOFF_TEMPLATE);
  let kickoffTemplate = '';
  const template = readTemplate(dir, kickoffTemplatePath);
  if (typeof template !== 'string') {
    errors.push(new ConfigError(kickoffTemplatePath, template.problem));
  } else {
    kickoffTemplate = template;
    for (const bad of findUnknownPlaceholders(kickoffTemplate)) {
      errors.push(
        new ConfigError(
          kickoffTemplatePath,
          `unknown placeholder {${bad.name}} (write {{ and }} for literal braces)`,
          bad.line,
          bad.column,
          excerpt(kickoffTemplate, bad.line, bad.column),
        ),
      );
    }
  }

  const agents = Object.entries(raw.agents).map(([agentName, agent]) =>
    resolveAgent(agentName, agent, raw, { dir, stateDir, sessionPrefix, fail, projectPath }),
  );
  if (agents.length === 0) fail(['agents'], 'the team has no agents: add an [agents.NAME] table');
  const web = webAgent(raw, fail);
  if (web) agents.push(resolveAgent(WEB_AGENT, web, raw, { dir, stateDir, sessionPrefix, fail, projectPath }));

  const seen = new Set<string>();
  const phases: PhaseSpec[] = raw.phases.map((phase, index) => {
    if (seen.has(phase.id)) fail(['phases', index, 'id'], `duplicate phase id "${phase.id}"`);
    seen.add(phase.id);
    const phasesDir = join(dir, 'phases');
    const planPath = resolve(phasesDir, phase.plan);
    if (!inside(phasesDir, planPath)) fail(['phases', index, 'plan'], `"${phase.plan}" points outside the phases/ folder`);
    else if (!realInside(phasesDir, planPath))
      fail(['phases', index, 'plan'], `"${phase.plan}" points outside the phases/ folder through a symbolic link (to ${realOf(planPath)})`);
    else if (!existsSync(planPath)) {
      // `plan = "phases/x.md"` looks for phases/phases/x.md: plans are named relative to phases/
      const stripped = phase.plan.replace(/^(\.\/)?phases\//, '');
      const hint = stripped !== phase.plan ? `; plan paths are relative to the phases/ folder: write plan = "${stripped}"` : '';
      fail(['phases', index, 'plan'], `plan file not found: phases/${phase.plan}${hint}`);
    }
    for (const key of ['models', 'models_fallback'] as const) {
      for (const role of Object.keys(phase[key] ?? {})) {
        if (!Object.hasOwn(raw.agents, role)) {
          fail(
            ['phases', index, key, role],
            `phase "${phase.id}" overrides the ${key === 'models' ? '' : 'fallback '}model of "${role}", but the team has no such agent (agents: ${Object.keys(raw.agents).join(', ')})`,
          );
        }
      }
    }
    return {
      id: phase.id,
      plan: phase.plan,
      planPath,
      models: { ...(phase.models ?? {}) },
      modelsFallback: { ...(phase.models_fallback ?? {}) },
      budgetUsd: phase.budget_usd ?? null,
      budgetTokens: phase.budget_tokens ?? null,
      maxIterations: phase.max_iterations ?? null,
    };
  });

  const notify = resolveNotify(raw.notify, fail);
  // a budget that could never be reached fails closed (config/budget-check.ts)
  const sources = { aliases: models, defaultModel: defaults.model ?? null };
  for (const problem of budgetProblems(
    agents.map((a) => ({
      ...a,
      reportsCost: getBackend(a.backend).reportsCost === true,
      // the model it runs in each phase has a price, or not
      priced: Object.fromEntries(phases.map((p) => [p.id, priceOf(prices, models, resolveModel(sources, p.models, a.name, a.model)) !== null])),
    })),
    phases,
  ))
    fail(problem.path, problem.message);

  // the target is ao's to move: never a worktree agent's own branch, nor the branch worktrees start from
  const target = raw.workspaces?.target;
  if (target !== undefined) {
    const owner = agents.find((a) => a.worktree?.branch === target);
    if (owner) fail(['workspaces', 'target'], `"${target}" is the branch of ${owner.name}'s own worktree; the target must be a branch of its own`);
    else if (target === raw.workspaces?.base) fail(['workspaces', 'target'], `"${target}" is also [workspaces] base; the target must be a branch of its own`);
  }

  if (errors.length > 0) throw ConfigError.all(errors);
  const w = raw.watchdog ?? {};
  return {
    name,
    dir,
    configFile: file,
    stateDir,
    sessionPrefix,
    tmuxSocket: socket,
    defaultModel: defaults.model ?? null,
    models,
    ...(Object.keys(prices).length > 0 ? { prices } : {}),
    agents,
    phases,
    kickoffTemplate,
    kickoffTemplatePath,
    watchdog: {
      backoffInitialS: w.backoff_initial_s ?? DEFAULT_WATCHDOG.backoffInitialS,
      backoffMaxS: w.backoff_max_s ?? DEFAULT_WATCHDOG.backoffMaxS,
      healthyAfterS: w.healthy_after_s ?? DEFAULT_WATCHDOG.healthyAfterS,
      crashLimit: w.crash_limit ?? DEFAULT_WATCHDOG.crashLimit,
      crashWindowS: w.crash_window_s ?? DEFAULT_WATCHDOG.crashWindowS,
      stallCheckS: w.stall_check_s ?? DEFAULT_WATCHDOG.stallCheckS,
      restartLimit: w.restart_limit ?? DEFAULT_WATCHDOG.restartLimit,
      restartWindowS: w.restart_window_s ?? DEFAULT_WATCHDOG.restartWindowS,
      logMaxMb: w.log_max_mb ?? DEFAULT_WATCHDOG.logMaxMb,
      nonConvergenceFails: w.non_convergence_fails ?? DEFAULT_WATCHDOG.nonConvergenceFails,
      probeInitialS: w.probe_initial_s ?? DEFAULT_WATCHDOG.probeInitialS,
      probeMaxS: w.probe_max_s ?? DEFAULT_WATCHDOG.probeMaxS,
      resumeMarginS: w.resume_margin_s ?? DEFAULT_WATCHDOG.resumeMarginS,
    },
    ...(notify ? { notify } : {}),
    ...(raw.web ? { web: { listen: raw.web.listen } } : {}),
    ...(raw.workspaces ? { workspaces: { base: raw.workspaces.base ?? null, ...(raw.workspaces.target ? { target: raw.workspaces.target } : {}) } } : {}),
  };
}

/**
 * The kickoff template's text, or why it cannot be used: missing, a link out of
 * the project, or not a regular file (a FIFO would hang every command, a link
 * to /dev/zero eat memory: read without blocking and up to a cap).
 */
function readTemplate(dir: string, file: string): string | { problem: string } {
  if (!existsSync(file)) return { problem: 'the kickoff template is missing (every loop iteration starts from it)' };
  if (!realInside(dir, file)) return { problem: `the kickoff template points outside the project folder ${dir} through a symbolic link (to ${realOf(file)})` };
  try {
    return readProjectText(file);
  } catch (error) {
    const reason = (error as { reason?: string }).reason ?? (error as Error).message;
    return { problem: `the kickoff template cannot be read: ${reason}` };
  }
}

/** An agent's own worktree: `state/worktrees/<agent>` on branch `ao/<agent>` (DESIGN §11). */
export const worktreeOf = (stateDir: string, agent: string): WorktreeSpec => ({ path: layout.worktree(stateDir, agent), branch: `ao/${agent}` });

interface AgentContext {
  dir: string;
  stateDir: string;
  sessionPrefix: string;
  fail: Fail;
  projectPath: (path: PropertyKey[], value: string, base?: string) => string | null;
}

function resolveAgent(name: string, agent: RawAgent, raw: RawConfig, ctx: AgentContext): AgentSpec {
  const at = (key: string): PropertyKey[] => ['agents', name, key];
  if (RESERVED_AGENT_NAMES.includes(name)) ctx.fail(['agents', name], `"${name}" is reserved for ao's own watchdog session`);
  const backend = agent.backend ?? raw.defaults?.backend ?? 'demo';
  const needsCommand = backend === 'shell' || agent.kind === 'service';
  if (needsCommand && !agent.command) ctx.fail(at('command'), `a ${agent.kind === 'service' ? 'service' : 'shell agent'} needs a command`);

  let prompt: string | null = null;
  if (agent.prompt !== undefined) {
    prompt = ctx.projectPath(at('prompt'), agent.prompt);
    if (prompt && !existsSync(prompt)) ctx.fail(at('prompt'), `prompt file not found: ${agent.prompt}`);
  } else {
    const conventional = join(ctx.dir, 'prompts', `${name}.md`);
    if (existsSync(conventional)) prompt = conventional;
  }

  const worktree = (agent.workspace ?? raw.defaults?.workspace) === 'worktree' ? worktreeOf(ctx.stateDir, name) : null;
  let cwd = worktree?.path ?? ctx.dir;
  if (agent.cwd !== undefined && worktree) {
    // inside its worktree, which its first start creates: whether the folder is there is asked at each start
    cwd = resolve(worktree.path, agent.cwd);
    if (!inside(worktree.path, cwd)) ctx.fail(at('cwd'), `"${agent.cwd}" points outside the agent's worktree (it works in state/worktrees/${name})`);
  } else if (agent.cwd !== undefined) {
    cwd = ctx.projectPath(at('cwd'), agent.cwd) ?? ctx.dir;
    if (!existsSync(cwd) || !statSync(cwd).isDirectory()) ctx.fail(at('cwd'), `working folder not found: ${agent.cwd}`);
  }

  const sandbox = sandboxOf(name, agent, raw, ctx);

  if (agent.on_phase_advance && agent.kind !== 'task') ctx.fail(at('on_phase_advance'), `only a task runs on phase advance (this agent is a ${agent.kind})`);

  if (agent.ready_pattern !== undefined) {
    try {
      new RegExp(agent.ready_pattern, 'm');
    } catch (error) {
      ctx.fail(at('ready_pattern'), `not a valid regular expression: ${(error as Error).message}`);
    }
  }

  return {
    name,
    session: `${ctx.sessionPrefix}${name}`,
    kind: agent.kind,
    backend,
    model: agent.model ?? null,
    heal: agent.heal ?? DEFAULT_HEAL[agent.kind],
    enabled: agent.enabled ?? true,
    prompt,
    command: agent.command ?? null,
    args: agent.args ?? [],
    env: agent.env ?? {},
    passEnv: [...new Set([...(raw.defaults?.pass_env ?? []), ...(agent.pass_env ?? [])])],
    cwd,
    ...(worktree ? { worktree } : {}),
    stallMinutes: agent.stall_minutes ?? raw.defaults?.stall_minutes ?? 15,
    kickoff: agent.kickoff ?? (agent.kind === 'service' ? 'none' : getBackend(backend).defaultKickoff(agent.kind)),
    readyPattern: agent.ready_pattern ?? null,
    notify: agent.notify ?? false,
    paceS: agent.pace_s ?? null,
    minIterationS: agent.min_iteration_s ?? DEFAULT_MIN_ITERATION_S,
    onPhaseAdvance: agent.on_phase_advance ?? false,
    budgetUsd: agent.budget_usd ?? null,
    budgetTokens: agent.budget_tokens ?? null,
    // the default is where the backend can: a `true` on one that cannot was written, and ao check says so
    resume: agent.resume ?? (agent.kind === 'persistent' && getBackend(backend).conversations !== undefined),
    mayMovePhase: agent.may_move_phase ?? false,
    fallbackModel: agent.fallback_model ?? null,
    fallback: {
      afterS: agent.fallback_after_s ?? raw.defaults?.fallback_after_s ?? DEFAULT_FALLBACK.afterS,
      probeS: agent.fallback_probe_s ?? raw.defaults?.fallback_probe_s ?? DEFAULT_FALLBACK.probeS,
      onUsageLimit: agent.fallback_on_usage_limit ?? raw.defaults?.fallback_on_usage_limit ?? DEFAULT_FALLBACK.onUsageLimit,
    },
    ...(sandbox ? { sandbox } : {}),
  };
}

/**
 * `sandbox`, `sandbox_rw`, `sandbox_ro` resolved: each extra path inside the
 * project or absolute, and there (bubblewrap refuses to start on a missing
 * one). The state folder is ao's: no extra path may open it, whole or in part,
 * to writing (an agent writes only its own coordination files there).
 */
function sandboxOf(name: string, agent: RawAgent, raw: RawConfig, ctx: AgentContext): SandboxSpec | null {
  const kind = agent.sandbox ?? raw.defaults?.sandbox ?? 'none';
  const paths = (key: 'sandbox_rw' | 'sandbox_ro'): string[] => {
    const given = agent[key] ?? [];
    if (given.length > 0 && kind !== 'bwrap') ctx.fail(['agents', name, key], `${key} needs sandbox = "bwrap" (this agent has none)`);
    return given.flatMap((value, index) => {
      const at = ['agents', name, key, index];
      const abs = isAbsolute(value) ? value : ctx.projectPath(at, value);
      if (abs === null) return [];
      if (!existsSync(abs)) {
        ctx.fail(at, `"${value}" not found (bubblewrap binds only what exists)`);
        return [];
      }
      if (key === 'sandbox_rw' && (inside(abs, ctx.stateDir) || inside(ctx.stateDir, abs))) {
        ctx.fail(at, `"${value}" opens the state folder to writing; it is ao's, and a sandboxed agent writes only its own coordination files there`);
        return [];
      }
      return [abs];
    });
  };
  const rw = paths('sandbox_rw');
  const ro = paths('sandbox_ro');
  return kind === 'bwrap' ? { kind, rw, ro } : null;
}
