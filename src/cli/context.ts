import { findConfig, readProject, type LoadedProject } from '../config/load.js';
import { stateDirOf } from '../config/state-dir.js';
import type { AgentSpec, Project } from '../config/types.js';
import { ConfigError, UsageError } from '../errors.js';
import { appendEvent } from '../state/events.js';
import { readRunningProject } from '../state/running.js';
import type { EventAction } from '../supervisor/decide.js';
import { Tmux } from '../tmux/client.js';
import type { GlobalOptions, Io } from './io.js';

export interface Context {
  project: Project;
  tmux: Tmux;
  /** the project as loaded, with the agents.toml text it came from; null for the running team's last good config */
  loaded: LoadedProject | null;
}

/** Finds, loads and validates the project (exit 2 on any problem) and opens its tmux socket. */
export function openProject(options: GlobalOptions, io: Io): Context {
  const file = findConfig({ config: options.config, cwd: io.cwd, env: io.env });
  const loaded = readProject(file, io.env);
  return { project: loaded.project, tmux: new Tmux(loaded.project.tmuxSocket), loaded };
}

/**
 * For commands that must work while agents.toml is broken and the team runs
 * (the read commands, down, send, dash): on a config error, the config the
 * watchdog still runs (found in the state folder agents.toml names), with the
 * error said once on stderr unless `quiet` (the dashboard shows it itself).
 * README "When agents.toml breaks while the team runs" is the rule.
 */
export function openProjectOrRunning(options: GlobalOptions, io: Io, quiet = false): Context & { configError: string | null } {
  try {
    return { ...openProject(options, io), configError: null };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const running = readRunningProject(stateDirOf(findConfig({ config: options.config, cwd: io.cwd, env: io.env })));
    if (!running) throw error;
    if (!quiet) io.err(`ao: config error (the team runs on the last good config until agents.toml validates)\n${error.format(io.cwd)}\n`);
    return { project: running, tmux: new Tmux(running.tmuxSocket), loaded: null, configError: error.format(running.dir) };
  }
}

/** The named agents, or an error that lists the known ones. */
export function selectAgents(project: Project, names: readonly string[], fallback: (a: AgentSpec) => boolean): AgentSpec[] {
  if (names.length === 0) return project.agents.filter(fallback);
  const known = new Map(project.agents.map((a) => [a.name, a]));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new UsageError(
      `unknown agent${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}; this team has: ${project.agents.map((a) => a.name).join(', ')}`,
    );
  }
  return [...new Set(names)].map((n) => known.get(n)!);
}

export { aoEntry, packageRoot } from '../config/package-root.js';

/** Where a command's start tells of a start it could not make: the project's events.jsonl, as the watchdog's would. */
export function eventSink(project: Project): (event: EventAction) => void {
  return ({ type: _type, ...event }) => appendEvent(project.stateDir, { time: new Date().toISOString(), ...event });
}
