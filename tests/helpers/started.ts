import { markStarted, type AgentRecord } from '../../src/state/agents.js';
import { runModel } from '../../src/supervisor/fallback.js';
import { countsAsRestart, type Action, type DesiredAgent } from '../../src/supervisor/reconcile.js';

/**
 * What the watchdog's start transaction (src/supervisor/start.ts) records of
 * the reconciler's start actions, all of them made: for the pure tests that
 * feed one decision's records to the next as the watchdog does.
 */
export function recordStarts(actions: readonly Action[], agents: readonly DesiredAgent[], history: Record<string, AgentRecord>, now: number): void {
  for (const action of actions) {
    const agent = agents.find((a) => a.name === action.agent);
    const record = history[action.type === 'start' ? action.agent : ''];
    if (action.type !== 'start' || !agent || !record) continue;
    markStarted(record, {
      at: now,
      model: runModel(agent, record.fallback),
      by: 'watchdog',
      launch: { kind: agent.kind, phaseGen: agent.generation, launchKey: agent.launchKey, pasteKickoff: agent.pasteKickoff ?? false },
      restart: countsAsRestart(action.reason),
    });
  }
}
