/**
 * Claude Code (`claude`). Loops run print mode with stream-json so a pane
 * shows progress and the stream carries session id, usage and cost;
 * persistent agents run the TUI and get their kickoff pasted.
 *
 * Screens (captured from Claude Code 2.1 in tmux, see tests/fixtures/screens/claude):
 * the input box is a `❯` line between two full-width `─` rules with a footer
 * below ("? for shortcuts" idle, "esc to interrupt" working) and the spinner
 * line ("✽ Doodling…", "✢ Pouncing… (39s)") above it. Dialogs (folder trust,
 * API key, tool permission) replace the input box. Claude Code 1.x drew the
 * input as `│ > ` inside a rounded box instead; both layouts are read.
 */
import type { DetectOptions, Backend, LaunchInput, ScreenState } from './types.js';
import type { AgentKind, KickoffMode } from '../config/types.js';
import { agentCliKickoff, bottom, isOneShot, matchesAny, modelFlag, program, screenLines } from './common.js';

const RULE = /^─{8,}$/;
const OLD_BOX_TOP = /^╭─+╮$/;
const PROMPT = /^❯(?:\s|$)|^>(?:\s|$)/;
const OLD_PROMPT = /^│\s*>(?:\s|$)/;
/** how far up from the bottom the input box may start (a long draft makes it tall) */
const BOX_SEARCH_LINES = 30;

/** Claude's spinner frames; a live spinner line ends in "…", a finished one ("✻ Crunched for 0s") does not. */
const LIVE_SPINNER = /^\s*[·✢✳✶✻✽]\s+\S.*…(?:\s*\(.*\))?$/;
const INTERRUPT_HINT = /(?:esc|ctrl\+c) to interrupt/i;

const DIALOGS: readonly RegExp[] = [
  /Do you want to proceed\?/i,
  /^\s*(?:│\s*)?Do you want to .+\?/im, // "make this edit to", "create", "use this API key"
  /Do you trust the files in this folder\?/i, // 1.x trust dialog
  /Is this a project you created or one you trust\?/i, // 2.x trust dialog
  /^\s*(?:│\s*)?❯\s*\d+\.\s/m, // the selection cursor on a numbered choice
  /Enter to confirm · Esc to cancel/i,
];

/** Index of the input box's prompt line, or -1 when no input box is on screen. */
function findPromptLine(lines: readonly string[]): number {
  const stop = Math.max(1, lines.length - BOX_SEARCH_LINES);
  for (let i = lines.length - 1; i >= stop; i--) {
    const line = (lines[i] ?? '').trim();
    const above = (lines[i - 1] ?? '').trim();
    if (PROMPT.test(line) && RULE.test(above)) return i;
    if (OLD_PROMPT.test(line) && OLD_BOX_TOP.test(above)) return i;
  }
  return -1;
}

export function detectClaude(screen: string, _options?: DetectOptions): ScreenState {
  const lines = screenLines(screen);
  if (lines.length === 0) return 'unknown';
  const promptAt = findPromptLine(lines);
  if (promptAt >= 0) {
    // The box is drawn while working too: the footer hint and the spinner
    // line just above the box tell the two apart.
    const below = lines.slice(promptAt).join('\n');
    const above = bottom(lines.slice(0, promptAt - 1), 6).split('\n');
    if (INTERRUPT_HINT.test(below) || INTERRUPT_HINT.test(above.join('\n'))) return 'busy';
    if (above.some((l) => LIVE_SPINNER.test(l))) return 'busy';
    return 'ready';
  }
  const tail = bottom(lines, 20);
  if (matchesAny(tail, DIALOGS)) return 'waiting';
  if (INTERRUPT_HINT.test(tail)) return 'busy';
  return 'unknown';
}

export const claude: Backend = {
  name: 'claude',
  defaultKickoff(kind: AgentKind): KickoffMode {
    return agentCliKickoff(kind);
  },
  argv(input: LaunchInput): string[] {
    const cmd = program(input, 'claude');
    const model = modelFlag(input.model);
    if (isOneShot(input.agent.kind)) {
      // Permission flags are left to the agent's `args`: ao does not choose
      // to skip Claude's permission checks on anyone's behalf. With kickoff
      // 'arg' the launcher appends the prompt; with 'stdin' print mode reads it.
      return [cmd, '-p', '--output-format', 'stream-json', '--verbose', ...model, ...input.agent.args];
    }
    // An interactive session takes an optional initial prompt as its last
    // argument, so kickoff 'arg' needs nothing more here.
    return [cmd, ...model, ...input.agent.args];
  },
  detect: detectClaude,
};
