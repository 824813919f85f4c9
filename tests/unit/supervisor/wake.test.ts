import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WakeQueue } from '../../../src/supervisor/wake.js';

describe('WakeQueue', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  /** Whether the sleep has ended after `ms` of fake time. */
  async function endedAfter(sleep: Promise<void>, ms: number): Promise<boolean> {
    let ended = false;
    void sleep.then(() => (ended = true));
    await vi.advanceTimersByTimeAsync(ms);
    return ended;
  }

  it('a wake ends the sleep at once; without one it lasts its time', async () => {
    const q = new WakeQueue();
    const sleep = q.sleepUntilWake(10_000);
    expect(await endedAfter(sleep, 5000)).toBe(false);
    q.push({ source: 'hook' });
    expect(await endedAfter(sleep, 0)).toBe(true);
    expect(q.take()).toEqual([{ source: 'hook' }]);
    expect(await endedAfter(q.sleepUntilWake(1000), 999)).toBe(false);
  });

  it('a wake pushed before the sleep ends it before it begins; the same wake twice is one', async () => {
    const q = new WakeQueue();
    q.push({ source: 'plan', file: 'a.md' });
    q.push({ source: 'plan', file: 'a.md' });
    q.push({ source: 'plan', file: 'b.md' });
    expect(await endedAfter(q.sleepUntilWake(10_000), 0)).toBe(true);
    expect(q.take()).toEqual([
      { source: 'plan', file: 'a.md' },
      { source: 'plan', file: 'b.md' },
    ]);
    expect(q.pending).toBe(false);
  });

  it('a sleep that wakes may not end (a backoff) lasts its time; close() ends it, and every sleep after', async () => {
    const q = new WakeQueue();
    const backoff = q.sleepUntilWake(10_000, { wakes: false });
    q.push({ source: 'proc', pids: [7] });
    expect(await endedAfter(backoff, 5000)).toBe(false);
    q.close();
    expect(await endedAfter(backoff, 0)).toBe(true);
    expect(await endedAfter(q.sleepUntilWake(10_000), 0)).toBe(true);
    q.push({ source: 'hook' }); // nothing is queued once closed
    expect(q.pending).toBe(true); // the wake before close() is still there to take
    expect(q.take()).toEqual([{ source: 'proc', pids: [7] }]);
    expect(q.isClosed).toBe(true);
  });
});
