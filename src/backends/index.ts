/** The backends by name. Adding a backend is one file plus one line here. */
import type { BackendName } from '../config/types.js';
import type { Backend } from './types.js';
import { aider } from './aider.js';
import { claude } from './claude.js';
import { codex } from './codex.js';
import { demo } from './demo.js';
import { gemini } from './gemini.js';
import { opencode } from './opencode.js';
import { shell } from './shell.js';

export const BACKENDS: Readonly<Record<BackendName, Backend>> = {
  claude,
  codex,
  gemini,
  opencode,
  aider,
  shell,
  demo,
};

export function getBackend(name: BackendName): Backend {
  // names come from config files: guard against a value the types did not see
  const backend: Backend | undefined = BACKENDS[name];
  if (backend === undefined) throw new Error(`unknown backend "${String(name)}"`);
  return backend;
}

export type { Backend, DetectOptions, DialogName, LaunchInput, ScreenState } from './types.js';
