/**
 * Google Gemini CLI (`gemini`). Loops run headless mode with
 * `--output-format stream-json` (made readable in the pane by `ao
 * format-stream`, kept raw in state/streams for usage and trouble): `-p`
 * takes the prompt as its value, so it must be the last flag before the kickoff.
 *
 * Screens (captured from gemini-cli 0.61 in tmux, see tests/fixtures/screens/gemini):
 * the input is a ` >   Type your message or @path/to/file` line with a footer
 * (workspace, sandbox, model) below; 0.1x drew it in a rounded box with
 * "no sandbox (see /docs)" and "context left" under it. Work in flight shows
 * "⠸ Thinking... (esc to cancel, 9s)" just above the input. Tool
 * confirmations and the folder-trust dialog replace the input with a boxed
 * question and `● 1.` choices.
 */
import type { DetectOptions, Backend, DialogName, LaunchInput, ScreenState } from './types.js';
import type { AgentKind, KickoffMode } from '../config/types.js';
import { agentCliKickoff, bottom, isOneShot, matchesAny, modelFlag, program, screenLines } from './common.js';
import { geminiConversationArgs, geminiConversations } from './gemini-session.js';
import { geminiTrouble, geminiUsage } from './gemini-stream.js';

const PLACEHOLDER = /Type your message or @path\/to\/file/;
const INPUT_LINE = /^\s*(?:│\s*)?[>!*]\s/m;
const FOOTER = /no sandbox|sandbox \(see|context left|workspace \(\/directory\)/i;
const BUSY_HINT = /esc to cancel/i;
/** What marks a dialog: the selected option of a radio list, or the wait notice. */
const DIALOG_MARKS: readonly RegExp[] = [/^\s*(?:│\s*)?●\s*\d+\.\s/m, /waiting for user confirmation/i];
/** What the dialog asks, most specific first. */
const DIALOGS: readonly (readonly [DialogName, RegExp])[] = [
  ['folder trust', /Do you trust (?:the files in )?this folder\?/i],
  ['tool permission', /Allow execution of\b|Apply this change\?|Do you want to proceed\?|waiting for user confirmation/i],
];

/**
 * The dialog on screen, anywhere, or null. A live dialog replaces the input
 * box; one with the input box drawn again below it was answered (after the
 * trust dialog Gemini CLI restarts below the old frame). Gemini CLI 0.61
 * draws its input box for a moment before the folder-trust dialog appears,
 * so a ready frame may still turn into a dialog: callers wait for a steady screen.
 */
export function geminiDialog(screen: string): DialogName | null {
  const lines = screenLines(screen);
  let at = -1;
  lines.forEach((l, i) => {
    if (matchesAny(l, DIALOG_MARKS)) at = i;
  });
  if (at < 0 || lines.slice(at + 1).some((l) => PLACEHOLDER.test(l) || FOOTER.test(l))) return null;
  const text = lines.join('\n');
  for (const [name, pattern] of DIALOGS) if (pattern.test(text)) return name;
  return 'question';
}

function hasInput(lines: readonly string[]): boolean {
  const tail = bottom(lines, 6);
  return PLACEHOLDER.test(tail) || (INPUT_LINE.test(tail) && FOOTER.test(tail));
}

export function detectGemini(screen: string, _options?: DetectOptions): ScreenState {
  const lines = screenLines(screen);
  if (lines.length === 0) return 'unknown';
  if (geminiDialog(screen) !== null) return 'waiting';
  if (hasInput(lines)) {
    return BUSY_HINT.test(bottom(lines, 10)) ? 'busy' : 'ready';
  }
  const tail = bottom(lines, 20);
  if (BUSY_HINT.test(tail)) return 'busy';
  return 'unknown';
}

export const gemini: Backend = {
  name: 'gemini',
  // so does Gemini; and it turns an Enter within 40 ms of a paste it has just handled into a newline
  settleMs: 1500,
  enterAfterMs: 800,
  defaultKickoff(kind: AgentKind): KickoffMode {
    // `-p TEXT` is parsed by yargs: a kickoff that starts with "- " is read as
    // short flags (0.61 printed its version and exited), so iterations get
    // the kickoff on stdin, byte for byte, and run headless on it.
    return isOneShot(kind) ? 'stdin' : agentCliKickoff(kind);
  },
  argv(input: LaunchInput): string[] {
    const cmd = program(input, 'gemini');
    const own = [cmd, ...modelFlag(input.model), ...geminiConversationArgs(input), ...input.agent.args];
    if (isOneShot(input.agent.kind)) {
      // Headless runs in a folder not yet trusted exit 55 (0.61); the agent's
      // cwd is the folder its maintainer set it to work in.
      // an agent that chose an output format itself keeps it (text or json: shown as it comes)
      const chosen = input.agent.args.some((a) => a === '-o' || a === '--output-format' || a.startsWith('--output-format=') || a.startsWith('-o='));
      const headless = [...own, ...(chosen ? [] : ['--output-format', 'stream-json']), '--skip-trust'];
      return input.kickoff === 'arg' ? [...headless, '-p'] : headless;
    }
    // `-i` runs the prompt and stays interactive.
    return input.kickoff === 'arg' ? [...own, '-i'] : own;
  },
  detect: detectGemini,
  dialog: geminiDialog,
  trouble: geminiTrouble,
  usage: geminiUsage,
  conversations: geminiConversations,
  ownFiles: { dirs: ['.gemini'], files: [] },
  credentials: {
    env: ['GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_GENAI_USE_VERTEXAI', 'GOOGLE_APPLICATION_CREDENTIALS'],
    files: ['.gemini/oauth_creds.json'],
  },
};
