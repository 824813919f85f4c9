/**
 * What an agent CLI's own hooks report (Claude Code's SessionStart, Stop,
 * Notification, PermissionRequest, …): one JSON line per hook in
 * state/signals/AGENT.jsonl, appended by `ao hook-signal FILE` from the hook's
 * JSON on stdin. Nothing of it is ever run or typed anywhere: ao reads the
 * hook's name, the session id and the notification type, and keeps the rest out.
 */
import { lstatSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { appendText, ensureDir, readTail } from './safe-fs.js';

export const signalFile = (stateDir: string, agent: string): string => join(stateDir, 'signals', `${agent}.jsonl`);

export interface Signal {
  /** ISO time ao wrote it */
  time: string;
  hook: string;
  session: string | null;
  /** SessionStart: startup | resume | clear | compact */
  source?: string;
  /** Notification: permission_prompt, idle_prompt, … */
  type?: string;
  /** ApiRetry (written by ao's stream formatter, not a hook): `3/10`, and the wait before the next try */
  retry?: string;
  wait_ms?: number;
  /** Claude Code's transcript of the conversation (every hook's `transcript_path`), where a TUI's usage is read */
  transcript?: string;
}

/** What ao's stream formatter writes beside the hooks: the CLI retries the provider, or answered again after retrying. */
export const API_RETRY = 'ApiRetry';
export const API_ANSWERED = 'ApiAnswered';

/** The file is rotated (to .1) past this size: a week of hooks stays small. */
const MAX_BYTES = 1024 * 1024;
const word = (v: unknown): string | undefined => (typeof v === 'string' && /^[A-Za-z0-9_.:-]{1,80}$/.test(v) ? v : undefined);

/** An absolute path to a .jsonl file, printable, of a sane length; anything else is not kept. */
function transcriptPath(v: unknown): string | undefined {
  // eslint-disable-next-line no-control-regex -- no control character in a path ao keeps
  return typeof v === 'string' && v.length <= 1024 && v.startsWith('/') && v.endsWith('.jsonl') && !/[\u0000-\u001f\u007f]/.test(v) ? v : undefined;
}

/** Pure: the line to keep for one hook's JSON input, or null when it is not a hook's input. */
export function signalOf(input: string, now: Date): Signal | null {
  let json: unknown;
  try {
    json = JSON.parse(input);
  } catch {
    return null;
  }
  if (json === null || typeof json !== 'object') return null;
  const o = json as Record<string, unknown>;
  const hook = word(o.hook_event_name);
  if (!hook) return null;
  const source = word(o.source);
  const type = word(o.notification_type);
  const transcript = transcriptPath(o.transcript_path);
  return {
    time: now.toISOString(),
    hook,
    session: word(o.session_id) ?? null,
    ...(source ? { source } : {}),
    ...(type ? { type } : {}),
    ...(transcript ? { transcript } : {}),
  };
}

/** Pure: the line ao's stream formatter keeps for a CLI's retry of its provider, or for its first answer after. */
export function retrySignal(sign: { kind: 'retry'; attempt: number; max: number | null; waitMs: number | null } | { kind: 'answered' }, now: Date): Signal {
  if (sign.kind === 'answered') return { time: now.toISOString(), hook: API_ANSWERED, session: null };
  const retry = `${sign.attempt}${sign.max === null ? '' : `/${sign.max}`}`;
  return { time: now.toISOString(), hook: API_RETRY, session: null, retry, ...(sign.waitMs === null ? {} : { wait_ms: sign.waitMs }) };
}

/** Appends one signal as one write (a line under PIPE_BUF with O_APPEND is never torn). */
export function appendSignal(file: string, signal: Signal): void {
  ensureDir(dirname(file));
  try {
    if (lstatSync(file).size > MAX_BYTES) renameSync(file, `${file}.1`);
  } catch {
    // no file yet
  }
  appendText(file, `${JSON.stringify(signal)}\n`);
}

/** Read-only: the newest signals (the file's last 64 kB), oldest first. */
export function readSignals(file: string, tailBytes = 64 * 1024): Signal[] {
  let tail;
  try {
    tail = readTail(file, tailBytes);
  } catch {
    return []; // a bad file (a link, a FIFO): no signals, reported by the watchdog
  }
  if (tail === null) return [];
  const lines = tail.text.split('\n');
  if (tail.start > 0) lines.shift(); // a cut line
  return lines.flatMap((l) => {
    try {
      const s = JSON.parse(l) as Signal;
      return typeof s.hook === 'string' && typeof s.time === 'string' ? [s] : [];
    } catch {
      return [];
    }
  });
}

export interface HookView {
  /** the newest signal of this run, and when */
  last: Signal | null;
  /** the newest of each hook */
  byHook: Record<string, string>;
  /** the session id the CLI reported last in this run (SessionStart) */
  session: string | null;
  /** the CLI says it asks a person now (a permission request with nothing after it), or null */
  waiting: string | null;
  /** the CLI is retrying its provider (its last ApiRetry, no answer since): `3/10` and when the next try is due (unix ms) */
  provider: { retry: string; dueMs: number } | null;
  /** the conversation's transcript, as the newest hook that named one says */
  transcript: string | null;
}

/** Hooks that ask a person; a Notification only for these types (idle_prompt is plain idleness). */
const ASKS = new Set(['PermissionRequest']);
const ASKING_NOTIFICATIONS = new Set(['permission_prompt', 'elicitation_dialog']);

/** Pure: what the signals of the run started at `sinceMs` say. */
export function hookView(signals: readonly Signal[], sinceMs: number): HookView {
  const run = signals.filter((s) => Date.parse(s.time) >= sinceMs);
  const byHook: Record<string, string> = {};
  let session: string | null = null;
  let provider: HookView['provider'] = null;
  let transcript: string | null = null;
  const hooks: Signal[] = [];
  for (const s of run) {
    if (s.transcript) transcript = s.transcript;
    if (s.hook === API_RETRY) provider = { retry: s.retry ?? '?', dueMs: Date.parse(s.time) + (s.wait_ms ?? 0) };
    else if (s.hook === API_ANSWERED) provider = null;
    else hooks.push(s);
    byHook[s.hook] = s.time;
    if (s.hook === 'SessionStart' && s.session) session = s.session;
  }
  const last = hooks.at(-1) ?? null;
  const asks = last !== null && (ASKS.has(last.hook) || (last.hook === 'Notification' && ASKING_NOTIFICATIONS.has(last.type ?? '')));
  return { last, byHook, session, waiting: asks ? 'tool permission' : null, provider, transcript };
}
