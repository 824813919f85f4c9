/** The state folder's records of the config in force: the project the watchdog runs and the error of an edit it could not apply. */
import type { Project } from '../config/types.js';
import { readJson, writeJsonAtomic } from './files.js';
import { layout } from './layout.js';
import { maskProject } from './secrets.js';

export interface ConfigErrorRecord {
  at: string;
  message: string;
}

export function readConfigError(stateDir: string): ConfigErrorRecord | null {
  try {
    return readJson<ConfigErrorRecord>(layout.configError(stateDir));
  } catch {
    return null;
  }
}

export function readRunningProject(stateDir: string): Project | null {
  try {
    return readJson<Project>(layout.runningProject(stateDir));
  } catch {
    return null;
  }
}

/**
 * Records the config in force, its env values as digests (state/secrets.ts):
 * a watchdog that comes back on it keeps every agent that runs, and can start
 * again only the agents without env values until agents.toml validates.
 */
export async function writeRunningProject(project: Project): Promise<void> {
  await writeJsonAtomic(layout.runningProject(project.stateDir), maskProject(project));
}
