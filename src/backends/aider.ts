/**
 * aider (`aider`). Loops run `--message`, which sends one message, applies
 * the edits and exits; `--yes-always` answers its confirmations so an
 * unattended iteration cannot hang on one.
 *
 * aider is a line-oriented REPL, not a full-screen TUI, so its state is in
 * the last line: `> ` (or `ask> `, `architect> `, `multi> ` ...) when it
 * waits for a message; a `(Y)es/(N)o ... [Yes]:` question when it asks the
 * human; anything else (the "Waiting for <model>" spinner, streamed reply,
 * repo-map scans) while it works.
 * Doubt: the fixtures for aider are written by hand from its source and
 * docs (aider is a Python package and was not installed here).
 */
import type { DetectOptions, Backend, LaunchInput, ScreenState } from './types.js';
import type { AgentKind, KickoffMode } from '../config/types.js';
import { agentCliKickoff, isOneShot, lastNonEmpty, modelFlag, program, screenLines } from './common.js';
import { wordsTrouble, type TroubleWords } from './text-trouble.js';
import type { Trouble } from './trouble.js';

const PROMPT = /^(?:[a-z]+(?: [a-z]+)*)?>$/;
const QUESTION = /\(Y\)es\/\(N\)o.*\[(?:Yes|No)\]:?$/;

/**
 * aider (0.86, `aider/exceptions.py`) prints litellm's error and its own
 * description of it ("The API provider's servers are down or overloaded.");
 * written from its source, not captured (docs/CLI-VERSIONS.md).
 */
const WORDS: TroubleWords = {
  'usage-limit': /insufficient_quota|exceeded your current quota|usage limit/i,
  auth: /not able to authenticate you|AuthenticationError/,
  'rate-limit': /has rate limited you|RateLimitError/,
  overload: /servers are down or overloaded|timed out without returning a response|InternalServerError|ServiceUnavailableError|overloaded_error/,
};

export function aiderTrouble(output: string, exitStatus: number | null, _now: number): Trouble {
  return wordsTrouble(WORDS, output, exitStatus);
}

export function detectAider(screen: string, _options?: DetectOptions): ScreenState {
  const last = lastNonEmpty(screenLines(screen), 1)[0]?.trim();
  if (last === undefined) return 'unknown';
  if (QUESTION.test(last)) return 'waiting';
  if (PROMPT.test(last)) return 'ready';
  return 'busy';
}

export const aider: Backend = {
  name: 'aider',
  settleMs: 1000,
  defaultKickoff(kind: AgentKind): KickoffMode {
    return agentCliKickoff(kind);
  },
  argv(input: LaunchInput): string[] {
    const cmd = program(input, 'aider');
    const model = modelFlag(input.model);
    if (isOneShot(input.agent.kind)) {
      const own = [cmd, '--yes-always', ...model, ...input.agent.args];
      // aider reads no prompt from stdin in one-shot mode, but it can read a file.
      return input.kickoff === 'stdin' ? [...own, '--message-file', input.kickoffFile] : [...own, '--message'];
    }
    if (input.kickoff === 'arg') {
      // aider's positional arguments are files to edit: a kickoff there would
      // become a file name, so refuse rather than create one.
      throw new Error(`agent "${input.agent.name}": aider cannot take its kickoff as an argument in an interactive session; use kickoff = "paste"`);
    }
    return [cmd, ...model, ...input.agent.args];
  },
  detect: detectAider,
  trouble: aiderTrouble,
  // its caches and analytics id; its chat history and tags cache live in the workspace
  ownFiles: { dirs: ['.aider'], files: [] },
  credentials: { env: ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'OPENROUTER_API_KEY', 'GEMINI_API_KEY', 'DEEPSEEK_API_KEY'], files: ['.aider.conf.yml'] },
};
