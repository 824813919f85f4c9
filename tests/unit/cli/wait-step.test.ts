import { describe, expect, it } from 'vitest';
import { bringUpGapMs, nextWaitStep, RESTORE_LIMIT, RESTORE_WINDOW_MS, type WaitSeen } from '../../../src/cli/wait-step.js';

const NOW = 1_000_000_000;
const seen = (over: Partial<WaitSeen>): WaitSeen => ({ watchdog: 'alive', teamUp: true, restored: [], now: NOW, ...over });
const times = (n: number, ago: number): number[] => Array.from({ length: n }, () => NOW - ago);

describe('what ao up --wait does when it looks', () => {
  it.each<[string, Partial<WaitSeen>, string]>([
    ['the watchdog runs: it watches', {}, 'watch'],
    ['the watchdog runs though the record says down (a racing ao down): it watches on', { teamUp: false }, 'watch'],
    ['brought down by ao down: it ends with 0', { watchdog: 'gone', teamUp: false }, 'down'],
    ['the watchdog pane dead after ao down: it ends with 0', { watchdog: 'dead', teamUp: false }, 'down'],
    ['the tmux server ended under the team: it brings the team up', { watchdog: 'gone' }, 'bring-up'],
    ['the watchdog pane dead and no hook brought it back: it brings the team up', { watchdog: 'dead' }, 'bring-up'],
    ['another owner took the name: it gives up', { watchdog: 'foreign' }, 'give-up'],
    [`${RESTORE_LIMIT - 1} bring-ups lately: one more`, { watchdog: 'gone', restored: times(RESTORE_LIMIT - 1, 1000) }, 'bring-up'],
    [`${RESTORE_LIMIT} bring-ups within the window: it gives up for systemd`, { watchdog: 'gone', restored: times(RESTORE_LIMIT, 1000) }, 'give-up'],
    ['old bring-ups do not count', { watchdog: 'gone', restored: times(RESTORE_LIMIT, RESTORE_WINDOW_MS + 1) }, 'bring-up'],
  ])('%s', (_name, over, step) => {
    expect(nextWaitStep(seen(over)).step).toBe(step);
  });

  it('says why it brings the team up', () => {
    expect(nextWaitStep(seen({ watchdog: 'gone' }))).toEqual({ step: 'bring-up', why: expect.stringMatching(/session is gone/) as unknown });
    expect(nextWaitStep(seen({ watchdog: 'dead' }))).toEqual({ step: 'bring-up', why: expect.stringMatching(/pane is dead/) as unknown });
  });
});

describe('the wait after a bring-up', () => {
  it('doubles with each recent bring-up, so a team that goes down again at once is given up on within seconds, not milliseconds', () => {
    const now = 50 * RESTORE_WINDOW_MS;
    const times = (n: number): number[] => Array.from({ length: n }, (_, i) => now - i * 100);
    expect([1, 2, 3, 4, 5].map((n) => bringUpGapMs(times(n), now))).toEqual([1000, 2000, 4000, 8000, 16000]);
    // bring-ups older than the window do not count
    expect(bringUpGapMs([now - RESTORE_WINDOW_MS - 1, now], now)).toBe(1000);
  });
});
