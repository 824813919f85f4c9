/** The state folder's records of the config in force: the project the watchdog runs and the error of an edit it could not apply. */
import type { Project } from '../config/types.js';
import { readJson } from './files.js';
import { layout } from './layout.js';

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
