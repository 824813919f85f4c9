/**
 * OpenAI Codex CLI (`codex`). Loops run `codex exec`, which streams its
 * progress to the pane (stderr) and exits when the turn is done.
 *
 * Doubt: `codex exec` runs in a read-only sandbox unless told otherwise
 * (`--sandbox workspace-write`); ao does not pick a sandbox for the user, so
 * an agent that must edit files needs that flag in its `args`.
 *
 * Screens (captured from codex-cli 0.169 in tmux, see tests/fixtures/screens/codex):
 * the composer is a `›` line with a footer under it ("? for shortcuts",
 * "N% context left"; older builds drew `▌` and "⏎ send"); a turn in flight
 * adds "• Working (11s • esc to interrupt)" above the composer; approvals and
 * the folder-trust screen replace the composer with a `› 1.` numbered choice.
 */
import type { DetectOptions, Backend, LaunchInput, ScreenState } from './types.js';
import type { AgentKind, KickoffMode } from '../config/types.js';
import { agentCliKickoff, bottom, isOneShot, lastNonEmpty, matchesAny, modelFlag, program, screenLines } from './common.js';

const NUMBERED_CHOICE = /^\s*›\s*\d+\.\s/;
const COMPOSER = /^\s*[›▌](?:\s|$)/;
const FOOTER = /\? for shortcuts|% context left|⏎ send/i;
const INTERRUPT_HINT = /esc to interrupt/i;
const DIALOGS: readonly RegExp[] = [
  /press enter to confirm or esc to cancel/i,
  /would you like to (?:run|make|grant|apply)\b/i,
  /^\s*›\s*\d+\.\s/m,
  /press enter to continue/i,
  /enter continue · esc back/i,
  /allow command\?/i,
];

/** The composer and its footer sit at the very bottom while codex takes input or works. */
function hasComposer(lines: readonly string[]): boolean {
  const last = lastNonEmpty(lines, 4);
  if (last.some((l) => FOOTER.test(l))) return true;
  // the footer hides while a draft is typed; the composer line stays
  return last.slice(-3).some((l) => COMPOSER.test(l) && !NUMBERED_CHOICE.test(l));
}

export function detectCodex(screen: string, _options?: DetectOptions): ScreenState {
  const lines = screenLines(screen);
  if (lines.length === 0) return 'unknown';
  if (hasComposer(lines)) {
    return INTERRUPT_HINT.test(bottom(lines, 8)) ? 'busy' : 'ready';
  }
  const tail = bottom(lines, 15);
  if (matchesAny(tail, DIALOGS)) return 'waiting';
  if (INTERRUPT_HINT.test(tail)) return 'busy';
  return 'unknown';
}

export const codex: Backend = {
  name: 'codex',
  defaultKickoff(kind: AgentKind): KickoffMode {
    return agentCliKickoff(kind);
  },
  argv(input: LaunchInput): string[] {
    const cmd = program(input, 'codex');
    const model = modelFlag(input.model);
    if (isOneShot(input.agent.kind)) {
      // `-` makes exec read the prompt from stdin; with 'arg' the launcher appends it.
      const stdin = input.kickoff === 'stdin' ? ['-'] : [];
      return [cmd, 'exec', ...model, ...input.agent.args, ...stdin];
    }
    return [cmd, ...model, ...input.agent.args];
  },
  detect: detectCodex,
};
