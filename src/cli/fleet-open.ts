/**
 * The fleet file and each project's way to run: what every fleet command opens,
 * apart from the check before a start (fleet.ts), so that `ao fleet status`
 * (dist/fleet.cjs) loads no agents.toml loader for projects it reads from copies.
 */
import { basename } from 'node:path';
import { fleetEnv, findFleet, loadFleet, type Fleet, type FleetProject } from '../config/fleet.js';
import { UsageError } from '../errors.js';
import type { GlobalOptions, Io } from './io.js';

export interface FleetOptions {
  /** `-f FILE` */
  file?: string | undefined;
}

export function openFleet(options: FleetOptions, io: Io): Fleet {
  return loadFleet(findFleet({ file: options.file, cwd: io.cwd, env: io.env }));
}

/** The project's commands run in its folder, with its overrides. */
export function projectIo(project: FleetProject, io: Io): Io {
  return { ...io, cwd: project.dir, env: fleetEnv(project, io.env) };
}

export const projectOptions = (project: FleetProject): GlobalOptions => ({ config: project.configFile });

/** Lines each written with a prefix: one project's output among the fleet's. */
export function indented(io: Io, prefix = '  '): Io {
  const indent = (text: string): string => text.replace(/^(?=.)/gm, prefix);
  return { ...io, out: (t) => io.out(indent(t)), err: (t) => io.err(indent(t)) };
}

/**
 * The named projects (default: `fallback`), or a usage error that lists the
 * known ones; a disabled project named explicitly needs `force` when `start`.
 */
export function selectProjects(
  fleet: Fleet,
  names: readonly string[],
  fallback: (p: FleetProject) => boolean,
  force?: { start: boolean; force: boolean },
): FleetProject[] {
  if (names.length === 0) return fleet.projects.filter(fallback);
  const known = new Map(fleet.projects.map((p) => [p.name, p]));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0)
    throw new UsageError(
      `unknown project${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}; ${fleetName(fleet)} has: ${fleet.projects.map((p) => p.name).join(', ') || 'none'}`,
    );
  const chosen = [...new Set(names)].map((n) => known.get(n)!);
  const disabled = chosen.filter((p) => !p.enabled);
  if (force?.start && !force.force && disabled.length > 0)
    throw new UsageError(
      `${disabled.map((p) => `"${p.name}"`).join(', ')} ${disabled.length > 1 ? 'are' : 'is'} disabled in ${fleetName(fleet)} (enabled = false); add --force to start ${disabled.length > 1 ? 'them' : 'it'} anyway`,
    );
  return chosen;
}

export const fleetName = (fleet: Fleet): string => basename(fleet.file);
