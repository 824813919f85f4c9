import { describe, expect, it } from 'vitest';
import type { ScreenState } from '../../../src/backends/types.js';
import { emptyRecord, markStarted, type AgentRecord } from '../../../src/state/agents.js';
import { lifeOf, nextStartOf, reasonOf } from '../../../src/state/lifecycle.js';
import { recordStarts } from '../../helpers/started.js';
import { DEFAULT_TIMINGS } from '../../helpers/timings.js';
import {
  backoffMs,
  errorRetryMs,
  reconcile,
  silentTooLong,
  type Action,
  type Decision,
  type DesiredAgent,
  type ObservedAgent,
  type ProviderTrouble,
  type StartReason,
  type Timings,
} from '../../../src/supervisor/reconcile.js';
import { desiredAgent } from '../../helpers/builders.js';

const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);
const S = 1000;
const MIN = 60 * S;

/** the config defaults (load.ts) */
const TIMINGS: Timings = { ...DEFAULT_TIMINGS };

function desired(name: string, over: Partial<DesiredAgent> = {}): DesiredAgent {
  return desiredAgent({ name, model: 'sonnet', ...over });
}

/** A record as `ao up` leaves it. */
function upRecord(agent: DesiredAgent, at: number): AgentRecord {
  const record = emptyRecord();
  markStarted(record, { at, model: agent.model, by: 'hand' });
  if (agent.kind === 'loop') record.iteration += 1;
  return record;
}

function alive(over: Partial<ObservedAgent> = {}): ObservedAgent {
  return { exists: true, dead: false, exitStatus: null, exitSignal: null, activityMs: null, screen: null, ...over };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

const events = (actions: readonly Action[]): string[] => actions.flatMap((a) => (a.type === 'event' ? [a.event] : []));

// ---------------------------------------------------------------------------
// A fake tmux and a fake clock: the reconciler is fed as the watchdog feeds it
// (a sweep every sweepMs, at once on a death as the pane-died hook does, and at
// wakeAt), and its start actions spawn new fake panes.

interface Behaviour {
  /** how long spawn n (0 = the one made by `ao up`) lives; default: for ever */
  life?: (n: number) => number;
  /** how it ends; default exit 1 */
  exit?: (n: number) => { status: number | null; signal: number | null };
  /** at its end the whole session is gone, not just the pane dead */
  vanishes?: boolean;
  /** it runs under ao's launcher: an end with a known status was recorded, one without means the launcher was killed */
  launcher?: boolean;
  /** how long after each spawn it keeps writing output; default: for ever */
  activeFor?: number;
  /** it answers a nudge with output this long after it; default: never */
  answersNudgeAfter?: number;
  /** the paste of the nudge shows as pane activity this long after it */
  nudgeEchoAfter?: number;
  /** what the detector reads off its screen at a time */
  screen?: (now: number) => ScreenState | null;
  /** the provider trouble its spawn n meets at its end (a usage limit, an outage) */
  trouble?: (n: number, now: number) => ProviderTrouble | null;
}

interface Pane {
  n: number;
  spawnedAt: number;
  diesAt: number;
  outputs: number[];
  seenDead: boolean;
}

interface Spawn {
  agent: string;
  at: number;
  reason: StartReason | 'up';
}

class Sim {
  now = T0;
  history: Record<string, AgentRecord> = {};
  readonly spawns: Spawn[] = [];
  readonly log: Array<{ at: number; action: Action }> = [];
  readonly decisions: Array<{ at: number; decision: Decision }> = [];
  /** broken rules found on the way: a start or nudge without its event, a wakeAt in the past */
  readonly problems: string[] = [];
  private readonly panes = new Map<string, Pane>();
  private readonly diedSinceSpawn = new Set<string>();

  constructor(
    readonly agents: DesiredAgent[],
    private readonly behaviour: Record<string, Behaviour>,
    private readonly timings: Timings = TIMINGS,
    private readonly sweepMs = 30 * S,
  ) {
    for (const agent of agents) {
      this.history[agent.name] = upRecord(agent, T0);
      this.spawn(agent.name, 'up');
    }
  }

  private of(name: string): Behaviour {
    return this.behaviour[name] ?? {};
  }

  private spawn(name: string, reason: Spawn['reason']): void {
    const n = this.spawns.filter((s) => s.agent === name).length;
    const life = this.of(name).life?.(n) ?? Infinity;
    this.panes.set(name, { n, spawnedAt: this.now, diesAt: this.now + life, outputs: [], seenDead: false });
    this.spawns.push({ agent: name, at: this.now, reason });
    this.diedSinceSpawn.delete(name);
  }

  /** `ao restart`: a start by hand. */
  restartByHand(name: string): void {
    const agent = this.agents.find((a) => a.name === name)!;
    const record = this.history[name]!;
    markStarted(record, { at: this.now, model: agent.model, by: 'hand' });
    if (agent.kind === 'loop') record.iteration += 1;
    this.spawn(name, 'up');
  }

  private observe(): Map<string, ObservedAgent> {
    const observed = new Map<string, ObservedAgent>();
    for (const agent of this.agents) {
      const pane = this.panes.get(agent.name);
      const b = this.of(agent.name);
      if (!pane) continue;
      const dead = this.now >= pane.diesAt;
      if (dead && b.vanishes) continue; // the session is gone: tmux does not list it
      const end = Math.min(this.now, pane.diesAt);
      const outputs = [Math.min(end, pane.spawnedAt + (b.activeFor ?? Infinity)), ...pane.outputs.filter((t) => t <= end)];
      const exit = dead ? (b.exit?.(pane.n) ?? { status: 1, signal: null }) : { status: null, signal: null };
      const seen: ObservedAgent = { exists: true, dead, exitStatus: exit.status, exitSignal: exit.signal, activityMs: Math.max(...outputs), screen: null };
      if (dead && b.launcher) seen.recorded = exit.status !== null || exit.signal !== null;
      if (dead && b.trouble) seen.trouble = b.trouble(pane.n, this.now);
      // the watchdog reads the screen only of agents silent for their stall time
      if (silentTooLong(agent, seen, this.history[agent.name], this.now)) seen.screen = b.screen?.(this.now) ?? null;
      observed.set(agent.name, seen);
    }
    return observed;
  }

  tick(): Decision {
    const input = deepFreeze(structuredClone(this.history));
    const decision = reconcile(this.agents, this.observe(), input, this.now, this.timings);
    this.decisions.push({ at: this.now, decision });
    for (const pane of this.panes.values()) if (this.now >= pane.diesAt) pane.seenDead = true;
    for (const action of decision.actions) {
      this.log.push({ at: this.now, action });
      const said = (event: string): boolean => decision.actions.some((a) => a.type === 'event' && a.agent === action.agent && a.event === event);
      if (action.type === 'event' && action.event === 'died') this.diedSinceSpawn.add(action.agent);
      if (action.type === 'nudge') {
        if (!said('nudge')) this.problems.push(`nudge of ${action.agent} without a nudge event`);
        const pane = this.panes.get(action.agent)!;
        const b = this.of(action.agent);
        if (b.nudgeEchoAfter !== undefined) pane.outputs.push(this.now + b.nudgeEchoAfter);
        if (b.answersNudgeAfter !== undefined) pane.outputs.push(this.now + b.answersNudgeAfter);
      }
      if (action.type === 'start') {
        const needs = {
          start: 'start',
          heal: 'died',
          'next-iteration': 'iteration-done',
          stall: 'stall-restart',
          'model-changed': 'model-changed',
          'config-changed': 'config-changed',
          'phase-changed': 'phase-changed',
          retry: 'start-error',
          resume: 'resume',
          'fresh-conversation': 'resume-refused',
          fallback: 'fallback',
        }[action.reason];
        const paced = action.reason === 'next-iteration' && input[action.agent]?.life?.is === 'pacing';
        const explained = action.reason === 'heal' ? this.diedSinceSpawn.has(action.agent) : paced || said(needs);
        if (!explained) this.problems.push(`start (${action.reason}) of ${action.agent} at +${this.now - T0} ms without a ${needs} event`);
        this.spawn(action.agent, action.reason);
      }
    }
    if (decision.wakeAt !== null && decision.wakeAt <= this.now) this.problems.push(`wakeAt ${decision.wakeAt} is not in the future at ${this.now}`);
    this.history = decision.history;
    recordStarts(decision.actions, this.agents, this.history, this.now);
    return decision;
  }

  /** Ticks as the watchdog would until the clock passes `until` (an offset from T0). */
  runUntil(until: number): void {
    for (let guard = 0; this.now <= T0 + until; guard++) {
      if (guard > 100_000) throw new Error(`the simulation spins at +${this.now - T0} ms`);
      const decision = this.tick();
      let next = this.now + this.sweepMs;
      if (decision.wakeAt !== null && decision.wakeAt > this.now) next = Math.min(next, decision.wakeAt);
      for (const pane of this.panes.values()) if (!pane.seenDead && pane.diesAt >= this.now) next = Math.min(next, pane.diesAt);
      this.now = next;
    }
  }

  setModel(name: string, model: string): void {
    this.agents.find((a) => a.name === name)!.model = model;
  }

  /** spawn times of an agent, as offsets from T0 */
  spawnsOf(name: string): number[] {
    return this.spawns.filter((s) => s.agent === name).map((s) => s.at - T0);
  }

  startActions(name: string): Array<{ at: number; reason: StartReason }> {
    return this.log.flatMap(({ at, action }) => (action.type === 'start' && action.agent === name ? [{ at: at - T0, reason: action.reason }] : []));
  }

  eventsOf(name: string, event?: string): Array<{ at: number; event: string; details?: Record<string, unknown> }> {
    return this.log.flatMap(({ at, action }) =>
      action.type === 'event' && action.agent === name && (event === undefined || action.event === event)
        ? [{ at: at - T0, event: action.event, ...(action.details ? { details: action.details } : {}) }]
        : [],
    );
  }

  nudgesOf(name: string): number[] {
    return this.log.flatMap(({ at, action }) => (action.type === 'nudge' && action.agent === name ? [at - T0] : []));
  }
}

// ---------------------------------------------------------------------------

describe('backoffMs', () => {
  it.each([
    [0, 0],
    [-1, 0],
    [1, 1 * S],
    [2, 2 * S],
    [3, 4 * S],
    [4, 8 * S],
    [6, 32 * S],
    [7, 60 * S], // 64 s, capped
    [50, 60 * S],
    [2000, 60 * S],
  ])('after %i failed starts in a row: %i ms', (streak, expected) => {
    expect(backoffMs(streak, TIMINGS)).toBe(expected);
  });
});

describe('silentTooLong', () => {
  const now = T0 + 60 * MIN;
  const stall = desired('a', { heal: 'heal+stall', stallMs: 10 * MIN });
  const startedLongAgo = { ...emptyRecord(), up: true, startedAt: new Date(T0).toISOString() };
  it.each<[string, DesiredAgent, ObservedAgent, AgentRecord | undefined, boolean]>([
    ['silent for the stall time exactly', stall, alive({ activityMs: now - 10 * MIN }), startedLongAgo, true],
    ['silent for longer', stall, alive({ activityMs: now - 30 * MIN }), startedLongAgo, true],
    ['output a moment short of the stall time', stall, alive({ activityMs: now - 10 * MIN + 1 }), startedLongAgo, false],
    [
      'old output, but started recently (activity = max(output, start))',
      stall,
      alive({ activityMs: now - 30 * MIN }),
      { ...startedLongAgo, startedAt: new Date(now - 5 * MIN).toISOString() },
      false,
    ],
    ['no output seen, started long ago', stall, alive({ activityMs: null }), startedLongAgo, true],
    ['heal only: never stalled', desired('a', { heal: 'heal', stallMs: 10 * MIN }), alive({ activityMs: now - 30 * MIN }), startedLongAgo, false],
    ['heal none: never stalled', desired('a', { heal: 'none', stallMs: 10 * MIN }), alive({ activityMs: now - 30 * MIN }), startedLongAgo, false],
    ['a dead pane is not silent, it is dead', stall, alive({ dead: true, activityMs: now - 30 * MIN }), startedLongAgo, false],
    ['a missing session is not silent', stall, alive({ exists: false, activityMs: now - 30 * MIN }), startedLongAgo, false],
  ])('%s', (_name, agent, seen, record, expected) => {
    expect(silentTooLong(agent, seen, record, now)).toBe(expected);
  });
});

describe('reconcile: who is acted upon', () => {
  const now = T0 + 60 * MIN;
  // three agents that would each be acted upon if they were up: a dead one, a silent one, one on an old model
  const agents = (up: boolean): DesiredAgent[] => [
    desired('dead', { up }),
    desired('silent', { up, heal: 'heal+stall' }),
    desired('old-model', { up, model: 'opus' }),
  ];
  const observed = new Map<string, ObservedAgent>([
    ['dead', alive({ dead: true, exitStatus: 1 })],
    ['silent', alive({ activityMs: T0 })],
    ['old-model', alive({ activityMs: now })],
  ]);
  const records = (up: boolean | 'missing'): Record<string, AgentRecord> => {
    if (up === 'missing') return {};
    const record = (): AgentRecord => ({ ...upRecord(desired('x'), T0), up });
    return { dead: record(), silent: record(), 'old-model': record() };
  };

  it.each<[string, boolean, boolean | 'missing']>([
    ['desired down, record up', false, true],
    ['desired up, record down', true, false],
    ['desired up, no record', true, 'missing'],
    ['desired down, record down', false, false],
  ])('%s: no action, history unchanged', (_name, desiredUp, recordUp) => {
    const history = records(recordUp);
    const before = structuredClone(history);
    const decision = reconcile(agents(desiredUp), observed, deepFreeze(history), now, TIMINGS);
    expect(decision.actions).toEqual([]);
    expect(decision.history).toEqual(before);
    expect(decision.wakeAt).toBeNull();
  });

  it('up on both sides: all three are acted upon (the control for the cases above)', () => {
    const decision = reconcile(agents(true), observed, records(true), now, TIMINGS);
    const acted = new Set(decision.actions.map((a) => a.agent));
    expect([...acted].sort()).toEqual(['dead', 'old-model', 'silent']);
  });
});

describe('reconcile: crash loops (an agent that exits at once)', () => {
  it.each<[string, Partial<Timings>, number[]]>([
    ['defaults: 1 s doubling, crash limit 5', {}, [0, 1 * S, 3 * S, 7 * S, 15 * S]],
    ['crash limit 3', { crashLimit: 3 }, [0, 1 * S, 3 * S]],
    ['crash limit 1: the first death fails it', { crashLimit: 1 }, [0]],
    ['0.5 s doubling capped at 1.5 s, crash limit 6', { backoffInitialMs: 500, backoffMaxMs: 1500, crashLimit: 6 }, [0, 500, 1500, 3000, 4500, 6000]],
  ])('%s: spawns at %j, then failed and no spawn for 10 minutes', (_name, over, spawnsAt) => {
    const timings = { ...TIMINGS, ...over };
    const sim = new Sim([desired('a')], { a: { life: () => 0 } }, timings);
    sim.runUntil(spawnsAt.at(-1)! + 10 * MIN);
    expect(sim.spawnsOf('a')).toEqual(spawnsAt);
    expect(sim.spawnsOf('a')).toHaveLength(timings.crashLimit); // counting the one made by `ao up`
    expect(sim.startActions('a')).toEqual(spawnsAt.slice(1).map((at) => ({ at, reason: 'heal' })));
    expect(sim.eventsOf('a', 'failed')).toEqual([{ at: spawnsAt.at(-1)!, event: 'failed' }]);
    expect(sim.eventsOf('a', 'died')).toHaveLength(timings.crashLimit - 1);
    expect(lifeOf(sim.history.a).is).toBe('failed');
    expect(sim.problems).toEqual([]);
  });

  it('wakeAt is the end of each pending backoff', () => {
    const sim = new Sim([desired('a')], { a: { life: () => 0 } });
    sim.runUntil(20 * S);
    const wakes = sim.decisions.flatMap(({ at, decision }) => (decision.wakeAt === null ? [] : [{ at: at - T0, wakeAt: decision.wakeAt - T0 }]));
    expect(wakes).toEqual([
      { at: 0, wakeAt: 1 * S },
      { at: 1 * S, wakeAt: 3 * S },
      { at: 3 * S, wakeAt: 7 * S },
      { at: 7 * S, wakeAt: 15 * S },
    ]);
    expect(nextStartOf(lifeOf(sim.history.a))).toBeNull();
  });

  it('a failed agent is started again only by hand, and then with a fresh crash budget and backoff', () => {
    const sim = new Sim([desired('a')], { a: { life: () => 0 } });
    sim.runUntil(30 * MIN);
    expect(sim.spawnsOf('a')).toHaveLength(5);
    sim.restartByHand('a'); // at 30 min and a bit
    const by = sim.now - T0;
    sim.runUntil(by + 30 * MIN);
    expect(sim.spawnsOf('a').slice(5)).toEqual([by, by + 1 * S, by + 3 * S, by + 7 * S, by + 15 * S]);
    expect(sim.eventsOf('a', 'failed')).toHaveLength(2);
    expect(sim.problems).toEqual([]);
  });

  it('a crash loop slower than crashLimit per crashWindowMs is not failed: it keeps restarting at backoffMaxMs', () => {
    const timings = { ...TIMINGS, backoffMaxMs: 4 * S, crashWindowMs: 10 * S, crashLimit: 5 };
    const sim = new Sim([desired('a')], { a: { life: () => 0 } }, timings);
    sim.runUntil(10 * MIN);
    expect(sim.eventsOf('a', 'failed')).toEqual([]);
    const at = sim.spawnsOf('a');
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    expect(gaps.slice(0, 5)).toEqual([1 * S, 2 * S, 4 * S, 4 * S, 4 * S]);
    expect(new Set(gaps.slice(2))).toEqual(new Set([4 * S]));
    expect(at.length).toBeGreaterThan(140);
  });
});

describe('reconcile: restart limit (deaths after healthy runs)', () => {
  it('dies after every healthy start (60 s each): 10 restarts at once, the 11th death fails it', () => {
    const sim = new Sim([desired('a')], { a: { life: () => 60 * S } });
    sim.runUntil(2 * 60 * MIN);
    const restarts = Array.from({ length: 10 }, (_, i) => (i + 1) * 60 * S);
    expect(sim.startActions('a')).toEqual(restarts.map((at) => ({ at, reason: 'heal' })));
    expect(sim.eventsOf('a', 'failed')).toEqual([{ at: 11 * 60 * S, event: 'failed' }]);
    expect(lifeOf(sim.history.a).is).toBe('failed');
    expect(sim.history.a?.restarts).toBe(10);
    expect(sim.problems).toEqual([]);
  });

  it.each([
    ['170 s (10 restarts inside 30 min)', 170 * S, true],
    ['200 s (at most 8 restarts inside any 30 min)', 200 * S, false],
  ])('healthy runs of %s: failed = %s', (_name, life, fails) => {
    const sim = new Sim([desired('a')], { a: { life: () => life } });
    sim.runUntil(3 * 60 * MIN);
    expect(sim.eventsOf('a', 'failed')).toHaveLength(fails ? 1 : 0);
    if (fails) expect(sim.spawnsOf('a')).toHaveLength(11);
    else expect(sim.spawnsOf('a').at(-1)).toBeGreaterThan(3 * 60 * MIN - life);
  });
});

describe('reconcile: the backoff resets after a healthy run', () => {
  it('kill while healthy → restart at once; quick deaths back off; a healthy run resets the backoff', () => {
    const lives = [60 * S, 0, 0, 60 * S, 0];
    const sim = new Sim([desired('a')], {
      a: { life: (n) => lives[n] ?? Infinity, exit: (n) => (lives[n] === 0 ? { status: 1, signal: null } : { status: null, signal: 15 }) },
    });
    sim.runUntil(10 * MIN);
    // 60 s healthy, killed: 0 backoff; two quick deaths: 1 s, 2 s; healthy 60 s, killed: 0; a quick death: 1 s again (not 4 s)
    expect(sim.spawnsOf('a')).toEqual([0, 60 * S, 61 * S, 63 * S, 123 * S, 124 * S]);
    expect(sim.eventsOf('a', 'died').map((e) => e.details?.backoff_ms)).toEqual([0, 1 * S, 2 * S, 0, 1 * S]);
    expect(sim.eventsOf('a', 'failed')).toEqual([]);
    expect(lifeOf(sim.history.a).is).toBe('clear');
    expect(sim.problems).toEqual([]);
  });

  it('a start that lived just short of healthyAfterMs is a failed start; one that lived healthyAfterMs is not', () => {
    const sim = new Sim([desired('a')], { a: { life: (n) => [30 * S - 1, 0, 30 * S, 0][n] ?? Infinity } });
    sim.runUntil(5 * MIN);
    const at = sim.spawnsOf('a');
    // 29.999 s: a failed start (1 s), then at once (2 s), then 30 s: healthy (0), then at once (1 s)
    expect(at).toEqual([0, 31 * S - 1, 33 * S - 1, 63 * S - 1, 64 * S - 1]);
  });
});

describe('reconcile: dead pane or missing session', () => {
  it.each<[string, Behaviour]>([
    ['the pane is dead (exit 1)', { life: (n) => (n === 0 ? 60 * S : Infinity) }],
    ['the pane was killed by a signal', { life: (n) => (n === 0 ? 60 * S : Infinity), exit: () => ({ status: null, signal: 9 }) }],
    ['the pane is dead, its status lost by tmux', { life: (n) => (n === 0 ? 60 * S : Infinity), exit: () => ({ status: null, signal: null }) }],
    ['the session is gone', { life: (n) => (n === 0 ? 60 * S : Infinity), vanishes: true }],
  ])('%s: a heal agent is restarted', (_name, behaviour) => {
    const sim = new Sim([desired('a')], { a: behaviour });
    sim.runUntil(10 * MIN);
    expect(sim.startActions('a')).toEqual([{ at: 60 * S, reason: 'heal' }]);
    expect(sim.eventsOf('a', 'died')).toHaveLength(1);
    expect(sim.history.a?.restarts).toBe(1);
    expect(sim.problems).toEqual([]);
  });

  it('a heal+stall agent is restarted too', () => {
    const sim = new Sim([desired('a', { heal: 'heal+stall' })], { a: { life: (n) => (n === 0 ? 60 * S : Infinity) } });
    sim.runUntil(5 * MIN);
    expect(sim.startActions('a')).toEqual([{ at: 60 * S, reason: 'heal' }]);
  });
});

describe("reconcile: a session of another owner with the agent's name", () => {
  it('is reported once and never touched; when it goes, the agent starts', () => {
    const agent = desired('a');
    const history = { a: { ...upRecord(agent, T0), startedAt: new Date(T0).toISOString() } };
    const taken = new Map([['a', { ...alive(), exists: false, foreign: '/q/agents.toml' }]]);
    const first = reconcile([agent], taken, history, T0 + S, TIMINGS);
    expect(first.actions).toEqual([
      { type: 'event', agent: 'a', event: 'foreign-session', reason: 'its session belongs to another project (/q/agents.toml); left alone' },
    ]);
    expect(lifeOf(first.history.a).is).toBe('foreign');
    const again = reconcile([agent], taken, first.history, T0 + 2 * S, TIMINGS);
    expect(again.actions).toEqual([]);
    // a stop (the project completed) does not kill it either
    const stop = reconcile([{ ...agent, up: false, stopReason: 'complete' }], taken, first.history, T0 + 2 * S, TIMINGS);
    expect(stop.actions.filter((x) => x.type === 'stop')).toEqual([]);
    const freed = reconcile([agent], new Map(), again.history, T0 + 3 * S, TIMINGS);
    expect(freed.actions.map((x) => x.type)).toEqual(['event', 'start']);
    expect(lifeOf(freed.history.a).is).toBe('clear');
    expect(events(freed.actions)).toEqual(['start']);
  });
});

describe('reconcile: a start that could not be made (state error)', () => {
  it('waits out errorRetryMs without an action, then tries again with no new event and no restart counted', () => {
    const agent = desired('a');
    const record: AgentRecord = {
      ...upRecord(agent, T0),
      life: { is: 'error', retryAt: T0 + S + errorRetryMs(TIMINGS), message: 'prompts/a.md not found' },
      deadSince: T0 + S,
    };
    const dead = new Map([['a', alive({ dead: true, exitStatus: 1 })]]);
    const wait = reconcile([agent], dead, { a: record }, T0 + 2 * S, TIMINGS);
    expect(wait.actions).toEqual([]);
    expect(wait.wakeAt).toBe(T0 + S + errorRetryMs(TIMINGS));
    const retry = reconcile([agent], dead, { a: record }, T0 + S + errorRetryMs(TIMINGS), TIMINGS);
    expect(retry.actions).toEqual([{ type: 'start', agent: 'a', reason: 'retry' }]);
    expect(retry.history.a?.restarts).toBe(0);
    // the same for an agent that never started (a first start that failed)
    const never = reconcile([agent], new Map(), { a: { ...record, startedAt: null } }, T0 + S + errorRetryMs(TIMINGS), TIMINGS);
    expect(never.actions).toEqual([{ type: 'start', agent: 'a', reason: 'retry' }]);
  });

  it('retries at a bounded rate: at least 1 s apart, at most backoffMaxMs', () => {
    expect(errorRetryMs(TIMINGS)).toBe(5 * S);
    expect(errorRetryMs({ backoffInitialMs: 10 * S, backoffMaxMs: 60 * S })).toBe(10 * S);
    expect(errorRetryMs({ backoffInitialMs: 100, backoffMaxMs: 2 * S })).toBe(2 * S);
  });
});

describe('reconcile: heal = none', () => {
  it.each<[string, Behaviour]>([
    ['dies after a healthy run', { life: () => 60 * S }],
    ['exits at once', { life: () => 0 }],
    ['its session disappears', { life: () => 60 * S, vanishes: true }],
  ])('%s: reported once, left dead', (_name, behaviour) => {
    const sim = new Sim([desired('a', { heal: 'none' })], { a: behaviour });
    sim.runUntil(60 * MIN);
    expect(sim.spawnsOf('a')).toEqual([0]);
    expect(sim.startActions('a')).toEqual([]);
    expect(sim.eventsOf('a').map((e) => e.event)).toEqual(['died']);
    expect(lifeOf(sim.history.a).is).not.toBe('failed');
  });
});

describe('reconcile: loop agents', () => {
  it('exit 0 → the next iteration at once: iteration + 1, restarts unchanged, no backoff', () => {
    const sim = new Sim([desired('l', { kind: 'loop', heal: 'heal+stall' })], { l: { life: () => 5 * MIN, exit: () => ({ status: 0, signal: null }) } });
    const first = sim.history.l!.iteration;
    sim.runUntil(21 * MIN);
    expect(sim.spawnsOf('l')).toEqual([0, 5 * MIN, 10 * MIN, 15 * MIN, 20 * MIN]);
    expect(sim.startActions('l').map((s) => s.reason)).toEqual(Array(4).fill('next-iteration'));
    expect(sim.eventsOf('l').map((e) => e.event)).toEqual(Array(4).fill('iteration-done'));
    expect(sim.history.l?.iteration).toBe(first + 4);
    expect(sim.history.l?.restarts).toBe(0);
    expect(sim.problems).toEqual([]);
  });

  it('quick iterations (exit 0 after 2 s) are neither backed off nor counted as crashes', () => {
    const sim = new Sim([desired('l', { kind: 'loop' })], { l: { life: () => 2 * S, exit: () => ({ status: 0, signal: null }) } });
    sim.runUntil(10 * MIN);
    const at = sim.spawnsOf('l');
    expect(at.slice(0, 4)).toEqual([0, 2 * S, 4 * S, 6 * S]);
    expect(at).toHaveLength(301);
    expect(sim.eventsOf('l', 'failed')).toEqual([]);
    expect(sim.history.l?.restarts).toBe(0);
  });

  it('exit 0 at once, over and over: paced to one start per minIterationMs, never a failure; spinning after 3 in a row, said once', () => {
    const sim = new Sim([desired('l', { kind: 'loop', minIterationMs: 3 * S })], { l: { life: () => 0, exit: () => ({ status: 0, signal: null }) } });
    sim.runUntil(MIN);
    const at = sim.spawnsOf('l');
    expect(at.slice(0, 4)).toEqual([0, 3 * S, 6 * S, 9 * S]);
    expect(at).toHaveLength(21);
    expect(sim.startActions('l').every((s) => s.reason === 'next-iteration')).toBe(true);
    expect(sim.eventsOf('l', 'failed')).toEqual([]);
    expect(sim.eventsOf('l', 'died')).toEqual([]);
    expect(sim.eventsOf('l', 'spinning').map((e) => e.at)).toEqual([6 * S]);
    expect(sim.history.l).toMatchObject({ restarts: 0, streak: 0 });
    expect(sim.problems).toEqual([]);
  });

  it('an iteration of minIterationMs or more starts the next at once and ends the spinning', () => {
    const sim = new Sim([desired('l', { kind: 'loop', minIterationMs: 3 * S })], {
      l: { life: (n) => (n < 4 ? 0 : 5 * S), exit: () => ({ status: 0, signal: null }) },
    });
    sim.runUntil(25 * S);
    expect(sim.spawnsOf('l')).toEqual([0, 3 * S, 6 * S, 9 * S, 12 * S, 17 * S, 22 * S]);
    expect(sim.history.l?.quickIterations).toBe(0);
  });

  it('a paced loop with heal = none still gets its next iteration', () => {
    const sim = new Sim([desired('l', { kind: 'loop', heal: 'none', minIterationMs: 3 * S })], {
      l: { life: () => S, exit: () => ({ status: 0, signal: null }) },
    });
    sim.runUntil(10 * S);
    expect(sim.spawnsOf('l')).toEqual([0, 3 * S, 6 * S, 9 * S]);
  });

  // tmux can lose the exit status (DESIGN §5): a loop that ran healthyAfterMs is taken to have ended normally
  it('exit status lost after a healthy run → the next iteration, not a restart', () => {
    const sim = new Sim([desired('l', { kind: 'loop' })], { l: { life: () => 5 * MIN, exit: () => ({ status: null, signal: null }) } });
    sim.runUntil(60 * MIN); // 12 iterations: past the restart limit (10) if they counted as restarts
    expect(sim.startActions('l').map((s) => s.reason)).toEqual(Array(12).fill('next-iteration'));
    expect(sim.history.l?.restarts).toBe(0);
    expect(sim.eventsOf('l', 'died')).toEqual([]);
  });

  it('exit status lost at once → a failed start, backed off', () => {
    const sim = new Sim([desired('l', { kind: 'loop' })], { l: { life: () => 0, exit: () => ({ status: null, signal: null }) } });
    sim.runUntil(10 * MIN);
    expect(sim.spawnsOf('l')).toEqual([0, 1 * S, 3 * S, 7 * S, 15 * S]);
    expect(sim.eventsOf('l', 'failed')).toHaveLength(1);
  });

  it('with the launcher, a run that left no record was killed with its launcher: a death, however long it ran', () => {
    const sim = new Sim([desired('l', { kind: 'loop' })], { l: { launcher: true, life: () => 5 * MIN, exit: () => ({ status: null, signal: null }) } });
    sim.runUntil(12 * MIN);
    expect(sim.eventsOf('l', 'iteration-done')).toEqual([]);
    expect(sim.eventsOf('l', 'died')).toHaveLength(2);
    expect(sim.startActions('l').map((s) => s.reason)).toEqual(['heal', 'heal']);
    const died = sim.log.find((l) => l.action.type === 'event' && l.action.event === 'died')!.action;
    expect(died.type === 'event' && died.reason).toBe('killed with its launcher (no exit record)');
  });

  it('with the launcher, a recorded kill -9 of the agent is a signal death, and exit 0 an iteration', () => {
    const sim = new Sim([desired('l', { kind: 'loop' })], {
      l: { launcher: true, life: () => 5 * MIN, exit: (n) => (n === 1 ? { status: null, signal: 9 } : { status: 0, signal: null }) },
    });
    sim.runUntil(16 * MIN);
    expect(sim.startActions('l').map((s) => s.reason)).toEqual(['next-iteration', 'heal', 'next-iteration']);
    const died = sim.log.find((l) => l.action.type === 'event' && l.action.event === 'died')!.action;
    expect(died.type === 'event' && died.reason).toBe('killed by signal 9');
  });

  it('a non-zero exit is a death: healed with backoff, and a crash loop fails', () => {
    const sim = new Sim([desired('l', { kind: 'loop' })], { l: { life: () => 0, exit: () => ({ status: 2, signal: null }) } });
    sim.runUntil(10 * MIN);
    expect(sim.spawnsOf('l')).toEqual([0, 1 * S, 3 * S, 7 * S, 15 * S]);
    expect(sim.startActions('l').every((s) => s.reason === 'heal')).toBe(true);
    expect(sim.eventsOf('l', 'iteration-done')).toEqual([]);
    expect(sim.eventsOf('l', 'failed')).toHaveLength(1);
  });
});

describe('reconcile: stalls (heal+stall)', () => {
  const stall = (over: Partial<DesiredAgent> = {}): DesiredAgent => desired('s', { heal: 'heal+stall', stallMs: 10 * MIN, ...over });

  it('silent for stallMs → a nudge; still silent stallMs later → a restart for the stall', () => {
    // writes for 1 min, then nothing; sweeps every 30 s
    const sim = new Sim([stall()], { s: { activeFor: 1 * MIN } });
    sim.runUntil(21 * MIN);
    expect(sim.nudgesOf('s')).toEqual([11 * MIN]);
    expect(sim.decisions.find((d) => d.at === T0 + 11 * MIN)?.decision.history.s?.nudgedAt).toBe(T0 + 11 * MIN);
    expect(sim.startActions('s')).toEqual([{ at: 21 * MIN, reason: 'stall' }]);
    expect(sim.eventsOf('s').map((e) => [e.event, e.at])).toEqual([
      ['nudge', 11 * MIN],
      ['stall-restart', 21 * MIN],
    ]);
    expect(sim.history.s?.nudgedAt).toBeNull();
    expect(sim.problems).toEqual([]);
  });

  it('an agent no nudge can reach (a one-shot run, a shell without notify): the stall restarts it at once, no nudge', () => {
    const sim = new Sim([stall({ nudgeable: false })], { s: { activeFor: 1 * MIN } });
    sim.runUntil(20 * MIN);
    expect(sim.nudgesOf('s')).toEqual([]);
    expect(sim.startActions('s')).toEqual([{ at: 11 * MIN, reason: 'stall' }]);
    expect(sim.eventsOf('s').map((e) => e.event)).toEqual(['stall-restart']);
    expect(sim.problems).toEqual([]);
  });

  it('a nudge is an action, once per stall (the apply step hands it to the screen watch); the stall restart clears it', () => {
    const sim = new Sim([stall()], { s: { activeFor: 1 * MIN } });
    sim.runUntil(12 * MIN);
    expect(sim.history.s?.nudgedAt).toBe(T0 + 11 * MIN);
    expect(sim.history.s?.nudgeDue).toBeFalsy(); // the decision only decides: apply.ts sets what the screen watch pastes
    expect(sim.nudgesOf('s')).toEqual([11 * MIN]);
    sim.runUntil(22 * MIN);
    expect(sim.history.s?.nudgedAt).toBeNull();
  });

  it('an agent whose kickoff is pasted: every start leaves the kickoff pending; others never', () => {
    const pasted = new Sim([desired('p', { heal: 'heal', pasteKickoff: true }), desired('q', { heal: 'heal' })], {
      p: { life: () => 2 * MIN },
      q: { life: () => 2 * MIN },
    });
    pasted.runUntil(3 * MIN);
    expect(pasted.startActions('p').length).toBeGreaterThanOrEqual(1);
    expect(pasted.history.p?.pending).toEqual({ what: 'kickoff', since: expect.any(Number) });
    expect(pasted.history.q?.pending).toBeNull();
  });

  it('the restarted agent gets a fresh stall clock: the next nudge is stallMs after its last output', () => {
    const sim = new Sim([stall()], { s: { activeFor: 1 * MIN } });
    sim.runUntil(45 * MIN);
    expect(sim.nudgesOf('s')).toEqual([11 * MIN, 32 * MIN]);
    expect(sim.startActions('s')).toEqual([
      { at: 21 * MIN, reason: 'stall' },
      { at: 42 * MIN, reason: 'stall' },
    ]);
  });

  it('output more than 1 s after the nudge answers it: no restart, the silence is counted afresh', () => {
    const sim = new Sim([stall()], { s: { activeFor: 1 * MIN, answersNudgeAfter: 5 * S } });
    sim.runUntil(40 * MIN);
    // nudged at 11 min, answered at 11 min 5 s, silent again: nudged at 21 min 30 s (the first sweep 10 min after the answer)
    expect(sim.nudgesOf('s')).toEqual([11 * MIN, 21.5 * MIN, 32 * MIN]);
    expect(sim.startActions('s')).toEqual([]);
  });

  it("the nudge's own echo (within 1 s) does not answer it: the restart follows", () => {
    const sim = new Sim([stall()], { s: { activeFor: 1 * MIN, nudgeEchoAfter: 500 } });
    sim.runUntil(30 * MIN);
    expect(sim.nudgesOf('s')).toEqual([11 * MIN]);
    expect(sim.startActions('s').map((s) => s.reason)).toEqual(['stall']);
  });

  it("the nudge's own echo (within 1 s) does not postpone the restart: still silent stallMs after the nudge", () => {
    const sim = new Sim([stall()], { s: { activeFor: 1 * MIN, nudgeEchoAfter: 500 } });
    sim.runUntil(30 * MIN);
    expect(sim.startActions('s')).toEqual([{ at: 21 * MIN, reason: 'stall' }]);
  });

  it('a silent agent whose screen is waiting is left alone: state waiting, one event', () => {
    const sim = new Sim([stall()], { s: { activeFor: 1 * MIN, screen: () => 'waiting' } });
    sim.runUntil(3 * 60 * MIN);
    expect(sim.nudgesOf('s')).toEqual([]);
    expect(sim.startActions('s')).toEqual([]);
    expect(sim.eventsOf('s')).toEqual([{ at: 11 * MIN, event: 'waiting' }]);
    expect(lifeOf(sim.history.s).is).toBe('waiting');
  });

  it('a nudged agent whose screen turns to waiting is not restarted', () => {
    const sim = new Sim([stall()], { s: { activeFor: 1 * MIN, screen: (now) => (now >= T0 + 15 * MIN ? 'waiting' : 'busy') } });
    sim.runUntil(60 * MIN);
    expect(sim.nudgesOf('s')).toEqual([11 * MIN]);
    expect(sim.startActions('s')).toEqual([]);
    expect(sim.eventsOf('s', 'waiting')).toHaveLength(1);
  });

  it.each<[string, DesiredAgent['heal']]>([
    ['heal', 'heal'],
    ['none', 'none'],
  ])('a %s agent is never stalled', (_name, heal) => {
    const sim = new Sim([stall({ heal })], { s: { activeFor: 0 } });
    sim.runUntil(3 * 60 * MIN);
    expect(sim.log).toEqual([]);
  });

  it('an agent that keeps writing is never nudged', () => {
    const sim = new Sim([stall()], { s: {} });
    sim.runUntil(3 * 60 * MIN);
    expect(sim.log).toEqual([]);
  });
});

describe('reconcile: model changes', () => {
  const now = T0 + 10 * MIN;
  it.each<[string, DesiredAgent['kind'], boolean]>([
    ['persistent', 'persistent', true],
    ['loop', 'loop', true],
    ['task', 'task', true],
    ['service', 'service', false],
  ])('a running %s agent on another model: restarted = %s', (_name, kind, restarted) => {
    const agent = desired('a', { kind, model: 'opus' });
    const history = { a: upRecord(desired('a', { kind, model: 'sonnet' }), T0) };
    const decision = reconcile([agent], new Map([['a', alive({ activityMs: now })]]), deepFreeze(history), now, TIMINGS);
    if (!restarted) {
      expect(decision.actions).toEqual([]);
      return;
    }
    expect(events(decision.actions)).toEqual(['model-changed']);
    expect(decision.actions.filter((a) => a.type === 'start')).toEqual([{ type: 'start', agent: 'a', reason: 'model-changed' }]);
    // the reconciler leaves the start to the start transaction: the record still says what runs now
    expect(decision.history.a).toEqual(history.a);
    recordStarts(decision.actions, [agent], decision.history, now);
    expect(decision.history.a?.model).toBe('opus');
    expect(decision.history.a?.startedAt).toBe(new Date(now).toISOString());
  });

  it('the same model: nothing to do', () => {
    const decision = reconcile(
      [desired('a', { model: 'opus' })],
      new Map([['a', alive({ activityMs: now })]]),
      { a: upRecord(desired('a', { model: 'opus' }), T0) },
      now,
      TIMINGS,
    );
    expect(decision.actions).toEqual([]);
  });

  it('a change of model mid-run restarts once, on the next sweep, and is not a crash', () => {
    const sim = new Sim([desired('a', { model: 'sonnet' })], {});
    sim.runUntil(5 * MIN);
    sim.setModel('a', 'opus');
    sim.runUntil(65 * MIN);
    expect(sim.startActions('a')).toEqual([{ at: 5.5 * MIN, reason: 'model-changed' }]);
    expect(sim.history.a?.model).toBe('opus');
    expect(lifeOf(sim.history.a).is).toBe('clear');
    expect(sim.problems).toEqual([]);
  });
});

describe('reconcile: wakeAt', () => {
  const now = T0 + 10 * MIN;
  it('is the earliest pending backoff end over all agents', () => {
    const inBackoff: AgentRecord = {
      ...upRecord(desired('a'), now),
      deadSince: now - 1000,
      streak: 3,
      failedStarts: [now - 1000],
      life: { is: 'backoff', until: now + 5000, lastExit: 'exit 1' },
    };
    const justDied = upRecord(desired('b'), now); // started now: a failed start, 1 s backoff
    const dead = alive({ dead: true, exitStatus: 1 });
    const both = reconcile(
      [desired('a'), desired('b')],
      new Map([
        ['a', dead],
        ['b', dead],
      ]),
      { a: inBackoff, b: justDied },
      now,
      TIMINGS,
    );
    expect(both.actions.filter((a) => a.type === 'start')).toEqual([]);
    expect(both.wakeAt).toBe(now + 1000);
    const one = reconcile([desired('a')], new Map([['a', dead]]), { a: inBackoff }, now, TIMINGS);
    expect(one.wakeAt).toBe(now + 5000);
  });

  it('is null when nothing waits on a backoff', () => {
    const decision = reconcile(
      [desired('a'), desired('b', { heal: 'none' })],
      new Map([
        ['a', alive({ activityMs: now })],
        ['b', alive({ dead: true, exitStatus: 1 })],
      ]),
      { a: upRecord(desired('a'), T0), b: upRecord(desired('b'), T0) },
      now,
      TIMINGS,
    );
    expect(decision.wakeAt).toBeNull();
  });
});

describe('reconcile: the history given is not changed', () => {
  const now = T0 + 20 * MIN;
  it.each<[string, DesiredAgent, ObservedAgent | undefined]>([
    ['a healthy death', desired('a'), alive({ dead: true, exitStatus: 1 })],
    ['a missing session', desired('a'), undefined],
    ['a nudge', desired('a', { heal: 'heal+stall' }), alive({ activityMs: T0 })],
    ['a model change', desired('a', { model: 'opus' }), alive({ activityMs: now })],
    ['a loop iteration', desired('a', { kind: 'loop' }), alive({ dead: true, exitStatus: 0 })],
  ])('%s', (_name, agent, seen) => {
    const history = { a: { ...upRecord(desired('a', { kind: agent.kind }), T0), failedStarts: [T0 - 1000], healthyRestarts: [T0 - 2000], streak: 1 } };
    const before = structuredClone(history);
    const observed = new Map<string, ObservedAgent>(seen ? [['a', seen]] : []);
    const decision = reconcile([agent], observed, deepFreeze(history), now, TIMINGS);
    expect(decision.actions.length).toBeGreaterThan(0);
    expect(history).toEqual(before);
    expect(decision.history).not.toBe(history);
    expect(decision.history.a).not.toBe(history.a);
  });
});

describe('provider trouble is not agent failure', () => {
  const limit = (resetAt: number | null): ProviderTrouble => ({ kind: 'usage-limit', resetAt, message: "You've hit your 5-hour limit" });
  const loop = (over: Partial<DesiredAgent> = {}): DesiredAgent => desired('l', { kind: 'loop', heal: 'heal+stall', stallMs: 60 * MIN, ...over });

  it('a usage limit with a reset time: paused until the reset plus the margin, never failed, then the next iteration', () => {
    const reset = T0 + 60 * MIN;
    // the first run meets the limit and exits 1 within a second; the one after the reset runs on
    const sim = new Sim(
      [loop()],
      { l: { life: (n) => (n === 0 ? 1 * S : Infinity), trouble: (_n, now) => (now < reset ? limit(reset) : null) } },
      { ...TIMINGS, resumeMarginMs: 30 * S },
    );
    sim.runUntil(59 * MIN);
    expect(lifeOf(sim.history.l).is).toBe('paused');
    expect(reasonOf(lifeOf(sim.history.l))).toMatch(/^usage limit, resumes \d\d:\d\d$/);
    expect(sim.history.l?.failedStarts ?? []).toEqual([]);
    expect(sim.startActions('l')).toEqual([]);
    sim.runUntil(62 * MIN);
    expect(sim.startActions('l')).toEqual([{ at: 60 * MIN + 30 * S, reason: 'resume' }]);
    expect(sim.eventsOf('l').map((e) => e.event)).toEqual(['paused', 'resume']);
    expect(sim.problems).toEqual([]);
  });

  it('an outage with no reset time: capped exponential probing, never failed, however long it lasts', () => {
    const outage: ProviderTrouble = { kind: 'overload', resetAt: null, message: 'API Error: 529 Overloaded' };
    const sim = new Sim([loop()], { l: { life: () => 2 * S, trouble: () => outage } }, { ...TIMINGS, probeInitialMs: 1 * MIN, probeMaxMs: 8 * MIN });
    sim.runUntil(120 * MIN);
    const starts = sim.startActions('l').map((s) => s.at);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    // 1, 2, 4, 8, 8, ... minutes (plus the 2 s each try lives)
    expect(gaps.slice(0, 5)).toEqual([2 * MIN + 2 * S, 4 * MIN + 2 * S, 8 * MIN + 2 * S, 8 * MIN + 2 * S, 8 * MIN + 2 * S]);
    expect(lifeOf(sim.history.l).is).toBe('paused');
    expect(sim.eventsOf('l').some((e) => e.event === 'failed')).toBe(false);
  });

  it('refused credentials fail at once, saying what to do', () => {
    const sim = new Sim([loop()], { l: { life: () => 1 * S, trouble: () => ({ kind: 'auth', resetAt: null, message: 'invalid x-api-key' }) } });
    sim.runUntil(10 * MIN);
    expect(lifeOf(sim.history.l).is).toBe('failed');
    expect(reasonOf(lifeOf(sim.history.l))).toContain('refused its credentials (invalid x-api-key)');
    expect(sim.startActions('l')).toEqual([]);
  });
});

describe('budgets and caps hold a loop', () => {
  it('held: paused at the end of its run with the reason, told once, no new run; let go: it resumes', () => {
    const loop = desired('l', { kind: 'loop', heal: 'heal+stall', stallMs: 60 * MIN });
    const sim = new Sim([loop], { l: { life: () => 10 * S, exit: () => ({ status: 0, signal: null }) } });
    sim.runUntil(5 * S);
    loop.hold = 'budget: phase one has spent $0.0100 of its budget_usd = 0.01';
    sim.runUntil(30 * MIN);
    expect(sim.startActions('l')).toEqual([]);
    expect(sim.history.l?.life).toEqual({ is: 'paused', until: null, why: loop.hold });
    expect(sim.eventsOf('l').map((e) => e.event)).toEqual(['iteration-done', 'paused']);
    loop.hold = null;
    sim.runUntil(31 * MIN);
    expect(sim.startActions('l')[0]).toEqual({ at: expect.any(Number), reason: 'resume' });
    expect(sim.startActions('l')[0]!.at).toBeGreaterThan(30 * MIN);
    expect(
      sim
        .startActions('l')
        .slice(1)
        .every((s) => s.reason === 'next-iteration'),
    ).toBe(true);
    expect(sim.problems).toEqual([]);
  });
});
