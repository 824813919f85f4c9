/**
 * What ao keeps of agents.toml's `env` values: a digest, never the value. The
 * state folder's records of what an agent was launched with (agents.json's
 * launchKey) and of the config in force (project.json, project-cache.json)
 * hold `ao-sha256:<hex>` in place of each value, so a changed value is still a
 * change (the agent restarts), and no key can be read back from them.
 */
import { sha256 } from './digest.js';
import type { AgentSpec, Project } from '../config/types.js';

const DIGEST = /^ao-sha256:[0-9a-f]{64}$/;
/** how a value is shown to a person: that it is set, never what it is */
export const SHOWN_VALUE = '<set>';

/** The digest of one variable's value (the name is hashed with it: the same key under two names differs). */
export function envDigest(name: string, value: string): string {
  return DIGEST.test(value) ? value : `ao-sha256:${sha256(`ao-env\0${name}\0${value}`)}`;
}

/** Whether a value is a digest that stands for a value ao did not keep. */
export const isEnvDigest = (value: string): boolean => DIGEST.test(value);

/** Every value replaced by its digest (a digest stays as it is). */
export function maskEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, envDigest(k, v)]));
}

/** Every value shown as `<set>`: what `ao up --dry-run` and `ao check` print. */
export function shownEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.keys(env).map((k) => [k, SHOWN_VALUE]));
}

/** The project as the state folder may keep it: every agent's env values as digests. */
export function maskProject(project: Project): Project {
  return { ...project, agents: project.agents.map((a) => ({ ...a, env: maskEnv(a.env) })) };
}

/** The agent's own values of `env` that are digests: it cannot be started from this copy of the config. */
export function maskedNames(agent: AgentSpec): string[] {
  return Object.entries(agent.env).flatMap(([k, v]) => (isEnvDigest(v) ? [k] : []));
}

const hashKey = (parts: readonly unknown[]): string => `sha256:${sha256(JSON.stringify(parts))}`;

/**
 * What an agent's command line is made of, beyond its model, as a hash: a
 * change in agents.toml restarts it. The same from the config and from a
 * masked copy of it (its digests stand for the values). `pass_env` counts
 * only when set, so an agent started by an ao without it keeps its key.
 */
export function launchKeyOf(agent: AgentSpec): string {
  const parts: unknown[] = [agent.backend, agent.command, agent.args, maskEnv(agent.env), agent.cwd, agent.kickoff, agent.readyPattern, agent.paceS];
  if (agent.passEnv && agent.passEnv.length > 0) parts.push(agent.passEnv);
  // a sandbox put on or taken off (or its paths changed) is a new launch: the agent restarts into it
  if (agent.sandbox) parts.push(agent.sandbox);
  return hashKey(parts);
}

/**
 * The key of an agents.json written by an ao that kept the launch key as
 * plain JSON (env values in it): read as the hash this ao would make of the
 * same launch, so it matches without a restart and the values leave the file
 * at its next write. Anything else is returned as it is.
 */
export function upgradeLaunchKey(key: string): string {
  if (!key.startsWith('[')) return key;
  try {
    const parts = JSON.parse(key) as unknown[];
    const env = parts[3];
    if (!Array.isArray(parts) || parts.length !== 8 || typeof env !== 'object' || env === null) return hashKey([key]);
    return hashKey([...parts.slice(0, 3), maskEnv(env as Record<string, string>), ...parts.slice(4)]);
  } catch {
    // not JSON after all: still no value stays in the file, and the agent restarts once
    return hashKey([key]);
  }
}
