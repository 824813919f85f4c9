/**
 * The fallback model's circuit breaker (agent key `fallback_model`), pure.
 *
 * Closed: the agent runs on its own model. The first run of it that ends in
 * provider overload (or, with `fallback_on_usage_limit`, a usage limit)
 * starts a clock; a good run stops it. A start `fallback_after_s` or more
 * after the clock started is made on the fallback (open). `fallback_probe_s`
 * after that, the next start probes its own model: a good run of it closes
 * the breaker, trouble again opens it at once for another probe period.
 * The state lives in the agent's record (AgentRecord.fallback); the watchdog
 * applies it at each start, and every start takes its model from `runModel`.
 */
import { fallbackModelFor, modelFor } from '../config/resolve.js';
import { DEFAULT_FALLBACK, type AgentSpec, type PhaseSpec, type Project } from '../config/types.js';
import type { FallbackState } from '../state/agents.js';
import type { AoEvent } from '../state/event-catalogue.js';

export interface FallbackPolicy {
  /** the fallback model id */
  model: string;
  afterMs: number;
  probeMs: number;
  onUsageLimit: boolean;
}

/** What the breaker needs of an agent: its own model id and its policy (null: no fallback configured). */
export interface BreakerAgent {
  name: string;
  model: string | null;
  fallback?: FallbackPolicy | null;
}

/** The end of a run, as the breaker reads it. */
export interface RunEnd {
  /** the provider trouble its output shows, if any */
  trouble: { kind: string; message: string } | null;
  /** the CLI itself switched to a fallback model during the run: its own model was in trouble although the run ended well */
  fellBack?: { from: string; to: string } | null;
  /** it ended well: a loop's iteration or a task done (exit 0) */
  ok: boolean;
}

export type BreakerEvent = Extract<AoEvent, { event: 'fallback' | 'fallback-probe' | 'fallback-recovered' }>;

/** An agent's policy in a phase: its fallback model and timings, or null when it has none. */
export function fallbackPolicyOf(project: Project, agent: AgentSpec, phase: PhaseSpec | null): FallbackPolicy | null {
  const model = fallbackModelFor(project, agent, phase);
  if (model === null) return null;
  const t = agent.fallback ?? DEFAULT_FALLBACK;
  return { model, afterMs: t.afterS * 1000, probeMs: t.probeS * 1000, onUsageLimit: t.onUsageLimit };
}

/** The breaker's state as it holds under this config: none without a fallback, or once its own model changed. */
export function settle(agent: BreakerAgent, state: FallbackState | null | undefined): FallbackState | null {
  return agent.fallback && state && state.own === agent.model ? state : null;
}

/** Whether the agent's starts use its fallback now (open, not probing). */
export function onFallback(agent: BreakerAgent, state: FallbackState | null | undefined): boolean {
  const s = settle(agent, state);
  return s !== null && s.since !== null && !s.probing;
}

/** The model a start runs on: the fallback while the breaker is open and not probing, else its own. */
export function runModel(agent: BreakerAgent, state: FallbackState | null | undefined): string | null {
  return onFallback(agent, state) ? agent.fallback!.model : agent.model;
}

/** The model the next start of an agent uses, in a phase, with the breaker state of its record: the one answer for every starter and for `ao status`. */
export function startModelFor(project: Project, spec: AgentSpec, phase: PhaseSpec | null, state: FallbackState | null | undefined): string | null {
  return runModel({ name: spec.name, model: modelFor(project, spec, phase), fallback: fallbackPolicyOf(project, spec, phase) }, state);
}

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

/**
 * What in a run's end moves an agent to its fallback, in words, or null: overload or an outage, the
 * CLI's own switch to another model, a usage limit only when asked.
 */
function trouble(agent: BreakerAgent, run: RunEnd): string | null {
  const t = run.trouble;
  if (t !== null && (t.kind === 'overload' || (t.kind === 'usage-limit' && agent.fallback?.onUsageLimit === true))) return `${t.kind} (${t.message})`;
  if (run.fellBack) return `overload (the CLI switched from ${run.fellBack.from} to ${run.fellBack.to} itself)`;
  return null;
}

/**
 * At a start: open the breaker when its own model has been in trouble for
 * `fallback_after_s`, or begin a probe `fallback_probe_s` after it opened.
 * Returns the new state and the event to record, if any.
 */
export function atStart(
  agent: BreakerAgent,
  state: FallbackState | null | undefined,
  now: number,
): { state: FallbackState | null; event: BreakerEvent | null } {
  const s = settle(agent, state);
  const policy = agent.fallback;
  if (s === null || !policy) return { state: s, event: null };
  if (s.since === null) {
    if (s.troubleSince === null || now - s.troubleSince < policy.afterMs) return { state: s, event: null };
    const reason = `${agent.model ?? '-'} overloaded or unavailable for ${seconds(now - s.troubleSince)} (fallback_after_s ${seconds(policy.afterMs)}): starts use ${policy.model} until a probe of ${agent.model ?? '-'} succeeds`;
    return {
      state: { ...s, since: now, probing: false },
      event: { agent: agent.name, event: 'fallback', reason, details: { from: agent.model, to: policy.model, trigger: 'trouble' } },
    };
  }
  if (s.probing || now - s.since < policy.probeMs) return { state: s, event: null };
  return {
    state: { ...s, probing: true },
    event: {
      agent: agent.name,
      event: 'fallback-probe',
      reason: `${seconds(now - s.since)} on ${policy.model}: this start tries ${agent.model ?? '-'} again`,
      details: { from: policy.model, to: agent.model },
    },
  };
}

/**
 * At the end of a run: trouble of its own model starts the clock (or, on a
 * probe, opens the breaker again at once); a good run stops the clock (or, on
 * a probe, closes the breaker). `startBy`: the latest its next start should be
 * (the moment the fallback is due), or null to leave the wait as it is.
 */
export function afterRun(
  agent: BreakerAgent,
  state: FallbackState | null | undefined,
  run: RunEnd,
  now: number,
): { state: FallbackState | null; event: BreakerEvent | null; startBy: number | null } {
  const s = settle(agent, state);
  const policy = agent.fallback;
  if (!policy) return { state: null, event: null, startBy: null };
  const met = trouble(agent, run);
  const bad = met !== null;
  if (s?.probing) {
    if (bad) {
      const reason = `the probe of ${agent.model ?? '-'} met ${met}: back on ${policy.model} for another ${seconds(policy.probeMs)}`;
      return {
        state: { own: agent.model, troubleSince: null, since: now, probing: false },
        event: { agent: agent.name, event: 'fallback', reason, details: { from: agent.model, to: policy.model, trigger: 'probe' } },
        startBy: now,
      };
    }
    if (!run.ok) return { state: s, event: null, startBy: null }; // a crash says nothing of the provider
    return { state: null, event: recovered(agent, policy, s, now), startBy: null };
  }
  if (s !== null && s.since !== null) return { state: s, event: null, startBy: null }; // a run on the fallback: its own model is not in question
  if (bad) {
    const since = s?.troubleSince ?? now;
    return { state: { own: agent.model, troubleSince: since, since: null, probing: false }, event: null, startBy: since + policy.afterMs };
  }
  return { state: run.ok ? null : s, event: null, startBy: null };
}

/** A probe of a persistent agent that has run `healthyMs` without dying closes the breaker (its screen tells nothing finer). */
export function whileAlive(
  agent: BreakerAgent,
  state: FallbackState | null | undefined,
  livedMs: number,
  healthyMs: number,
  now: number,
): { state: FallbackState | null; event: BreakerEvent | null } {
  const s = settle(agent, state);
  if (s === null || !s.probing || livedMs < healthyMs || !agent.fallback) return { state: s, event: null };
  return { state: null, event: recovered(agent, agent.fallback, s, now) };
}

function recovered(agent: BreakerAgent, policy: FallbackPolicy, s: FallbackState, now: number): BreakerEvent {
  return {
    agent: agent.name,
    event: 'fallback-recovered',
    reason: `the probe of ${agent.model ?? '-'} went well after ${seconds(now - (s.since ?? now))} on ${policy.model}: back on its own model`,
    details: { from: policy.model, to: agent.model },
  };
}
