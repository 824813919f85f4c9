/**
 * What an agent inherits from the environment of the command that starts it
 * (`ao up`, `ao restart`, the watchdog, which keeps that of `ao up`): an
 * allow-list, never the whole environment. Cloud credentials, SSH_AUTH_SOCK
 * and tokens of other tools stay with the maintainer unless agents.toml names
 * them (`pass_env`). The README's "What an agent inherits" is this list.
 */

import { ENV_NAME, LAUNCHER_PREFIX } from '../state/env-file.js';

/** A name of `pass_env`: a variable, or a prefix ending in `*` (`AWS_*`); never a lone `*`. */
export const PASS_ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*\*?$/;

/**
 * Always passed: what any program needs to run as the maintainer (locale, time
 * zone, proxies and the CAs that go with them), and what the agent CLIs ao
 * drives read for their keys, endpoints and settings. TERM is tmux's own (the
 * pane's terminal, not the caller's) and not on the list.
 */
export const DEFAULT_PASS_ENV: readonly string[] = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'LC_*',
  'COLORTERM',
  'NO_COLOR',
  'TZ',
  'TMPDIR',
  // an agent's own `ao` calls must find the team's tmux server where ao put it
  'TMUX_TMPDIR',
  'XDG_CONFIG_HOME',
  'XDG_DATA_HOME',
  'XDG_STATE_HOME',
  'XDG_CACHE_HOME',
  'XDG_RUNTIME_DIR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'all_proxy',
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  // the agent CLIs' own variables: Claude Code, Codex, Gemini CLI, opencode, aider
  'ANTHROPIC_*',
  'CLAUDE_*',
  'OPENAI_*',
  'CODEX_*',
  'GEMINI_*',
  'GOOGLE_API_KEY',
  'GOOGLE_GENAI_USE_VERTEXAI',
  'GOOGLE_CLOUD_PROJECT',
  'GOOGLE_CLOUD_LOCATION',
  'GOOGLE_APPLICATION_CREDENTIALS',
  'OPENCODE_*',
  'AIDER_*',
  'OPENROUTER_API_KEY',
  'DEEPSEEK_API_KEY',
  // the demo agent's pace, for a quick demo or a test
  'AO_DEMO_PACE_S',
];

/** Whether `name` is one of `patterns` (exact names, or prefixes ending in `*`). */
export function nameMatches(name: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p));
}

/**
 * ao's own per-agent variables are set for each session, never inherited: an
 * agent that runs `ao up` must not hand its identity (AO_AGENT, AO_RUN_ID) to
 * the watchdog or to another agent, whatever `pass_env` says. The demo pace is
 * the one passed on. A CI marker would make a TUI refuse to be interactive.
 */
export function ownVariable(name: string): boolean {
  return (name.startsWith('AO_') && name !== 'AO_DEMO_PACE_S') || name === 'CI' || name === 'CONTINUOUS_INTEGRATION' || name.startsWith(LAUNCHER_PREFIX);
}

/** The part of `env` an agent inherits: the allow-list and the names `pass_env` adds. */
export function passedEnv(env: NodeJS.ProcessEnv, passEnv: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !ENV_NAME.test(name) || ownVariable(name)) continue;
    if (nameMatches(name, DEFAULT_PASS_ENV) || nameMatches(name, passEnv)) out[name] = value;
  }
  return out;
}

/** Variables that describe the caller's own terminal or tmux client, not what a pane should see. */
const NOT_PASSED = new Set(['TMUX', 'TMUX_PANE', 'COLUMNS', 'LINES', '_', 'OLDPWD', 'PWD', 'SHLVL', 'TERM']);

/**
 * The watchdog's own environment: all of `ao up`'s (it is ao, and it must be
 * able to hand any agent what a later agents.toml's `pass_env` names), without
 * ao's per-agent variables and the caller's terminal.
 */
export function watchdogEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && ENV_NAME.test(name) && !NOT_PASSED.has(name) && !ownVariable(name)) out[name] = value;
  }
  return out;
}
