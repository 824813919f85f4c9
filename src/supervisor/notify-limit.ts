/**
 * The limits on notifications, pure (the time is passed in): at most one per
 * agent and event a minute, at most PER_MINUTE in all, at most QUEUE_MAX
 * waiting to be sent. What is held back is counted, and a summary of it is due
 * SUMMARY_DELAY_MS after the first drop, then at most once a minute.
 */
export const PER_KEY_MS = 60_000;
export const PER_MINUTE = 10;
export const QUEUE_MAX = 20;
export const SUMMARY_DELAY_MS = 5_000;

export interface DroppedSummary {
  dropped: number;
  byEvent: Record<string, number>;
}

export class NotifyLimiter {
  private readonly lastByKey = new Map<string, number>();
  /** when each notification of the last minute was let through */
  private admitted: number[] = [];
  private dropped = new Map<string, number>();
  private firstDropAt: number | null = null;
  private lastSummaryAt: number | null = null;

  /** Whether a notification of `event` for `agent` may be queued now, with `queued` already waiting. */
  offer(agent: string, event: string, now: number, queued: number): boolean {
    this.admitted = this.admitted.filter((t) => now - t < 60_000);
    const key = `${agent}\u0000${event}`;
    const last = this.lastByKey.get(key);
    const ok = (last === undefined || now - last >= PER_KEY_MS) && this.admitted.length < PER_MINUTE && queued < QUEUE_MAX;
    if (ok) {
      this.lastByKey.set(key, now);
      this.admitted.push(now);
      // forget keys older than the window: the map stays as small as the last minute's traffic
      if (this.lastByKey.size > 1000) for (const [k, t] of this.lastByKey) if (now - t >= PER_KEY_MS) this.lastByKey.delete(k);
      return true;
    }
    this.dropped.set(event, (this.dropped.get(event) ?? 0) + 1);
    this.firstDropAt ??= now;
    return false;
  }

  /** When the summary of what was dropped is due, or null when nothing was. */
  summaryDueAt(): number | null {
    if (this.firstDropAt === null) return null;
    const after = this.firstDropAt + SUMMARY_DELAY_MS;
    return this.lastSummaryAt === null ? after : Math.max(after, this.lastSummaryAt + 60_000);
  }

  /** The summary, if one is due now; what it counts starts again from zero. */
  takeSummary(now: number): DroppedSummary | null {
    const due = this.summaryDueAt();
    if (due === null || now < due) return null;
    const byEvent = Object.fromEntries(this.dropped);
    const dropped = [...this.dropped.values()].reduce((a, b) => a + b, 0);
    this.dropped = new Map();
    this.firstDropAt = null;
    this.lastSummaryAt = now;
    return { dropped, byEvent };
  }
}
