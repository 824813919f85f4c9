/**
 * What a death means, decided once at its first sight: a loop's iteration
 * done (paced when it ended too soon), a task done, provider trouble (paused,
 * no crash counted), or a crash (counted, backed off, failed past its
 * limits). Pure, as the reconciler that asks it.
 */
import type { AgentRecord } from '../state/agents.js';
import type { AoEvent } from '../state/event-catalogue.js';
import { afterRun } from './fallback.js';
import type { Action, DesiredAgent, ObservedAgent, ProviderTrouble, StartReason, Timings } from './reconcile.js';
import { CLEAR } from '../state/lifecycle.js';
import { transition } from './transition.js';

/** Quick iterations in a row after which a loop is `spinning` (shown in status, one event). */
export const SPINNING_AFTER = 3;

/** The backoff before the next start after `streak` failed starts in a row. */
export function backoffMs(streak: number, t: Pick<Timings, 'backoffInitialMs' | 'backoffMaxMs'>): number {
  if (streak <= 0) return 0;
  return Math.min(t.backoffInitialMs * 2 ** (streak - 1), t.backoffMaxMs);
}

const TROUBLE_LABEL: Record<ProviderTrouble['kind'], string> = {
  'usage-limit': 'usage limit',
  'rate-limit': 'rate limit',
  overload: 'provider overloaded or down',
  auth: 'authentication failed',
};

/** What the reconciler hands the decision of one agent: where its actions go, and how it starts, wakes and moves the breaker. */
export interface Verdict {
  /** the agent decided */
  name: string;
  actions: Action[];
  start: (reason: StartReason) => void;
  wake: (at: number) => void;
  breaker: (change: { state: AgentRecord['fallback']; event: AoEvent | null }) => void;
}

/**
 * The first sight of a death (`record.deadSince` unset), classified once.
 * True when that settles the agent for this sweep; false when it waits for
 * its next start like any dead agent (a backoff, or at once).
 */
export function decideDeath(agent: DesiredAgent, seen: ObservedAgent, record: AgentRecord, now: number, timings: Timings, out: Verdict): boolean {
  const { actions } = out;
  const exit = seen.exists ? describeExit(seen) : 'session gone';
  record.deadSince = now;
  const startedAt = record.startedAt ? Date.parse(record.startedAt) : now;
  const lived = now - startedAt;
  // tmux can lose an exit status (DESIGN §5): without ao's launcher to record it, a loop that
  // ran a healthy while is taken to have ended normally; with it, no record means a killed launcher
  const lost = seen.exists && seen.exitStatus === null && seen.exitSignal === null && seen.recorded === undefined;
  const iterationDone = agent.kind === 'loop' && (seen.exitStatus === 0 || (lost && lived >= timings.healthyAfterMs));
  const ran = afterRun(
    agent,
    record.fallback,
    { trouble: seen.trouble ?? null, fellBack: seen.fellBack ?? null, ok: iterationDone || (agent.kind === 'task' && seen.exitStatus === 0) },
    now,
  );
  out.breaker(ran);
  if (iterationDone) {
    actions.push({
      type: 'event',
      agent: agent.name,
      event: 'iteration-done',
      reason: lost ? 'exit status lost; it ran long enough to count as a normal end' : 'exit 0',
      details: { iteration: record.iteration, lived_ms: lived },
    });
    record.streak = 0;
    record.troubles = 0; // the provider answered: the next trouble probes from the start
    // an iteration that ends at once is still an iteration: the next one waits out min_iteration_s
    const minMs = agent.minIterationMs ?? 0;
    record.quickIterations = lived < minMs ? (record.quickIterations ?? 0) + 1 : 0;
    if (lived < minMs) {
      record.life = { is: 'pacing', until: startedAt + minMs };
      if (record.quickIterations === SPINNING_AFTER) {
        actions.push({
          type: 'event',
          agent: agent.name,
          event: 'spinning',
          reason: `${SPINNING_AFTER} iterations in a row ended within ${minMs / 1000} s (min_iteration_s); each next one waits out the rest`,
        });
      }
      out.wake(record.life.until);
      return true;
    }
    out.start('next-iteration');
    return true;
  }
  if (agent.kind === 'task' && seen.exitStatus === 0) {
    record.up = false; // done: a task that ends well is not a death
    actions.push({ type: 'event', agent: agent.name, event: 'task-done', reason: 'exit 0', details: { lived_ms: lived } });
    return true;
  }
  if (agent.heal === 'none') {
    record.life = CLEAR;
    actions.push({ type: 'event', agent: agent.name, event: 'died', reason: `${exit}; heal = none, left dead`, details: { lived_ms: lived } });
    return true;
  }
  if (seen.trouble && ran.startBy !== null && ran.startBy <= now) {
    out.start('fallback'); // its own model's trouble has lasted fallback_after_s: the fallback is tried at once
    return true;
  }
  if (seen.trouble) {
    // provider trouble is not agent failure: no crash counted, the agent waits and resumes (on its fallback by ran.startBy)
    pause(agent.name, record, seen.trouble, now, timings, out, ran.startBy);
    return true;
  }
  const healthy = lived >= timings.healthyAfterMs;
  record.failedStarts = (record.failedStarts ?? []).filter((t) => now - t < timings.crashWindowMs);
  record.healthyRestarts = (record.healthyRestarts ?? []).filter((t) => now - t < timings.restartWindowMs);
  if (healthy) {
    record.streak = 0;
    if (record.healthyRestarts.length >= timings.restartLimit) {
      const window = Math.round(timings.restartWindowMs / 60000);
      fail(record, actions, agent.name, `${record.healthyRestarts.length} restarts within ${window} min, and it died again (${exit})`);
      return true;
    }
    record.healthyRestarts.push(now);
  } else {
    record.streak = (record.streak ?? 0) + 1;
    record.failedStarts.push(now);
    if (record.failedStarts.length >= timings.crashLimit) {
      fail(record, actions, agent.name, `${record.failedStarts.length} failed starts within ${Math.round(timings.crashWindowMs / 1000)} s (last: ${exit})`);
      return true;
    }
  }
  const delay = backoffMs(record.streak ?? 0, timings);
  // no wait: healed in this sweep
  record.life = delay > 0 ? { is: 'backoff', until: now + delay, lastExit: exit } : CLEAR;
  actions.push({ type: 'event', agent: agent.name, event: 'died', reason: exit, details: { lived_ms: lived, healthy, backoff_ms: delay } });
  return false;
}

/**
 * A usage limit waits for its reset (plus a margin); a rate limit, an outage or
 * a limit with no reset time probes with a capped exponential wait. None of it
 * counts toward a crash limit; refused credentials fail at once, with what to do.
 */
function pause(
  name: string,
  record: AgentRecord,
  trouble: ProviderTrouble,
  now: number,
  timings: Timings,
  out: Verdict,
  /** the latest it may wait: its fallback is due then */
  latest: number | null,
): void {
  if (trouble.kind === 'auth') {
    fail(record, out.actions, name, `the provider refused its credentials (${trouble.message}); fix the key or log in again`);
    return;
  }
  record.troubles = (record.troubles ?? 0) + 1;
  const probe = Math.min((timings.probeInitialMs ?? 60_000) * 2 ** (record.troubles - 1), timings.probeMaxMs ?? 1_800_000);
  const wait = trouble.resetAt !== null && trouble.resetAt > now ? trouble.resetAt + (timings.resumeMarginMs ?? 30_000) : now + probe;
  const until = latest === null ? wait : Math.min(wait, latest);
  const label = TROUBLE_LABEL[trouble.kind];
  record.streak = 0;
  const reset = trouble.resetAt !== null ? `; the provider says it resets ${new Date(trouble.resetAt).toISOString()}` : '';
  const told = {
    type: 'event' as const,
    agent: name,
    event: 'paused' as const,
    reason: `${label}: ${trouble.message}${reset}; not counted as a crash, resumes ${new Date(until).toISOString()}`,
    details: { kind: trouble.kind, resumes_at: new Date(until).toISOString(), try: record.troubles },
  };
  transition(record, { is: 'paused', until, why: `${label}, resumes ${clock(until)}` }, told, out.actions);
  out.wake(until);
}

/** HH:MM in the machine's time zone, as a person reading `ao status` expects. */
function clock(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

function fail(record: AgentRecord, actions: Action[], agent: string, reason: string): void {
  transition(
    record,
    { is: 'failed', why: reason },
    { type: 'event', agent, event: 'failed', reason: `${reason}; left down until \`ao restart ${agent}\`` },
    actions,
  );
}

function describeExit(seen: ObservedAgent): string {
  if (seen.exitStatus !== null) return `exit ${seen.exitStatus}${seen.lastWords ? `: ${seen.lastWords}` : ''}`;
  if (seen.exitSignal !== null) return `killed by signal ${seen.exitSignal}`;
  if (seen.recorded === false) return 'killed with its launcher (no exit record)';
  return 'no exit status from tmux';
}
