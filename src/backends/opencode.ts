/**
 * opencode (`opencode`). Loops run `opencode run`, which prints the session
 * and exits. Models are named `provider/model` (e.g. anthropic/claude-sonnet-4-5).
 *
 * Doubt: `--prompt` for a TUI start with a kickoff argument is taken from
 * opencode's docs; the default for persistent agents is paste, which needs it not.
 *
 * Screens (captured from opencode 1.18 in tmux, see tests/fixtures/screens/opencode):
 * the prompt is a `┃` bar closed by `╹▀▀▀`, with a footer line under it that
 * always ends in "ctrl+p commands"; while a turn runs the footer starts with a
 * progress bar and "esc interrupt" ("esc again to interrupt" after one press).
 * A permission request replaces the footer with "△ Permission required" and
 * "Allow once / Allow always / Reject".
 */
import type { DetectOptions, Backend, DialogName, LaunchInput, ScreenState } from './types.js';
import type { AgentKind, KickoffMode } from '../config/types.js';
import { agentCliKickoff, bottom, isOneShot, modelFlag, program, screenLines } from './common.js';
import { wordsTrouble, type TroubleWords } from './text-trouble.js';
import type { Trouble } from './trouble.js';

const PERMISSION = /△\s*Permission required/;
const PERMISSION_CHOICES = /Allow once.*Reject/;
const BUSY_HINT = /esc (?:again to )?interrupt/i;
const READY_HINT = /ctrl\+p commands|Ask anything/i;

/** The dialog on screen, anywhere, or null (opencode 1.18 asks only for tool permission). */
export function opencodeDialog(screen: string): DialogName | null {
  return PERMISSION.test(screen) || PERMISSION_CHOICES.test(screen) ? 'tool permission' : null;
}

/**
 * opencode 1.18 ends a failed `run` with "Error: <the API's own message>"
 * (exit 1) after its own retries: "Overloaded" for Anthropic's 529,
 * "Internal server error" for a 500 (docs/CLI-VERSIONS.md).
 */
const WORDS: TroubleWords = {
  'usage-limit': /^Error: .*(?:usage limit|insufficient_quota|exceeded your current quota)/i,
  auth: /^Error: .*(?:invalid x-api-key|api key|authentication|unauthori[sz]ed)/i,
  'rate-limit': /^Error: .*(?:rate.?limit|too many requests)/i,
  overload: /^Error: .*(?:overloaded|internal server error|service unavailable|bad gateway|gateway timeout|at capacity|\b5\d\d\b)/i,
};

export function opencodeTrouble(output: string, exitStatus: number | null, _now: number): Trouble {
  return wordsTrouble(WORDS, output, exitStatus);
}

export function detectOpencode(screen: string, _options?: DetectOptions): ScreenState {
  const lines = screenLines(screen);
  if (lines.length === 0) return 'unknown';
  if (opencodeDialog(lines.join('\n')) !== null) return 'waiting';
  const footer = bottom(lines, 3);
  if (BUSY_HINT.test(footer)) return 'busy';
  if (READY_HINT.test(footer)) return 'ready';
  return 'unknown';
}

export const opencode: Backend = {
  name: 'opencode',
  settleMs: 1000,
  defaultKickoff(kind: AgentKind): KickoffMode {
    // `opencode run MESSAGE` alters an argv message (1.18 wraps it in quotes
    // and escapes the quotes inside); on stdin it arrives byte for byte.
    return isOneShot(kind) ? 'stdin' : agentCliKickoff(kind);
  },
  argv(input: LaunchInput): string[] {
    const cmd = program(input, 'opencode');
    const model = modelFlag(input.model);
    if (isOneShot(input.agent.kind)) {
      return [cmd, 'run', ...model, ...input.agent.args];
    }
    const own = [cmd, ...model, ...input.agent.args];
    return input.kickoff === 'arg' ? [...own, '--prompt'] : own;
  },
  detect: detectOpencode,
  dialog: opencodeDialog,
  trouble: opencodeTrouble,
  // its config, data (logins, sessions), state and cache folders under the XDG defaults
  ownFiles: { dirs: ['.config/opencode', '.local/share/opencode', '.local/state/opencode', '.cache/opencode'], files: [] },
  credentials: { env: ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'OPENROUTER_API_KEY', 'GEMINI_API_KEY'], files: ['.local/share/opencode/auth.json'] },
};
