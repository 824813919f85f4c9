/**
 * The fallback model's circuit breaker, pure, with a fake clock: its steps
 * one by one (atStart, afterRun, whileAlive), then a loop driven through the
 * reconciler as the watchdog drives it, against a fake provider that
 * overloads one model for a while.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordStarts } from '../../helpers/started.js';
import { emptyRecord, loadAgentsState, markStarted, type AgentRecord, type FallbackState } from '../../../src/state/agents.js';
import { afterRun, atStart, runModel, whileAlive, type BreakerAgent, type FallbackPolicy, type RunEnd } from '../../../src/supervisor/fallback.js';
import { reconcile, type ObservedAgent, type ProviderTrouble, type Timings } from '../../../src/supervisor/reconcile.js';
import { desiredAgent } from '../../helpers/builders.js';

const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);
const S = 1000;
const OPUS = 'claude-opus-4-8';
const SONNET = 'claude-sonnet-4-6';
const POLICY: FallbackPolicy = { model: SONNET, afterMs: 120 * S, probeMs: 600 * S, onUsageLimit: false };
const AGENT: BreakerAgent = { name: 'builder', model: OPUS, fallback: POLICY };

const overload: RunEnd = { trouble: { kind: 'overload', message: 'API Error: 529 Overloaded' }, ok: false };
const usageLimit: RunEnd = { trouble: { kind: 'usage-limit', message: 'You’ve hit your limit' }, ok: false };
const rateLimit: RunEnd = { trouble: { kind: 'rate-limit', message: '429' }, ok: false };
const good: RunEnd = { trouble: null, ok: true };
const crash: RunEnd = { trouble: null, ok: false };
/** a run that ended well although Claude Code switched to its --fallback-model during it */
const switched: RunEnd = { trouble: null, fellBack: { from: OPUS, to: SONNET }, ok: true };

const closed = (troubleSince: number | null): FallbackState => ({ own: OPUS, troubleSince, since: null, probing: false });
const open = (since: number, probing = false): FallbackState => ({ own: OPUS, troubleSince: null, since, probing });

describe('afterRun: the end of a run moves the clock', () => {
  it.each([
    { name: 'first overload of its own model starts the clock', state: null, run: overload, now: T0, want: closed(T0), startBy: T0 + 120 * S },
    { name: 'a later overload keeps the first one’s time', state: closed(T0), run: overload, now: T0 + 50 * S, want: closed(T0), startBy: T0 + 120 * S },
    { name: 'a good run stops the clock', state: closed(T0), run: good, now: T0 + 50 * S, want: null, startBy: null },
    { name: 'a crash says nothing of the provider', state: closed(T0), run: crash, now: T0 + 50 * S, want: closed(T0), startBy: null },
    { name: 'a rate limit is not overload', state: null, run: rateLimit, now: T0, want: null, startBy: null },
    { name: 'a usage limit is not, without fallback_on_usage_limit', state: null, run: usageLimit, now: T0, want: null, startBy: null },
    { name: 'trouble on the fallback leaves it there', state: open(T0), run: overload, now: T0 + 9 * S, want: open(T0), startBy: null },
    {
      name: 'a failed probe: back on the fallback at once',
      state: open(T0, true),
      run: overload,
      now: T0 + 700 * S,
      want: open(T0 + 700 * S),
      startBy: T0 + 700 * S,
    },
    { name: 'the CLI’s own switch to another model starts the clock', state: null, run: switched, now: T0, want: closed(T0), startBy: T0 + 120 * S },
    {
      name: 'a probe the CLI itself moved off its model fails',
      state: open(T0, true),
      run: switched,
      now: T0 + 700 * S,
      want: open(T0 + 700 * S),
      startBy: T0 + 700 * S,
    },
    { name: 'a good probe closes the breaker', state: open(T0, true), run: good, now: T0 + 700 * S, want: null, startBy: null },
    { name: 'a crashed probe stays a probe', state: open(T0, true), run: crash, now: T0 + 700 * S, want: open(T0, true), startBy: null },
    { name: 'its own model changed in agents.toml: a new start', state: { ...closed(T0), own: 'other' }, run: good, now: T0, want: null, startBy: null },
  ])('$name', ({ state, run, now, want, startBy }) => {
    const out = afterRun(AGENT, state, run, now);
    expect(out.state).toEqual(want);
    expect(out.startBy).toBe(startBy);
  });

  it('a usage limit counts with fallback_on_usage_limit', () => {
    const agent = { ...AGENT, fallback: { ...POLICY, onUsageLimit: true } };
    expect(afterRun(agent, null, usageLimit, T0)).toEqual({ state: closed(T0), event: null, startBy: T0 + 120 * S });
  });

  it('the events: back to the fallback after a probe, and recovered', () => {
    expect(afterRun(AGENT, open(T0, true), overload, T0 + 700 * S).event).toMatchObject({
      event: 'fallback',
      details: { from: OPUS, to: SONNET, trigger: 'probe' },
    });
    expect(afterRun(AGENT, open(T0, true), good, T0 + 700 * S).event).toMatchObject({ event: 'fallback-recovered', details: { from: SONNET, to: OPUS } });
  });

  it('without a fallback configured there is no state', () => {
    expect(afterRun({ ...AGENT, fallback: null }, closed(T0), overload, T0)).toEqual({ state: null, event: null, startBy: null });
  });
});

describe('atStart: the model of each start', () => {
  it.each([
    { name: 'no trouble: its own model', state: null, now: T0, model: OPUS, event: null },
    { name: 'trouble for less than fallback_after_s: still its own', state: closed(T0), now: T0 + 119 * S, model: OPUS, event: null },
    { name: 'trouble for fallback_after_s: the fallback', state: closed(T0), now: T0 + 120 * S, model: SONNET, event: 'fallback' },
    { name: 'on the fallback before fallback_probe_s: the fallback', state: open(T0), now: T0 + 599 * S, model: SONNET, event: null },
    { name: 'fallback_probe_s on the fallback: a probe of its own', state: open(T0), now: T0 + 600 * S, model: OPUS, event: 'fallback-probe' },
    { name: 'a probe that is started again stays a probe', state: open(T0, true), now: T0 + 900 * S, model: OPUS, event: null },
  ])('$name', ({ state, now, model, event }) => {
    const out = atStart(AGENT, state, now);
    expect(runModel(AGENT, out.state)).toBe(model);
    expect(out.event?.event ?? null).toBe(event);
  });

  it('the fallback event says from what to what and why', () => {
    expect(atStart(AGENT, closed(T0), T0 + 130 * S).event).toEqual({
      agent: 'builder',
      event: 'fallback',
      reason: `${OPUS} overloaded or unavailable for 130 s (fallback_after_s 120 s): starts use ${SONNET} until a probe of ${OPUS} succeeds`,
      details: { from: OPUS, to: SONNET, trigger: 'trouble' },
    });
  });

  it('a state left from another own model or with no fallback configured is ignored', () => {
    expect(runModel({ ...AGENT, model: 'claude-opus-5' }, open(T0))).toBe('claude-opus-5');
    expect(runModel({ ...AGENT, fallback: null }, open(T0))).toBe(OPUS);
  });
});

describe('whileAlive: a persistent agent’s probe', () => {
  it.each([
    { name: 'a probe up for healthy_after_s is a good one', state: open(T0, true), lived: 30 * S, want: null, event: 'fallback-recovered' },
    { name: 'a probe not yet healthy stays a probe', state: open(T0, true), lived: 29 * S, want: open(T0, true), event: null },
    { name: 'a run on the fallback changes nothing', state: open(T0), lived: 999 * S, want: open(T0), event: null },
  ])('$name', ({ state, lived, want, event }) => {
    const out = whileAlive(AGENT, state, lived, 30 * S, T0 + 900 * S);
    expect(out.state).toEqual(want);
    expect(out.event?.event ?? null).toBe(event);
  });
});

// ---------------------------------------------------------------------------
// A loop through the reconciler, as the watchdog runs it: each start's model
// is the record's, the fake provider answers by model and time.

const TIMINGS: Timings = {
  backoffInitialMs: 1 * S,
  backoffMaxMs: 60 * S,
  healthyAfterMs: 30 * S,
  crashLimit: 5,
  crashWindowMs: 300 * S,
  restartLimit: 10,
  restartWindowMs: 1800 * S,
  probeInitialMs: 60 * S,
  probeMaxMs: 1800 * S,
  resumeMarginMs: 30 * S,
};

interface Start {
  at: number;
  model: string | null;
}

/**
 * Runs a loop from `ao up` at T0 until `untilMs`: each run lasts `runMs` and
 * ends as `provider(model, now)` says. Returns its starts and the events.
 */
function drive(policy: FallbackPolicy | null, provider: (model: string | null, now: number) => ProviderTrouble | null, untilMs: number, runMs = 10 * S) {
  const agent = desiredAgent({ name: 'l', kind: 'loop', heal: 'heal+stall', stallMs: 600 * S, model: OPUS, fallback: policy });
  const record: AgentRecord = emptyRecord();
  markStarted(record, { at: T0, model: OPUS, by: 'hand', launch: { kind: 'loop', phaseGen: 0, launchKey: 'k', pasteKickoff: false } });
  let history: Record<string, AgentRecord> = { l: record };
  const starts: Start[] = [{ at: T0, model: OPUS }];
  const events: { at: number; event: string; reason: string }[] = [];
  let now = T0;
  let endsAt = T0 + runMs;
  let trouble: ProviderTrouble | null = null;
  for (let i = 0; i < 10_000 && now < untilMs; i++) {
    const dead = now >= endsAt;
    if (dead && history.l!.deadSince == null) trouble = provider(history.l!.model, now);
    const seen: ObservedAgent = {
      exists: true,
      dead,
      exitStatus: dead ? (trouble ? 1 : 0) : null,
      exitSignal: null,
      activityMs: now,
      screen: null,
      trouble: dead ? trouble : null,
    };
    const decision = reconcile([agent], new Map([['l', seen]]), history, now, TIMINGS);
    history = decision.history;
    recordStarts(decision.actions, [agent], history, now);
    for (const a of decision.actions) {
      if (a.type === 'event') events.push({ at: now, event: a.event, reason: a.reason });
      if (a.type === 'start') {
        starts.push({ at: now, model: history.l!.model });
        endsAt = now + runMs;
      }
    }
    const next = decision.wakeAt !== null && decision.wakeAt > now ? decision.wakeAt : Infinity;
    now = Math.min(next, now >= endsAt ? Infinity : endsAt, now + 5 * S);
  }
  return { starts, events, record: history.l! };
}

describe('a loop on opus whose provider overloads opus only', () => {
  const recoversAt = T0 + 1200 * S;
  const provider = (model: string | null, now: number): ProviderTrouble | null =>
    model === OPUS && now < recoversAt ? { kind: 'overload', resetAt: null, message: '529 Overloaded' } : null;

  it('moves to sonnet fallback_after_s after the first overload, probes opus every fallback_probe_s, and stays on opus once it answers', () => {
    const { starts, events } = drive(POLICY, provider, T0 + 2400 * S);
    const firstOverload = T0 + 10 * S;
    const firstSonnet = starts.find((s) => s.model === SONNET)!;
    expect(firstSonnet.at - firstOverload).toBe(120 * S);
    // until then only opus, paused between tries as before; never failed
    expect(starts.filter((s) => s.at < firstSonnet.at).every((s) => s.model === OPUS)).toBe(true);
    expect(events.map((e) => e.event)).not.toContain('failed');
    const fallback = events.filter((e) => e.event === 'fallback');
    expect(fallback[0]).toMatchObject({ at: firstSonnet.at });
    // a probe of opus every 600 s on sonnet; the one before recoversAt fails and goes straight back
    const probes = starts.filter((s) => s.at > firstSonnet.at && s.model === OPUS);
    expect(probes[0]!.at).toBeGreaterThanOrEqual(firstSonnet.at + 600 * S);
    expect(probes[0]!.at).toBeLessThan(firstSonnet.at + 600 * S + 11 * S);
    const back = starts.find((s) => s.at > probes[0]!.at)!;
    expect(back).toEqual({ at: probes[0]!.at + 10 * S, model: SONNET });
    expect(fallback[1]?.reason).toMatch(/^the probe of claude-opus-4-8 met overload/);
    // the probe after recoversAt succeeds: opus from then on
    const recovered = events.find((e) => e.event === 'fallback-recovered')!;
    expect(recovered.at).toBeGreaterThan(recoversAt);
    expect(starts.filter((s) => s.at > recovered.at).every((s) => s.model === OPUS)).toBe(true);
    expect(starts.filter((s) => s.at > recovered.at).length).toBeGreaterThan(10);
  });

  it('without a fallback it stays on opus, paused between tries, and never fails', () => {
    const { starts, events } = drive(null, provider, T0 + 1500 * S);
    expect(starts.every((s) => s.model === OPUS)).toBe(true);
    expect(events.map((e) => e.event)).not.toContain('failed');
    expect(events.map((e) => e.event)).not.toContain('fallback');
  });

  it('a good run of opus in between starts the clock afresh', () => {
    // overloaded, except for one good run 80 s in: the 120 s count from the overload after it
    const flaky = (model: string | null, now: number): ProviderTrouble | null =>
      model === OPUS && !(now >= T0 + 75 * S && now < T0 + 85 * S) ? { kind: 'overload', resetAt: null, message: '529' } : null;
    const { starts, events } = drive({ ...POLICY, afterMs: 120 * S }, flaky, T0 + 600 * S);
    const good = events.find((e) => e.event === 'iteration-done')!;
    const troubleAfter = events.find((e) => e.event === 'paused' && e.at > good.at)!;
    const firstSonnet = starts.find((s) => s.model === SONNET)!;
    expect(firstSonnet.at - troubleAfter.at).toBe(120 * S);
  });
});

describe('a usage limit moves it only with fallback_on_usage_limit', () => {
  const limited = (model: string | null): ProviderTrouble | null =>
    model === OPUS ? { kind: 'usage-limit', resetAt: T0 + 5 * 3600 * S, message: 'You’ve hit your 5-hour limit' } : null;

  it.each([
    { onUsageLimit: false, models: [OPUS] },
    { onUsageLimit: true, models: [OPUS, SONNET] },
  ])('fallback_on_usage_limit = $onUsageLimit', ({ onUsageLimit, models }) => {
    const { starts, events } = drive({ ...POLICY, onUsageLimit }, limited, T0 + 3600 * S);
    expect([...new Set(starts.map((s) => s.model))]).toEqual(models);
    expect(events.some((e) => e.event === 'fallback')).toBe(onUsageLimit);
    if (!onUsageLimit) expect(starts).toHaveLength(1); // paused until the reset, 5 h away
  });
});

describe('the breaker’s state in agents.json', () => {
  it.each([
    { name: 'a record of an older ao, without one', fallback: undefined, corrupt: null },
    { name: 'a record on its fallback', fallback: open(T0), corrupt: null },
    { name: 'none (null)', fallback: null, corrupt: null },
    { name: 'a wrong shape', fallback: { own: OPUS, troubleSince: 'soon', since: null, probing: false }, corrupt: 'agents.builder.fallback.troubleSince' },
  ])('$name', ({ fallback, corrupt }) => {
    const dir = mkdtempSync(join(tmpdir(), 'ao-fallback-'));
    try {
      const record = { ...emptyRecord(), up: true, ...(fallback === undefined ? {} : { fallback }) };
      writeFileSync(join(dir, 'agents.json'), JSON.stringify({ version: 1, agents: { builder: record } }));
      const read = loadAgentsState(dir);
      if (corrupt === null) {
        expect(read.corrupt).toBeNull();
        expect(read.state.agents.builder?.fallback).toEqual(fallback);
      } else expect(read.corrupt).toContain(corrupt);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
