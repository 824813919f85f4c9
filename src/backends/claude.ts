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
import type { DetectOptions, Backend, DialogName, LaunchInput, ScreenState } from './types.js';
import type { AgentKind, AgentSpec, KickoffMode } from '../config/types.js';
import { claudeConversations, conversationArgs, hookArgs, withoutSettings } from './claude-session.js';
import { agentCliKickoff, bottom, isOneShot, modelFlag, program, screenLines } from './common.js';
import { claudeFellBack, claudeTrouble, claudeUsage } from './claude-stream.js';

const RULE = /^─{8,}$/;
const OLD_BOX_TOP = /^╭─+╮$/;
const PROMPT = /^❯(?:\s|$)|^>(?:\s|$)/;
const OLD_PROMPT = /^│\s*>(?:\s|$)/;
/** how far up from the bottom the input box may start (a long draft makes it tall) */
const BOX_SEARCH_LINES = 30;

/**
 * Claude's spinner frames (2.1.3xx adds a plain `*`); a live spinner line ends
 * in "…" with an optional "(12s · esc to interrupt)", a finished one
 * ("✻ Crunched for 0s") has no "…". A tool in flight shows "⎿  Running…".
 */
const LIVE_SPINNER = /^\s*[·✢✳✶✻✽*]\s+\S.*…(?:\s*\(.*\))?$/;
const TOOL_RUNNING = /^\s*⎿\s+Running…/;
const INTERRUPT_HINT = /(?:esc|ctrl\+c) to interrupt/i;

/**
 * A dialog's selection cursor: `❯` indented under the dialog's title
 * (" ❯ 1. Yes", "  ❯ No (recommended)", 1.x: "│ ❯ 1. Yes"). The input box's `❯` and the user's
 * echoed messages sit at column 0, so they never match.
 */
const CHOICE_CURSOR = /^(?:[ \t\u00a0]+|[ \t\u00a0]*│\s*)❯\s+\S/m;
const CONFIRM_HINT = /Enter to confirm · Esc to (?:cancel|exit)|Esc to cancel · Tab to amend/i;
/** What the dialog asks, most specific first; each needs a cursor or a confirm hint on screen too. */
const DIALOGS: readonly (readonly [DialogName, RegExp])[] = [
  ['folder trust', /Is this a project you created or one you trust\?|Do you trust the files in this folder\?|Yes, I trust this folder/i],
  ['api key', /Do you want to use this API key\?|Detected a custom API key/i],
  ['tool permission', /Do you want to proceed\?|^\s*(?:│\s*)?Do you want to (?:make this edit to|create|delete|allow|run)\b/im],
];

/**
 * The dialog on screen, anywhere (Claude draws some questions below the
 * input box, e.g. "Make auto mode your default permission mode?"), or null.
 */
export function claudeDialog(screen: string): DialogName | null {
  if (!CHOICE_CURSOR.test(screen) && !CONFIRM_HINT.test(screen)) return null;
  for (const [name, pattern] of DIALOGS) if (pattern.test(screen)) return name;
  return 'question';
}

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
  if (claudeDialog(lines.join('\n')) !== null) return 'waiting';
  const promptAt = findPromptLine(lines);
  if (promptAt >= 0) {
    // The box is drawn while working too: the footer hint, the spinner line
    // or a running tool just above the box tell the two apart.
    const below = lines.slice(promptAt).join('\n');
    const above = bottom(lines.slice(0, promptAt - 1), 6).split('\n');
    if (INTERRUPT_HINT.test(below) || INTERRUPT_HINT.test(above.join('\n'))) return 'busy';
    if (above.some((l) => LIVE_SPINNER.test(l) || TOOL_RUNNING.test(l))) return 'busy';
    return 'ready';
  }
  if (INTERRUPT_HINT.test(bottom(lines, 20))) return 'busy';
  return 'unknown';
}

/**
 * `--` before an appended kickoff: after a variadic flag in `args`
 * (`--allowedTools "Bash(npm test)"`) Claude Code 2.1.332 reads the prompt as
 * one more value of that flag and refuses to run.
 */
function endOfOptions(input: LaunchInput): string[] {
  return input.kickoff === 'arg' ? ['--'] : [];
}

/**
 * The TUI retrying the API itself, as 2.1.332 shows it under its spinner
 * ("✻ API error · retrying in 1s · attempt 1/10", then "retrying… · attempt
 * 2/10"): the attempt, or null. (It gives up on 529s after a few attempts:
 * "API Error: Repeated 529 Overloaded errors. The API is at capacity".)
 */
export function claudeRetrying(screen: string): string | null {
  return /API error · retrying\b[^\n]*· attempt (\d+\/\d+)/.exec(screen)?.[1] ?? null;
}

export const claude: Backend = {
  name: 'claude',
  settleMs: 1000,
  defaultKickoff(kind: AgentKind): KickoffMode {
    return agentCliKickoff(kind);
  },
  argv(input: LaunchInput): string[] {
    const cmd = program(input, 'claude');
    const model = [...modelFlag(input.model), ...conversationArgs(input), ...hookArgs(input)];
    const args = withoutSettings(input, input.agent.args);
    if (isOneShot(input.agent.kind)) {
      // Permission flags are left to the agent's `args`: ao does not choose
      // to skip Claude's permission checks on anyone's behalf. With kickoff
      // 'arg' the launcher appends the prompt; with 'stdin' print mode reads it.
      // Claude's own fallback on overload, within the run (print mode only); ao's breaker moves the next starts
      const fallback = input.fallbackModel && input.fallbackModel !== input.model ? ['--fallback-model', input.fallbackModel] : [];
      return [cmd, '-p', '--output-format', 'stream-json', '--verbose', ...model, ...fallback, ...args, ...endOfOptions(input)];
    }
    // An interactive session takes an optional initial prompt as its last argument.
    return [cmd, ...model, ...args, ...endOfOptions(input)];
  },
  checks(agent: AgentSpec): string[] {
    if (!isOneShot(agent.kind)) return [];
    const i = agent.args.findIndex((a) => a === '--output-format' || a.startsWith('--output-format='));
    if (i < 0) return [];
    const value = agent.args[i]!.includes('=') ? agent.args[i]!.split('=')[1] : agent.args[i + 1];
    if (value === 'stream-json') return [];
    return [
      `agents.${agent.name}.args sets --output-format ${value ?? ''}: ao runs a ${agent.kind} with --output-format stream-json and reads it for usage, cost, usage limits and the readable pane; with another format those are lost`,
    ];
  },
  detect: detectClaude,
  dialog: claudeDialog,
  retrying: claudeRetrying,
  trouble: claudeTrouble,
  fellBack: claudeFellBack,
  usage: claudeUsage,
  reportsCost: true,
  conversations: claudeConversations,
  // settings, logins, transcripts
  ownFiles: { dirs: ['.claude'], files: [] },
  // its state (trust, onboarding) is ~/.claude.json, which it rewrites through a lock folder and a temp beside it:
  // in a read-only HOME it keeps it in ~/.claude instead (CLAUDE_CONFIG_DIR), started from a copy of ~/.claude.json
  sandboxed: { env: { CLAUDE_CONFIG_DIR: '.claude' }, seed: [['.claude.json', '.claude/.claude.json']] },
  credentials: {
    env: ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN', 'CLAUDE_CODE_USE_BEDROCK', 'CLAUDE_CODE_USE_VERTEX'],
    files: ['.claude/.credentials.json'],
  },
};
