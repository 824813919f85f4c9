/**
 * Notifications (`[notify]`): the watchdog hands every event to a Notifier,
 * which keeps those the config asks for, lets the limits (notify-limit.ts)
 * hold back a flood, and sends what is left one at a time, off the sweep:
 * a POST of one JSON object to the webhook and/or the object on a command's
 * stdin, each attempt bounded by a timeout. Every attempt becomes an event
 * (`notify-sent` / `notify-failed`), and nothing a target does reaches the team.
 */
import { webhookLabel } from '../config/notify.js';
import type { NotifySpec } from '../config/types.js';
import type { AoEvent } from '../state/event-catalogue.js';
import type { EventRecord, LoggedEvent } from '../state/events.js';
import type { LedgerHead } from '../state/ledger.js';
import { spawnRunner, type Runner } from '../process/run.js';
import { NotifyLimiter, QUEUE_MAX } from './notify-limit.js';
import { jsonText, safeLine, safeName } from '../text/safe.js';

/** The object a webhook receives and a command reads on stdin. */
export interface Notification {
  project: string;
  event: string;
  agent: string;
  reason: string;
  detail: Record<string, unknown> | null;
  time: string;
  phase: string | null;
  /** one line for people: what a Slack webhook shows, what an ntfy template can use */
  text: string;
  /** the ledger's head when it was sent: a witness outside the state folder for `ao verify --head SEQ:HASH` */
  ledger: LedgerHead | null;
}

export interface Attempt {
  target: 'webhook' | 'command';
  /** the target as ao shows it: a webhook's scheme and host, a command's program */
  label: string;
  ok: boolean;
  ms: number;
  /** `HTTP 200`, `exit 0`, or what went wrong */
  outcome: string;
}

/** The notification of an event (or of `ao notify test`'s made-up one). */
export function notification(
  project: string,
  phase: string | null,
  record: { event: string; agent: string; reason: string; time: string; details?: unknown },
  ledger: LedgerHead | null = null,
): Notification {
  const detail = typeof record.details === 'object' && record.details !== null ? (record.details as Record<string, unknown>) : null;
  return {
    project,
    event: record.event,
    agent: record.agent,
    reason: record.reason,
    detail,
    time: record.time,
    phase,
    // the one field meant to be shown as it is: one safe line, whatever an agent put in the reason
    text: safeLine(`ao ${safeName(project)}${phase ? ` (${safeName(phase)})` : ''}: ${safeName(record.agent)} ${safeName(record.event)}: ${record.reason}`),
    ledger,
  };
}

/** Sends one notification to every target the spec names, each within its timeout; never throws. */
export async function deliver(spec: NotifySpec, note: Notification, runner: Runner = spawnRunner): Promise<Attempt[]> {
  const body = jsonText(note);
  const timeoutMs = spec.timeoutS * 1000;
  const timed = async (target: Attempt['target'], label: string, send: () => Promise<{ ok: boolean; outcome: string }>): Promise<Attempt> => {
    const started = performance.now();
    const { ok, outcome } = await send().catch((error: unknown) => ({ ok: false, outcome: failure(error, spec.timeoutS) }));
    return { target, label, ok, ms: Math.round(performance.now() - started), outcome };
  };
  const attempts: Array<Promise<Attempt>> = [];
  if (spec.webhook) {
    const url = spec.webhook;
    attempts.push(
      timed('webhook', webhookLabel(url), async () => {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(timeoutMs) });
        // the answer's body is of no interest, and a server may never finish sending it
        await response.body?.cancel().catch(() => undefined);
        return { ok: response.ok, outcome: `HTTP ${response.status}` };
      }),
    );
  }
  if (spec.command) {
    const argv = spec.command;
    attempts.push(
      timed('command', argv[0] ?? 'command', async () => {
        const signal = AbortSignal.timeout(timeoutMs);
        const result = await runner(argv, { input: body, signal });
        if (signal.aborted) return { ok: false, outcome: `no exit within ${spec.timeoutS} s (stopped)` };
        const said = result.stderr.trim().split('\n').at(-1)?.slice(0, 200);
        return { ok: result.exitCode === 0, outcome: `exit ${result.exitCode}${result.exitCode !== 0 && said ? `: ${said}` : ''}` };
      }),
    );
  }
  return Promise.all(attempts);
}

/** What went wrong, in one line: fetch hides the reason (ECONNREFUSED, a timeout) in its cause. */
function failure(error: unknown, timeoutS: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutS} s`;
  const cause = error instanceof Error ? (error.cause as NodeJS.ErrnoException | undefined) : undefined;
  if (cause?.code) return `${cause.code}${cause.message && !cause.message.includes(cause.code) ? `: ${cause.message}` : ''}`;
  return error instanceof Error ? error.message : String(error);
}

/** The attempt as an event in events.jsonl. */
export function attemptEvent(note: Pick<Notification, 'event' | 'agent'>, attempt: Attempt): AoEvent {
  const about = `${note.event} of ${note.agent}`;
  const base = { target: attempt.target, event: note.event, ms: attempt.ms };
  return attempt.ok
    ? { agent: 'notify', event: 'notify-sent', reason: `${about} to ${attempt.label}: ${attempt.outcome} in ${attempt.ms} ms`, details: base }
    : { agent: 'notify', event: 'notify-failed', reason: `${about} to ${attempt.label}: ${attempt.outcome}`, details: { ...base, error: attempt.outcome } };
}

export interface NotifierDeps {
  /** the [notify] in force (it follows a reloaded agents.toml) */
  spec: () => NotifySpec | undefined;
  project: () => string;
  phase: () => string | null;
  /** the ledger's head, read as a notification is queued (after its event was appended) */
  ledger?: () => LedgerHead | null;
  /** records an event of the notifier's own (an attempt, a summary of what was dropped) */
  record: (event: AoEvent) => void;
  now?: () => number;
  send?: (spec: NotifySpec, note: Notification) => Promise<Attempt[]>;
}

/** Queues and sends the watchdog's notifications; offer() returns at once, whatever the targets do. */
export class Notifier {
  private readonly deps: NotifierDeps;
  private readonly limiter = new NotifyLimiter();
  private readonly queue: Notification[] = [];
  private sending: Promise<void> | null = null;
  private summaryTimer: NodeJS.Timeout | null = null;

  constructor(deps: NotifierDeps) {
    this.deps = deps;
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  private ledger(): LedgerHead | null {
    try {
      return this.deps.ledger?.() ?? null;
    } catch {
      return null; // a notification goes out without its witness rather than not at all
    }
  }

  /** An event recorded, by the watchdog or read back from events.jsonl: queued if [notify] asks for it and the limits let it through. */
  offer(record: EventRecord | LoggedEvent): void {
    const spec = this.deps.spec();
    if (!spec || !spec.events.includes(record.event)) return;
    if (this.limiter.offer(record.agent, record.event, this.now(), this.queue.length))
      this.enqueue(notification(this.deps.project(), this.deps.phase(), record, this.ledger()));
    else this.scheduleSummary();
  }

  /** Resolves once the queue is empty, or after `graceMs` (a stopping watchdog waits 1 s at most: ao down gives it 2). */
  async flush(graceMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.sending ?? Promise.resolve(), new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
  }

  stop(): void {
    if (this.summaryTimer) clearTimeout(this.summaryTimer);
    this.summaryTimer = null;
  }

  private enqueue(note: Notification): void {
    this.queue.push(note);
    this.sending ??= this.pump().finally(() => (this.sending = null));
  }

  private async pump(): Promise<void> {
    const send = this.deps.send ?? deliver;
    for (let note = this.queue.shift(); note; note = this.queue.shift()) {
      const spec = this.deps.spec();
      if (!spec) continue; // [notify] removed from agents.toml meanwhile
      const attempts = await send(spec, note).catch((error: unknown) => [
        { target: 'webhook' as const, label: 'notify', ok: false, ms: 0, outcome: String(error) },
      ]);
      for (const attempt of attempts) this.deps.record(attemptEvent(note, attempt));
    }
  }

  private scheduleSummary(): void {
    if (this.summaryTimer) return;
    const due = this.limiter.summaryDueAt();
    if (due === null) return;
    this.summaryTimer = setTimeout(() => this.summarize(), Math.max(0, due - this.now()));
    this.summaryTimer.unref();
  }

  private summarize(): void {
    this.summaryTimer = null;
    const summary = this.limiter.takeSummary(this.now());
    if (!summary) return this.scheduleSummary();
    const counts = Object.entries(summary.byEvent)
      .map(([event, n]) => `${n} ${event}`)
      .join(', ');
    const event: AoEvent = {
      agent: 'notify',
      event: 'notify-dropped',
      reason: `${summary.dropped} notification${summary.dropped === 1 ? '' : 's'} held back by the limits (${counts}); see ao events`,
      details: { dropped: summary.dropped, by_event: summary.byEvent },
    };
    this.deps.record(event);
    // the summary itself is sent past the limits: there is at most one a minute, and the queue takes one more
    if (this.queue.length <= QUEUE_MAX)
      this.enqueue(notification(this.deps.project(), this.deps.phase(), { ...event, time: new Date(this.now()).toISOString() }, this.ledger()));
  }
}
