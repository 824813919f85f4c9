/**
 * What Claude Code's print mode reports (`-p --output-format stream-json
 * --verbose`, one JSON event a line; captured from 2.1.332 in
 * tests/fixtures/output/claude): provider trouble, usage and cost. Pure.
 *
 * The stream ends with a `result` event: `usage` (the whole run's tokens),
 * `total_cost_usd`, and on an API failure `is_error`, `api_error_status`,
 * `api_error_type` and `result` (the text Claude shows). A subscription's
 * usage limit is preceded by a `rate_limit_event` whose
 * `rate_limit_info.resetsAt` is the exact reset (unix seconds). Without the
 * stream (text mode, the TUI's screen) the same words are read from the text.
 */
import { NO_TROUBLE, jsonLines, num, obj, oneLine, printedReset, str, tailLines, type Trouble, type TroubleKind } from './trouble.js';
import type { IterationUsage } from './usage.js';

const USAGE_LIMIT = /You[’']ve hit your (?:[\w-]+ )*limit|Claude AI usage limit reached|usage_limit_reached/i;
const AUTH = /Invalid API key|Please run \/login|OAuth token (?:has )?expired|authentication_error|Not logged in|Invalid bearer token/i;
const RATE = /Request rejected \(429\)|rate_limit_error|API Error: 429\b|Rate limited/i;
const OVERLOAD =
  /API Error: 5\d\d\b|overloaded_error|\bOverloaded\b|server-side issue|Unable to connect to Anthropic services|API Error: Connection error|Request timed out/i;
const RESETS = /\bresets/;

function classify(status: number | null, type: string | null, text: string): TroubleKind | null {
  if (USAGE_LIMIT.test(text)) return 'usage-limit';
  if (status === 401 || status === 403 || type === 'authentication_error' || type === 'permission_error' || AUTH.test(text)) return 'auth';
  if (status === 429 || type === 'rate_limit_error' || RATE.test(text)) return 'rate-limit';
  if ((status !== null && status >= 500) || type === 'overloaded_error' || type === 'api_error' || OVERLOAD.test(text)) return 'overload';
  return null;
}

/** The reset the stream reported exactly (a rejected `rate_limit_event`), in ms. */
function streamReset(events: readonly Record<string, unknown>[]): number | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e?.type !== 'rate_limit_event') continue;
    const info = obj(e.rate_limit_info);
    const at = num(info?.resetsAt);
    if (info?.status === 'rejected' && at !== null) return at * 1000;
  }
  return null;
}

function lastOf(events: readonly Record<string, unknown>[], type: string): Record<string, unknown> | undefined {
  for (let i = events.length - 1; i >= 0; i--) if (events[i]?.type === type) return events[i];
  return undefined;
}

/** From the words alone (text mode, a TUI's screen): only the tail, where the CLI's last error sits. */
export function claudeTextTrouble(text: string, now: number): Trouble {
  const tail = tailLines(text, 12);
  const kind = classify(null, null, tail);
  if (kind === null) return NO_TROUBLE;
  const pattern = kind === 'usage-limit' ? USAGE_LIMIT : kind === 'auth' ? AUTH : kind === 'rate-limit' ? RATE : OVERLOAD;
  const line =
    tail
      .split('\n')
      .reverse()
      .find((l) => pattern.test(l)) ?? tail;
  // "Claude AI usage limit reached|1712345678": the reset as unix seconds (1.x)
  const epoch = /usage limit reached\|(\d{9,11})/i.exec(line);
  const resetAt = epoch?.[1] !== undefined ? Number(epoch[1]) * 1000 : kind === 'usage-limit' ? printedReset(line, RESETS, now) : null;
  return { kind, resetAt, message: oneLine(line) };
}

/**
 * Claude Code's provider trouble from its output (stream-json first, the
 * words second) and exit status. A run that exited 0 had none.
 */
export function claudeTrouble(output: string, exitStatus: number | null, now: number): Trouble {
  if (exitStatus === 0) return NO_TROUBLE;
  const events = jsonLines(output);
  const result = lastOf(events, 'result');
  if (result !== undefined) {
    if (result.is_error !== true) return NO_TROUBLE;
    const message = str(result.result) ?? '';
    const kind = classify(num(result.api_error_status), str(result.api_error_type), `${message}\n${str(result.api_error) ?? ''}`);
    if (kind === null) return { ...NO_TROUBLE, message: oneLine(message) };
    const resetAt = streamReset(events) ?? (kind === 'usage-limit' ? printedReset(message, RESETS, now) : null);
    return { kind, resetAt, message: oneLine(message) };
  }
  const reset = streamReset(events);
  if (reset !== null) return { kind: 'usage-limit', resetAt: reset, message: 'usage limit' };
  return claudeTextTrouble(output, now);
}

/**
 * One event's word of a switch to the `--fallback-model`: a `system`/`model_fallback`
 * event (`original_model`, `fallback_model`, `trigger`: overloaded, server_error…),
 * or an assistant message's `{type: "fallback", from: {model}, to: {model}}` block.
 */
export function claudeSwitch(e: Record<string, unknown>): { from: string; to: string; trigger: string | null } | null {
  if (e.type === 'system' && e.subtype === 'model_fallback')
    return { from: str(e.original_model) ?? '?', to: str(e.fallback_model) ?? '?', trigger: str(e.trigger) };
  if (e.type !== 'assistant') return null;
  const blocks = obj(e.message)?.content;
  const block = Array.isArray(blocks) ? (blocks as unknown[]).map(obj).find((b) => b?.type === 'fallback') : undefined;
  return block ? { from: str(obj(block.from)?.model) ?? '?', to: str(obj(block.to)?.model) ?? '?', trigger: null } : null;
}

/**
 * Claude Code's switch to its `--fallback-model` within a run (the run itself
 * ends well, on the other model): the last switch its stream tells of, or null.
 */
export function claudeFellBack(output: string): { from: string; to: string } | null {
  const events = jsonLines(output);
  for (let i = events.length - 1; i >= 0; i--) {
    const seen = claudeSwitch(events[i]!);
    if (seen !== null) return { from: seen.from, to: seen.to };
  }
  return null;
}

/** The run's usage from the stream's `result` event, or null when the stream has none (cut short, text mode). */
export function claudeUsage(output: string): IterationUsage | null {
  const result = lastOf(jsonLines(output), 'result');
  const usage = obj(result?.usage);
  if (result === undefined || usage === null) return null;
  return {
    input_tokens: num(usage.input_tokens) ?? 0,
    output_tokens: num(usage.output_tokens) ?? 0,
    cache_read_tokens: num(usage.cache_read_input_tokens) ?? 0,
    cache_write_tokens: num(usage.cache_creation_input_tokens) ?? 0,
    cost_usd: num(result.total_cost_usd),
  };
}

/** The conversation's id (for `--resume`), from any event that carries it. */
export function claudeSessionId(output: string): string | null {
  const events = jsonLines(output);
  for (let i = events.length - 1; i >= 0; i--) {
    const id = str(events[i]?.session_id);
    if (id !== null) return id;
  }
  return null;
}

/**
 * The usage of the assistant messages in a piece of a Claude Code transcript
 * (`~/.claude/projects/<folder>/<session>.jsonl`, one JSON line per entry):
 * a message of several content blocks is written as several lines with the
 * same `message.id`, each carrying the message's usage, so each id counts
 * once, with its last line's usage. The transcript has no cost. Null when
 * the piece holds no assistant message.
 */
export function claudeTranscriptUsage(text: string): { usage: IterationUsage; lastId: string } | null {
  const byId = new Map<string, Record<string, unknown>>();
  for (const e of jsonLines(text)) {
    const message = obj(e.message);
    const id = str(message?.id);
    const usage = obj(message?.usage);
    if (e.type !== 'assistant' || id === null || usage === null) continue;
    byId.delete(id); // the last line of an id, in the order the ids last appeared
    byId.set(id, usage);
  }
  if (byId.size === 0) return null;
  const total: IterationUsage = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: null };
  for (const u of byId.values()) {
    total.input_tokens += num(u.input_tokens) ?? 0;
    total.output_tokens += num(u.output_tokens) ?? 0;
    total.cache_read_tokens += num(u.cache_read_input_tokens) ?? 0;
    total.cache_write_tokens += num(u.cache_creation_input_tokens) ?? 0;
  }
  return { usage: total, lastId: [...byId.keys()].at(-1)! };
}
