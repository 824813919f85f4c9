/**
 * Any command (`backend = "shell"`): a service, a script, a REPL. ao knows
 * nothing of its flags, so the argv is exactly the agent's command and args,
 * and its screen is read through the agent's `ready_pattern` when it has one.
 */
import type { DetectOptions, Backend, LaunchInput, ScreenState } from './types.js';
import type { KickoffMode } from '../config/types.js';
import { lastNonEmpty, screenLines } from './common.js';

/**
 * bash/sh `$ `, root `# `, zsh `% `, REPLs `> ` and python `>>> `. tmux drops
 * the blank after a prompt from a capture, so the prompt character must end
 * the line; `%` must stand alone so that "coverage 85%" is not a prompt.
 */
const COMMON_PROMPT = /(?:[$#>]|(?:^|\s)%)$/;

/** Patterns compiled once: detect runs on every watchdog sweep. Invalid ones map to null. */
const compiled = new Map<string, RegExp | null>();

function readyRegExp(source: string): RegExp | null {
  if (!compiled.has(source)) {
    let re: RegExp | null = null;
    try {
      re = new RegExp(source, 'm');
    } catch {
      // the config validator reports a bad pattern; detect stays total
    }
    compiled.set(source, re);
  }
  return compiled.get(source) ?? null;
}

export function detectShell(screen: string, options?: DetectOptions): ScreenState {
  const raw = lastNonEmpty(screenLines(screen), 1)[0];
  if (raw === undefined) return 'unknown';
  const pattern = options?.readyPattern;
  if (pattern !== undefined && pattern !== null && pattern !== '') {
    const re = readyRegExp(pattern);
    if (re === null) return 'unknown';
    return re.test(raw) ? 'ready' : 'busy';
  }
  return COMMON_PROMPT.test(raw) ? 'ready' : 'busy';
}

export const shell: Backend = {
  name: 'shell',
  settleMs: 300,
  defaultKickoff(): KickoffMode {
    return 'none';
  },
  argv(input: LaunchInput): string[] {
    if (input.agent.command === null) {
      throw new Error(`agent "${input.agent.name}": backend "shell" needs a command`);
    }
    return [input.agent.command, ...input.agent.args];
  },
  detect: detectShell,
};
