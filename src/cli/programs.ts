/**
 * The program each agent's pane runs, and whether it is there: the cheap part
 * of `ao doctor` that `ao up` runs before it starts anything.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { AgentSpec, Project } from '../config/types.js';
import { UsageError } from '../errors.js';
import { launchArgvs } from './checks.js';
import { bwrapProblem, sandboxRefusal } from '../sandbox/host.js';

export interface AgentProgram {
  agent: AgentSpec;
  /** the first word of the command line the backend builds (the agent's `command`, else the CLI's name) */
  program: string;
  /** every command line ao may pass it (each phase's model, a new and a continued conversation) */
  argvs: string[][];
  /** its absolute path, or null when it is not there */
  found: string | null;
}

function executable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where the pane's `sh` finds `program`: a path (from the agent's folder), else the first executable of that name on PATH. */
export function findProgram(program: string, path: string | undefined, cwd: string): string | null {
  if (program.includes('/')) {
    const file = isAbsolute(program) ? program : resolve(cwd, program);
    return executable(file) ? file : null;
  }
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    const file = join(dir, program);
    if (executable(file)) return file;
  }
  return null;
}

/** Each agent's program, looked up as its pane will (its own `env.PATH`, else that of the caller); agents whose command line cannot be built are left to `ao check`. */
export function agentPrograms(project: Project, agents: readonly AgentSpec[], env: NodeJS.ProcessEnv): AgentProgram[] {
  return agents.flatMap((agent) => {
    let argvs: string[][];
    try {
      argvs = launchArgvs(project, agent);
    } catch {
      return [];
    }
    const program = argvs[0]?.[0];
    if (program === undefined) return [];
    return [{ agent, program, argvs, found: findProgram(program, agent.env.PATH ?? env.PATH, agent.cwd) }];
  });
}

/** `ao up` before it starts anything: a program missing is a usage error (exit 2) that names it and what to do. */
export function requirePrograms(project: Project, agents: readonly AgentSpec[], env: NodeJS.ProcessEnv): void {
  const missing = agentPrograms(project, agents, env).filter((p) => p.found === null);
  if (missing.length === 0) return;
  const lines = missing.map(({ agent, program }) =>
    agent.command !== null
      ? `agents.${agent.name}.command: "${program}" does not exist or is not executable`
      : `${agent.name}: \`${program}\` (the ${agent.backend} CLI) is not on PATH: install it, or set agents.${agent.name}.command to its path`,
  );
  throw new UsageError(`ao up: ${lines.join('\nao up: ')}\nnothing was started (\`ao doctor\` checks the rest of what a run needs)`);
}

/**
 * `ao up` before it starts anything: an agent with `sandbox = "bwrap"` where no
 * sandbox can be made (bubblewrap missing, its probe failing as the agent would
 * run it) is a usage error (exit 2) naming the agent and the fix: ao never
 * starts it unsandboxed.
 */
export function requireSandboxes(agents: readonly AgentSpec[], env: NodeJS.ProcessEnv): void {
  const sandboxed = agents.filter((a) => a.sandbox);
  if (sandboxed.length === 0) return;
  const problem = bwrapProblem(env);
  if (problem === null) return;
  const lines = sandboxed.map((agent) => sandboxRefusal(agent.name, problem));
  throw new UsageError(`ao up: ${lines.join('\nao up: ')}\nnothing was started`);
}
