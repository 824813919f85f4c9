/**
 * Helpers shared by the agent-CLI backends: argv pieces and screen reading.
 * Everything here is pure.
 */
import type { AgentKind, KickoffMode } from '../config/types.js';
import type { LaunchInput } from './types.js';

/** loop and task iterations must end by themselves, so they use one-shot mode */
export function isOneShot(kind: AgentKind): boolean {
  return kind === 'loop' || kind === 'task';
}

/** The default kickoff of an agent CLI with a one-shot mode and a TUI. */
export function agentCliKickoff(kind: AgentKind): KickoffMode {
  if (kind === 'service') return 'none';
  return isOneShot(kind) ? 'arg' : 'paste';
}

/** The program to run: the agent's `command` override, else the backend's. */
export function program(input: LaunchInput, fallback: string): string {
  return input.agent.command ?? fallback;
}

export function modelFlag(model: string | null, flag = '--model'): string[] {
  return model === null ? [] : [flag, model];
}

/**
 * The lines of a capture with trailing blanks (spaces, NBSP) cut and the
 * empty lines below the last text dropped: a TUI drawn at the top of a tall
 * pane leaves a blank bottom, and it must not hide the last real line.
 */
export function screenLines(screen: string): string[] {
  const lines = screen
    .replace(/\r/g, '')
    .split('\n')
    .map((l) => l.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The last `count` non-empty lines, top to bottom. */
export function lastNonEmpty(lines: readonly string[], count: number): string[] {
  const out: string[] = [];
  for (let i = lines.length - 1; i >= 0 && out.length < count; i--) {
    const line = lines[i];
    if (line !== undefined && line.trim() !== '') out.unshift(line);
  }
  return out;
}

/** The bottom of the screen as one string, for pattern tests. */
export function bottom(lines: readonly string[], count: number): string {
  return lastNonEmpty(lines, count).join('\n');
}

export function matchesAny(text: string, patterns: readonly RegExp[]): boolean {
  return patterns.some((p) => p.test(text));
}
