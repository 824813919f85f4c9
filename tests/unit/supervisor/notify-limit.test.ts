import { describe, expect, it } from 'vitest';
import { NotifyLimiter, PER_KEY_MS, PER_MINUTE, QUEUE_MAX, SUMMARY_DELAY_MS } from '../../../src/supervisor/notify-limit.js';

const T0 = 1_000_000;

describe('NotifyLimiter', () => {
  it('lets one per agent and event through a minute', () => {
    const l = new NotifyLimiter();
    expect(l.offer('a', 'failed', T0, 0)).toBe(true);
    expect(l.offer('a', 'failed', T0 + 1000, 0)).toBe(false);
    expect(l.offer('a', 'paused', T0 + 1000, 0)).toBe(true);
    expect(l.offer('b', 'failed', T0 + 1000, 0)).toBe(true);
    expect(l.offer('a', 'failed', T0 + PER_KEY_MS - 1, 0)).toBe(false);
    expect(l.offer('a', 'failed', T0 + PER_KEY_MS, 0)).toBe(true);
  });

  it('100 failures within a minute: PER_MINUTE through, one summary of the rest, due after the delay', () => {
    const l = new NotifyLimiter();
    const through = Array.from({ length: 100 }, (_, i) => l.offer(`c${i}`, 'failed', T0 + i * 100, 0)).filter(Boolean).length;
    expect(through).toBe(PER_MINUTE);
    const firstDrop = T0 + PER_MINUTE * 100;
    expect(l.summaryDueAt()).toBe(firstDrop + SUMMARY_DELAY_MS);
    expect(l.takeSummary(firstDrop + SUMMARY_DELAY_MS - 1)).toBeNull();
    expect(l.takeSummary(firstDrop + SUMMARY_DELAY_MS)).toEqual({ dropped: 100 - PER_MINUTE, byEvent: { failed: 100 - PER_MINUTE } });
    expect(l.summaryDueAt()).toBeNull(); // nothing dropped since
    // more drops right after: the next summary waits a minute from the last
    const at = firstDrop + SUMMARY_DELAY_MS + 10;
    expect(l.offer('c0', 'failed', at, 0)).toBe(false);
    expect(l.offer('c0', 'paused', at, 0)).toBe(false); // still PER_MINUTE in the last minute
    expect(l.summaryDueAt()).toBe(firstDrop + SUMMARY_DELAY_MS + 60_000);
    expect(l.takeSummary(firstDrop + SUMMARY_DELAY_MS + 60_000)).toEqual({ dropped: 2, byEvent: { failed: 1, paused: 1 } });
  });

  it('a full queue drops, and the window frees up after a minute', () => {
    const l = new NotifyLimiter();
    expect(l.offer('a', 'failed', T0, QUEUE_MAX)).toBe(false);
    expect(l.offer('a', 'failed', T0, QUEUE_MAX - 1)).toBe(true);
    for (let i = 1; i < PER_MINUTE; i++) expect(l.offer(`b${i}`, 'failed', T0, 0)).toBe(true);
    expect(l.offer('z', 'failed', T0 + 59_999, 0)).toBe(false);
    expect(l.offer('z', 'failed', T0 + 60_000, 0)).toBe(true);
  });

  it('over a day of steady failures, never more than PER_MINUTE in any minute', () => {
    const l = new NotifyLimiter();
    const admitted: number[] = [];
    // one failure of some agent every 0.5 s for a day
    for (let t = 0; t < 86_400_000; t += 500) if (l.offer(`a${(t / 500) % 300}`, 'failed', t, 0)) admitted.push(t);
    let worst = 0;
    for (let i = 0, j = 0; i < admitted.length; i++) {
      while (admitted[i]! - admitted[j]! >= 60_000) j++;
      worst = Math.max(worst, i - j + 1);
    }
    expect(worst).toBe(PER_MINUTE);
  });
});
