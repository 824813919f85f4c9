/**
 * A CLI retrying its provider (Claude's api_retry, told by ao's stream
 * formatter) is waiting on the provider: never stall-restarted for that
 * silence, while its next try is due within its stall time.
 */
import { describe, expect, it } from 'vitest';
import { recordStarts } from '../../helpers/started.js';
import { emptyRecord, markStarted, type AgentRecord } from '../../../src/state/agents.js';
import { reconcile, type Action, type ObservedAgent, type Timings } from '../../../src/supervisor/reconcile.js';
import { desiredAgent } from '../../helpers/builders.js';
import { DEFAULT_TIMINGS } from '../../helpers/timings.js';

const S = 1000;
const MIN = 60 * S;
const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);
const NOW = T0 + 10 * MIN;
/** the config defaults (load.ts) */
const TIMINGS: Timings = { ...DEFAULT_TIMINGS };

const loop = desiredAgent({ name: 'l', kind: 'loop', heal: 'heal+stall', stallMs: 30 * S, model: 'opus', nudgeable: false });

function record(over: Partial<AgentRecord> = {}): AgentRecord {
  const r = emptyRecord();
  markStarted(r, { at: T0, model: 'opus', by: 'hand' });
  r.launchKey = 'k';
  r.phaseGen = 0;
  return { ...r, ...over };
}

const events = (actions: readonly Action[]): string[] => actions.flatMap((a) => (a.type === 'event' ? [a.event] : []));
const starts = (actions: readonly Action[]): string[] => actions.flatMap((a) => (a.type === 'start' ? [a.reason] : []));

describe('reconcile: a loop whose CLI retries its provider', () => {
  // silent for 5 minutes (its last output at 5 min), stall time 30 s
  const silent = (providerRetry: ObservedAgent['providerRetry']): ObservedAgent => ({
    exists: true,
    dead: false,
    exitStatus: null,
    exitSignal: null,
    activityMs: T0 + 5 * MIN,
    screen: null,
    providerRetry,
  });

  it.each<[string, ObservedAgent['providerRetry'], Partial<AgentRecord>, string[], string[], string | null]>([
    ['no retry told: silent past its stall time, restarted', null, {}, ['stall-restart'], ['stall'], null],
    ['retry 9/10, next try due 10 s ago: waiting on the provider', { retry: '9/10', dueMs: NOW - 10 * S }, {}, ['waiting'], [], 'provider (retry 9/10)'],
    ['retry 3/10, next try due in 40 s: waiting', { retry: '3/10', dueMs: NOW + 40 * S }, {}, ['waiting'], [], 'provider (retry 3/10)'],
    [
      'already waiting: no second event, the retry shown moves on',
      { retry: '4/10', dueMs: NOW },
      { providerWait: 'provider (retry 3/10)' },
      [],
      [],
      'provider (retry 4/10)',
    ],
    // bounded: a CLI that said it would retry and then went silent past its stall time is a stall
    [
      'the retry was due longer ago than its stall time: a stall after all',
      { retry: '9/10', dueMs: NOW - 31 * S },
      {},
      ['waiting', 'stall-restart'],
      ['stall'],
      null,
    ],
    [
      'the provider answered (no retry now): the wait is over',
      null,
      { providerWait: 'provider (retry 9/10)' },
      ['waiting-over', 'stall-restart'],
      ['stall'],
      null,
    ],
  ])('%s', (_name, providerRetry, over, expectedEvents, expectedStarts, waiting) => {
    const decision = reconcile([loop], new Map([['l', silent(providerRetry)]]), { l: record(over) }, NOW, TIMINGS);
    expect(events(decision.actions)).toEqual(expectedEvents);
    expect(starts(decision.actions)).toEqual(expectedStarts);
    // a start clears it (markStarted, when the start is made); without one it is what the stream says
    recordStarts(decision.actions, [loop], decision.history, NOW);
    expect(decision.history.l?.providerWait ?? null).toBe(waiting);
  });

  it('a run that ends before a sweep sees it answered ends its wait with it, told once', () => {
    const ended: ObservedAgent = { exists: true, dead: true, exitStatus: 0, exitSignal: null, activityMs: NOW - S, screen: null };
    const decision = reconcile([loop], new Map([['l', ended]]), { l: record({ providerWait: 'provider (retry 2/2)' }) }, NOW, TIMINGS);
    const over = decision.actions.filter((a) => a.type === 'event' && a.event === 'waiting-over');
    expect(over).toEqual([expect.objectContaining({ reason: 'its run ended (provider (retry 2/2))' })]);
    expect(decision.history.l?.providerWait).toBeNull();
    // the next sweep, the death already seen: nothing more to tell
    const next = reconcile([loop], new Map([['l', ended]]), decision.history, NOW + S, TIMINGS);
    expect(events(next.actions)).not.toContain('waiting-over');
  });

  it('a heal-only loop shows the wait too (no stall clock to hold)', () => {
    const decision = reconcile([{ ...loop, heal: 'heal' }], new Map([['l', silent({ retry: '2/10', dueMs: NOW })]]), { l: record() }, NOW, TIMINGS);
    expect(decision.history.l?.providerWait).toBe('provider (retry 2/10)');
    expect(starts(decision.actions)).toEqual([]);
  });
});
