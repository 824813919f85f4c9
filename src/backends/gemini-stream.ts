/**
 * What Gemini CLI's headless mode reports (captured from 0.61.0 in
 * tests/fixtures/output/gemini): provider trouble and usage. Pure.
 *
 * `--output-format stream-json` prints one event a line (`init`, `message`,
 * `tool_use`, `tool_result`, `result` with `stats`: input_tokens (prompt,
 * cached included), `cached`, `input` (uncached), output_tokens);
 * `--output-format json` one object at the end (`response`, `stats.models`,
 * or `error: { message, code }`). Text mode prints the answer and nothing of
 * usage. Errors always go to stderr as well: a used-up quota is
 * "TerminalQuotaError: You have exhausted your daily quota on this model."
 * (exit 1, 173 in json mode), with no reset time; a 503 is retried with
 * backoff ("Attempt 1 failed with status 503"). Gemini reports no cost.
 */
import { NO_TROUBLE, delayIn, jsonLines, num, obj, oneLine, str, tailLines, type Trouble, type TroubleKind } from './trouble.js';
import { troubleKind } from './text-trouble.js';
import type { IterationUsage } from './usage.js';

const USAGE_LIMIT = /TerminalQuotaError|exhausted your (?:daily )?quota|Quota exceeded for quota metric|RESOURCE_EXHAUSTED[^\n]*quota/i;
const AUTH = /API key not valid|API_KEY_INVALID|PERMISSION_DENIED|UNAUTHENTICATED|status(?::| of)? 40[13]\b|Invalid auth method|"code":\s*40[13]\b/i;
const RATE = /RESOURCE_EXHAUSTED|status(?::| of)? 429\b|"code":\s*429\b|Too Many Requests|rate limit/i;
const OVERLOAD = /UNAVAILABLE|status(?::| of)? 5\d\d\b|"code":\s*5\d\d\b|overloaded|fetch failed|ECONNREFUSED|ETIMEDOUT/i;

const WORDS: Record<TroubleKind, RegExp> = { 'usage-limit': USAGE_LIMIT, auth: AUTH, 'rate-limit': RATE, overload: OVERLOAD };
const classify = (text: string): TroubleKind | null => troubleKind(WORDS, text);

/** The `error` object of `--output-format json` (pretty-printed over several lines). */
function jsonError(output: string): string | null {
  const start = output.lastIndexOf('\n{\n');
  const text = start >= 0 ? output.slice(start + 1) : output.trimStart().startsWith('{') ? output.trimStart() : null;
  if (text === null) return null;
  try {
    const error = obj(obj(JSON.parse(text) as unknown)?.error);
    if (error === null) return null;
    return `${str(error.message) ?? ''} "code": ${String(num(error.code) ?? '')}`;
  } catch {
    return null;
  }
}

/**
 * Gemini CLI's provider trouble from its output (json / stream-json first,
 * its error lines second) and exit status. A run that exited 0 had none,
 * even if a retried 503 was printed on the way.
 */
export function geminiTrouble(output: string, exitStatus: number | null, now: number): Trouble {
  if (exitStatus === 0) return NO_TROUBLE;
  const result = [...jsonLines(output)].reverse().find((e) => e.type === 'result' || e.type === 'error');
  const structured =
    result === undefined ? jsonError(output) : `${str(obj(result.error)?.message) ?? str(result.message) ?? ''} ${JSON.stringify(result.error ?? '')}`;
  const text = structured !== null && classify(structured) !== null ? structured : tailLines(output.replace(/^\s+at .*$/gm, ''), 20);
  const kind = classify(text);
  if (kind === null) return NO_TROUBLE;
  const line = text.split('\n').find((l) => WORDS[kind].test(l)) ?? text;
  // stream-json's result says "[API Error: <what the CLI shows>]"
  const message = oneLine(
    line
      .trim()
      .replace(/^\[API Error:\s*(.*)\]$/, '$1')
      .replace(/^.*?(?=TerminalQuotaError|_?ApiError|Error:)/, ''),
  );
  return { kind, resetAt: kind === 'usage-limit' || kind === 'rate-limit' ? delayIn(text, now) : null, message };
}

/** Usage from the stream-json `result` stats, or from json mode's per-model stats; null in text mode. */
export function geminiUsage(output: string): IterationUsage | null {
  const result = [...jsonLines(output)].reverse().find((e) => e.type === 'result');
  const stats = obj(result?.stats);
  if (stats !== null) {
    const cached = num(stats.cached) ?? 0;
    return {
      input_tokens: num(stats.input) ?? Math.max(0, (num(stats.input_tokens) ?? 0) - cached),
      output_tokens: num(stats.output_tokens) ?? 0,
      cache_read_tokens: cached,
      cache_write_tokens: 0,
      cost_usd: null,
    };
  }
  let parsed: Record<string, unknown> | null = null;
  try {
    parsed = obj(JSON.parse(output.slice(Math.max(0, output.indexOf('{')))) as unknown);
  } catch {
    return null;
  }
  const models = obj(obj(parsed?.stats)?.models);
  if (models === null) return null;
  const total: IterationUsage = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: null };
  for (const m of Object.values(models)) {
    const t = obj(obj(m)?.tokens);
    total.input_tokens += num(t?.input) ?? 0;
    total.output_tokens += num(t?.candidates) ?? 0;
    total.cache_read_tokens += num(t?.cached) ?? 0;
  }
  return total;
}

/** The conversation's id (`--resume`), from `init` / the json object. */
export function geminiSessionId(output: string): string | null {
  for (const e of jsonLines(output)) if (str(e.session_id) !== null) return str(e.session_id);
  return /"session_id":\s*"([^"]+)"/.exec(output)?.[1] ?? null;
}
