/**
 * What wakes a loop of the watchdog early. Every source (tmux's pane-died
 * hook, a launcher's exit record, the /proc look, an edited file, the sweep
 * telling the screen watch to look) pushes a typed `Wake`; the loop takes
 * what was pushed, does its pass, and sleeps until the next wake or its own
 * timer with `sleepUntilWake`. The sweep and the screen watch each have one.
 */

export type Wake =
  /** a pane died (its pane-died hook signalled the project's channel), or `ao up` asked */
  | { source: 'hook' }
  /** a launcher wrote how its run ended, and no /proc look found the pid ended in time */
  | { source: 'exit-record' }
  /** the /proc look found these pids ended */
  | { source: 'proc'; pids: readonly number[] }
  /** agents.toml changed on disk */
  | { source: 'config' }
  /** a plan under phases/ was edited */
  | { source: 'plan'; file: string }
  /** a gate file in the state folder changed (a claim, a verdict) */
  | { source: 'gate' }
  /** a sandboxed agent left a message in its outbox */
  | { source: 'outbox' }
  /** the sweep asks the screen watch to look (a start, panes changed, writes work again) */
  | { source: 'sweep' }
  /** the screen watch has outcomes for agents.json, which the sweep writes */
  | { source: 'screens' };

export interface SleepOptions {
  /** whether a wake ends the sleep early (a loop in backoff lets only stop() cut it short) */
  wakes?: boolean;
}

/** The wakes of one loop: pushed by every source, taken by the loop each pass. */
export class WakeQueue {
  private readonly queued = new Map<string, Wake>();
  private cut: (() => void) | null = null;
  private closed = false;

  /** Queues a wake (the same wake queued twice is one) and ends a sleep it may end. */
  push(wake: Wake): void {
    if (this.closed) return;
    this.queued.set(JSON.stringify(wake), wake);
    this.cut?.();
  }

  /** Whether a wake came since the last take(). */
  get pending(): boolean {
    return this.queued.size > 0;
  }

  /** Whether close() was called: the loop ends. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** The wakes since the last take(), oldest first; the queue is empty after. */
  take(): Wake[] {
    const wakes = [...this.queued.values()];
    this.queued.clear();
    return wakes;
  }

  /** Sleeps `ms`, until a wake (unless `wakes` is false), or until close(). */
  async sleepUntilWake(ms: number, options: SleepOptions = {}): Promise<void> {
    const cutByWake = options.wakes ?? true;
    if (this.closed || (cutByWake && this.pending)) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.cut = () => {
        if (cutByWake || this.closed) done();
      };
    });
    this.cut = null;
  }

  /** Ends the sleep under way and every one after: the loop stops. */
  close(): void {
    this.closed = true;
    this.cut?.();
  }
}
