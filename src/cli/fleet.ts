/**
 * What the fleet commands share: the fleet file, each project's Io (its
 * folder, its socket and prefix overrides), and the check before a start.
 * Every per-project action is the one-project command itself (`ao up`,
 * `ao down`, `ao status`) run with that Io.
 */
import { basename } from 'node:path';
import { fleetEnv, findFleet, loadFleet, namespaceClashes, type Fleet, type FleetProject } from '../config/fleet.js';
import { loadProject } from '../config/load.js';
import type { Project } from '../config/types.js';
import { ConfigError, UsageError } from '../errors.js';
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

const fleetName = (fleet: Fleet): string => basename(fleet.file);

export interface FleetCheck {
  /** the projects that load, by name */
  loaded: Map<string, Project>;
  /** every problem, each naming its project */
  problems: string[];
}

/**
 * Loads each of `projects` as `ao check` would, with its overrides, and
 * checks that no two projects of the file (any that load) share a socket and
 * session prefix. Pure of side effects: nothing is started or written. Only
 * the projects of this machine: the others are checked on their hosts.
 */
export function checkFleet(fleet: Fleet, io: Io, projects: readonly FleetProject[] = fleet.projects): FleetCheck {
  const loaded = new Map<string, Project>();
  const problems: string[] = [];
  const wanted = new Set(projects.map((p) => p.name));
  // a project on another host is checked there, by its own ao (fleet-remote.ts)
  for (const entry of fleet.projects.filter((p) => p.host === null)) {
    try {
      loaded.set(entry.name, loadProject(entry.configFile, fleetEnv(entry, io.env)));
    } catch (error) {
      if (!wanted.has(entry.name)) continue;
      if (!(error instanceof ConfigError) && !(error instanceof UsageError)) throw error;
      const lines = error instanceof ConfigError ? error.each(fleet.dir) : [error.message];
      for (const line of lines) problems.push(`project "${entry.name}": ${line}`);
    }
  }
  const spaces = fleet.projects.flatMap((p) => {
    const project = loaded.get(p.name);
    return project ? [{ name: p.name, host: null, index: p.index, socket: project.tmuxSocket, prefix: project.sessionPrefix }] : [];
  });
  for (const clash of namespaceClashes(fleet, spaces)) problems.push(clash.format(io.cwd));
  for (const name of loaded.keys()) if (!wanted.has(name)) loaded.delete(name);
  return { loaded, problems };
}
