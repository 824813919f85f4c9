/**
 * OpenAI Codex CLI (`codex`). Loops run `codex exec --json`, which prints
 * its events as JSON lines (made readable in the pane by `ao format-stream`,
 * kept raw in state/streams for usage and trouble) and exits when the turn is done.
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
import type { DetectOptions, Backend, DialogName, LaunchInput, ScreenState } from './types.js';
import type { AgentKind, AgentSpec, KickoffMode } from '../config/types.js';
import { agentCliKickoff, bottom, isOneShot, lastNonEmpty, matchesAny, modelFlag, program, screenLines } from './common.js';
import { codexTrouble, codexUsage } from './codex-stream.js';

/**
 * Codex runs its shell tool in a sandbox of its own, which on Linux is
 * bubblewrap: inside ao's sandbox, where that cannot be made (as root, with
 * capabilities dropped), every command fails (`bwrap: setting up uid map`).
 * There it is told to run commands without its own, and ao's confines them;
 * an agent whose `args` choose a sandbox keeps its choice.
 */
export function codexOuterSandbox(agent: Pick<AgentSpec, 'args'>): string[] {
  const chosen = agent.args.some((a) => /^(?:-s|--sandbox(?:=.*)?|--full-auto|--dangerously-bypass-approvals-and-sandbox|-s.+)$/.test(a));
  return chosen ? [] : ['--sandbox', 'danger-full-access'];
}

const NUMBERED_CHOICE = /^\s*›\s*\d+\.\s/;
const COMPOSER = /^\s*[›▌](?:\s|$)/;
const FOOTER = /\? for shortcuts|% context left|⏎ send/i;
const INTERRUPT_HINT = /esc to interrupt/i;
/** The start-up splash's footer: the hint alone, before the status line (model · folder) and "← for agents" are drawn. */
const SPLASH_FOOTER = /^\s*\? for shortcuts$/;
/** What marks a dialog: a numbered choice under the cursor, or its key hints. */
const DIALOG_MARKS: readonly RegExp[] = [
  /^\s*›\s*\d+\.\s/m,
  /press enter to confirm or esc to cancel/i,
  /press enter to continue/i,
  /enter continue · esc back/i,
];
/** What the dialog asks, most specific first. */
const DIALOGS: readonly (readonly [DialogName, RegExp])[] = [
  [
    'folder trust',
    /Trust this folder\?|trust the contents of this (?:directory|folder)|Do you trust this (?:directory|folder)|allow Codex to work in this folder/i,
  ],
  ['tool permission', /would you like to (?:run|make|grant|apply)\b|allow command\?/i],
];

/**
 * The dialog on screen, anywhere, or null. Codex 0.171 draws its composer
 * for a moment before the folder-trust screen replaces it, so a ready-looking
 * frame may be followed by a dialog: the caller waits for a steady screen.
 */
export function codexDialog(screen: string): DialogName | null {
  const lines = screenLines(screen);
  let at = -1;
  lines.forEach((l, i) => {
    if (matchesAny(l, DIALOG_MARKS)) at = i;
  });
  // a dialog replaces the composer: one with the composer's footer below it was answered
  if (at < 0 || lines.slice(at + 1).some((l) => FOOTER.test(l))) return null;
  const text = lines.join('\n');
  for (const [name, pattern] of DIALOGS) if (pattern.test(text)) return name;
  return 'question';
}

/**
 * Codex 0.171's start-up splash: the composer with nothing under it but a
 * bare "? for shortcuts". It takes no input (a paste into it is lost, Enter
 * does nothing) and in an untrusted folder the trust screen replaces it after
 * up to several seconds; the composer that takes input has its status line
 * ("gpt-5 default · /folder") and "← for agents · ? for shortcuts" below it.
 */
function isSplash(lines: readonly string[]): boolean {
  const [composer, footer] = lastNonEmpty(lines, 2);
  return composer !== undefined && footer !== undefined && COMPOSER.test(composer) && SPLASH_FOOTER.test(footer);
}

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
  if (codexDialog(screen) !== null) return 'waiting';
  if (isSplash(lines)) return 'unknown';
  if (hasComposer(lines)) {
    return INTERRUPT_HINT.test(bottom(lines, 8)) ? 'busy' : 'ready';
  }
  const tail = bottom(lines, 15);
  if (INTERRUPT_HINT.test(tail)) return 'busy';
  return 'unknown';
}

export const codex: Backend = {
  name: 'codex',
  // Codex draws its input box for 250–500 ms before a trust dialog replaces it
  settleMs: 1500,
  defaultKickoff(kind: AgentKind): KickoffMode {
    return agentCliKickoff(kind);
  },
  argv(input: LaunchInput): string[] {
    const cmd = program(input, 'codex');
    const model = modelFlag(input.model);
    const outer = input.outerSandbox ? codexOuterSandbox(input.agent) : [];
    if (isOneShot(input.agent.kind)) {
      // `-` makes exec read the prompt from stdin; with 'arg' the launcher
      // appends it after `--`, so a variadic flag in `args` (`--image a.png`)
      // does not swallow it and a kickoff that starts with "review" or "-" is
      // not read as a subcommand or a flag.
      const prompt = input.kickoff === 'stdin' ? ['-'] : input.kickoff === 'arg' ? ['--'] : [];
      // clap refuses a flag given twice: an agent that asks for --json itself gets it once
      const json = input.agent.args.includes('--json') ? [] : ['--json'];
      return [cmd, 'exec', ...json, ...model, ...outer, ...input.agent.args, ...prompt];
    }
    return [cmd, ...model, ...outer, ...input.agent.args];
  },
  outerSandbox: codexOuterSandbox,
  detect: detectCodex,
  dialog: codexDialog,
  trouble: codexTrouble,
  usage: codexUsage,
  ownFiles: { dirs: ['.codex'], files: [] },
  credentials: { env: ['OPENAI_API_KEY', 'CODEX_API_KEY'], files: ['.codex/auth.json'] },
};
