/**
 * Google Gemini CLI (`gemini`). Loops run headless mode: `-p` takes the
 * prompt as its value, so it must be the last flag before the kickoff.
 *
 * Screens (captured from gemini-cli 0.61 in tmux, see tests/fixtures/screens/gemini):
 * the input is a ` >   Type your message or @path/to/file` line with a footer
 * (workspace, sandbox, model) below; 0.1x drew it in a rounded box with
 * "no sandbox (see /docs)" and "context left" under it. Work in flight shows
 * "⠸ Thinking... (esc to cancel, 9s)" just above the input. Tool
 * confirmations and the folder-trust dialog replace the input with a boxed
 * question and `● 1.` choices.
 */
import type { DetectOptions, Backend, LaunchInput, ScreenState } from './types.js';
import type { AgentKind, KickoffMode } from '../config/types.js';
import { agentCliKickoff, bottom, isOneShot, matchesAny, modelFlag, program, screenLines } from './common.js';

const PLACEHOLDER = /Type your message or @path\/to\/file/;
const INPUT_LINE = /^\s*(?:│\s*)?[>!*]\s/m;
const FOOTER = /no sandbox|sandbox \(see|context left|workspace \(\/directory\)/i;
const BUSY_HINT = /esc to cancel/i;
const DIALOGS: readonly RegExp[] = [
  /waiting for user confirmation/i,
  /Allow execution of\b/i,
  /Apply this change\?/i,
  /Do you want to proceed\?/i,
  /Do you trust (?:the files in )?this folder\?/i,
  /^\s*(?:│\s*)?●\s*\d+\.\s/m, // the selected option of a radio list
];

function hasInput(lines: readonly string[]): boolean {
  const tail = bottom(lines, 6);
  return PLACEHOLDER.test(tail) || (INPUT_LINE.test(tail) && FOOTER.test(tail));
}

export function detectGemini(screen: string, _options?: DetectOptions): ScreenState {
  const lines = screenLines(screen);
  if (lines.length === 0) return 'unknown';
  if (hasInput(lines)) {
    return BUSY_HINT.test(bottom(lines, 10)) ? 'busy' : 'ready';
  }
  const tail = bottom(lines, 20);
  if (matchesAny(tail, DIALOGS)) return 'waiting';
  if (BUSY_HINT.test(tail)) return 'busy';
  return 'unknown';
}

export const gemini: Backend = {
  name: 'gemini',
  defaultKickoff(kind: AgentKind): KickoffMode {
    return agentCliKickoff(kind);
  },
  argv(input: LaunchInput): string[] {
    const cmd = program(input, 'gemini');
    const own = [cmd, ...modelFlag(input.model), ...input.agent.args];
    if (isOneShot(input.agent.kind)) {
      // With 'stdin' gemini sees a non-TTY stdin and runs headless on it.
      return input.kickoff === 'arg' ? [...own, '-p'] : own;
    }
    // `-i` runs the prompt and stays interactive.
    return input.kickoff === 'arg' ? [...own, '-i'] : own;
  },
  detect: detectGemini,
};
