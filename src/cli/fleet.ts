/**
 * What the fleet commands share: the fleet file, each project's Io (its
 * folder, its socket and prefix overrides), and the check before a start.
 * Every per-project action is the one-project command itself (`ao up`,
 * `ao down`, `ao status`) run with that Io.
 */
import { fleetEnv, namespaceClashes, type Fleet, type FleetProject } from '../config/fleet.js';
import { loadProject } from '../config/load.js';
import type { Project } from '../config/types.js';
import { ConfigError, UsageError } from '../errors.js';
import type { Io } from './io.js';

export { fleetName, indented, openFleet, projectIo, projectOptions, selectProjects, type FleetOptions } from './fleet-open.js';

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
