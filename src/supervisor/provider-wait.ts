/**
 * A CLI that retries its provider says so (Claude Code's `api_retry` events;
 * ao's stream formatter prints a line for each and appends an ApiRetry signal
 * to state/signals/AGENT.jsonl). Such an agent is waiting on the provider, not
 * stalled: its stall clock counts from the retry it announced, and status
 * shows `waiting` (`on: provider (retry 3/10)`).
 */
import type { AgentRecord } from '../state/agents.js';
import { fileStamp } from '../state/files.js';
import { hookView, readSignals, signalFile, type HookView } from '../state/signals.js';
import type { Action, ObservedAgent } from './reconcile.js';

/** An agent's signals as one view, read again only when its file changed (a stat a sweep; the read when a line was added). */
export class SignalViews {
  private readonly seen = new Map<string, { stamp: string; since: number; view: HookView }>();

  /** What the signals of the agent's run (started at `sinceMs`) say, or null without a signal file. */
  view(stateDir: string, agent: string, sinceMs: number): HookView | null {
    const file = signalFile(stateDir, agent);
    const stamp = fileStamp(file);
    if (stamp === null) return null;
    const cached = this.seen.get(agent);
    if (cached && cached.stamp === stamp && cached.since === sinceMs) return cached.view;
    const view = hookView(readSignals(file), sinceMs);
    this.seen.set(agent, { stamp, since: sinceMs, view });
    return view;
  }
}

/**
 * Pure: the record's `providerWait` follows what the agent's stream says,
 * with an event when it starts and ends; returns what the stall clock reads
 * as the agent's last sign of life (its output, or the retry it said was due).
 */
export function followProviderWait(name: string, seen: ObservedAgent, record: AgentRecord, actions: Action[]): ObservedAgent {
  const retry = seen.dead ? null : (seen.providerRetry ?? null);
  const waiting = retry === null ? null : `provider (retry ${retry.retry})`;
  if (waiting !== null && !record.providerWait)
    actions.push({ type: 'event', agent: name, event: 'waiting', reason: `its CLI retries the provider (retry ${retry!.retry}): not a stall` });
  else if (waiting === null && record.providerWait)
    actions.push({
      type: 'event',
      agent: name,
      event: 'waiting-over',
      reason: seen.dead ? `its run ended (${record.providerWait})` : `the provider answered (${record.providerWait})`,
    });
  record.providerWait = waiting;
  if (retry === null) return seen;
  return { ...seen, activityMs: Math.max(seen.activityMs ?? 0, retry.dueMs) };
}
