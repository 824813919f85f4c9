/**
 * What `codex exec` reports (captured from 0.171.0 in
 * tests/fixtures/output/codex): provider trouble and usage. Pure.
 *
 * With `--json` stdout is one event a line: `thread.started`, `turn.started`,
 * `item.completed` (agent_message, command_execution, error…),
 * `turn.completed` with `usage` (input, cached input, output tokens), and on
 * failure `error` and `turn.failed` with the message Codex shows. Without it
 * the answer goes to stdout and the rest to stderr, ending in "tokens used
 * N" (one total: uncached input plus output) or "ERROR: <message>".
 * Codex prints a usage limit's reset as a time of day in its own zone
 * ("try again at 1:42 PM"), cut to the minute; it reports no cost.
 */
import { NO_TROUBLE, jsonLines, num, obj, oneLine, printedReset, str, tailLines, type Trouble, type TroubleKind } from './trouble.js';
import { troubleKind, type TroubleWords } from './text-trouble.js';
import type { IterationUsage } from './usage.js';

const USAGE_LIMIT = /You[’']ve hit your usage limit|usage_limit_reached|usage limit has been reached/i;
const AUTH = /\b401 Unauthorized|\b403 Forbidden|invalid_api_key|Incorrect API key|not logged in|Please (?:re-?)?login|refresh token/i;
const RATE = /\b429 Too Many Requests|rate_limit_exceeded|Rate limit reached/i;
// 0.171 shows a 503 `server_is_overloaded` in its own words: "Selected model is at capacity. Please try a different model."
const OVERLOAD =
  /\b5\d\d (?:Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)|unexpected status 5\d\d|server_is_overloaded|\boverloaded\b|\bat capacity\b|stream disconnected|error sending request|Connection refused|timed out/i;
const RESETS = /try again at/;

const WORDS: TroubleWords = { 'usage-limit': USAGE_LIMIT, auth: AUTH, 'rate-limit': RATE, overload: OVERLOAD };
const classify = (text: string): TroubleKind | null => troubleKind(WORDS, text);

/**
 * The printed reset minute's end: the limit lifts somewhere within that
 * minute (Codex drops the seconds). A reset printed as the minute now running,
 * or one just gone, is today's (already lifted: the watchdog probes), not tomorrow's.
 */
function minuteReset(message: string, now: number): number | null {
  const start = printedReset(message, RESETS, now - 60_000);
  return start === null ? null : start + 60_000;
}

function trouble(message: string, now: number): Trouble {
  const kind = classify(message);
  if (kind === null) return { ...NO_TROUBLE, message: oneLine(message) };
  return { kind, resetAt: kind === 'usage-limit' ? minuteReset(message, now) : null, message: oneLine(message) };
}

/** The failure message of a `--json` run: `turn.failed`, else the last `error` event. */
function failureOf(events: readonly Record<string, unknown>[]): string | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e?.type === 'turn.failed') return str(obj(e.error)?.message);
    if (e?.type === 'error') return str(e.message);
  }
  return null;
}

/** Codex's provider trouble from its output (the `--json` events first, "ERROR:" lines second) and exit status. */
export function codexTrouble(output: string, exitStatus: number | null, now: number): Trouble {
  if (exitStatus === 0) return NO_TROUBLE;
  const failure = failureOf(jsonLines(output));
  if (failure !== null) return trouble(failure, now);
  const tail = tailLines(output, 12).split('\n');
  const error = [...tail].reverse().find((l) => /^\s*(?:ERROR|■)\b:?/.test(l) && classify(l) !== null) ?? [...tail].reverse().find((l) => classify(l) !== null);
  return error === undefined ? NO_TROUBLE : trouble(error.replace(/^\s*(?:ERROR:|■)\s*/, ''), now);
}

/**
 * The run's usage: the `turn.completed` events' `usage`, summed (a run may
 * take several turns). Codex counts cached input inside `input_tokens`;
 * ao keeps the uncached part as input, like Claude's. Text mode's
 * "tokens used N" is a single total: input N, the split unknown.
 */
export function codexUsage(output: string): IterationUsage | null {
  let seen = false;
  const total: IterationUsage = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: null };
  for (const e of jsonLines(output)) {
    const usage = e.type === 'turn.completed' ? obj(e.usage) : null;
    if (usage === null) continue;
    seen = true;
    const cached = num(usage.cached_input_tokens) ?? 0;
    total.input_tokens += Math.max(0, (num(usage.input_tokens) ?? 0) - cached);
    total.cache_read_tokens += cached;
    total.cache_write_tokens += num(usage.cache_write_input_tokens) ?? 0;
    // reasoning tokens are part of output_tokens in the Responses API
    total.output_tokens += num(usage.output_tokens) ?? 0;
  }
  if (seen) return total;
  const used = /^tokens used\s*\n\s*([\d,]+)\s*$/m.exec(output.replace(/\r/g, ''));
  if (used?.[1] === undefined) return null;
  return { ...total, input_tokens: Number(used[1].replace(/,/g, '')) };
}

/** The conversation's id (`codex exec resume <id>`), from `thread.started` or the text banner. */
export function codexSessionId(output: string): string | null {
  for (const e of jsonLines(output)) if (e.type === 'thread.started' && str(e.thread_id) !== null) return str(e.thread_id);
  return /^session id:\s*(\S+)$/m.exec(output)?.[1] ?? null;
}
