/** The words for an agent's state and the phase that `ao status`, `ao phase` and the dashboard share. */
import type { UsageTotals } from '../state/usage.js';
import type { AgentStatus, StatusReport } from './status.js';
import { safeLine, safeName } from '../text/safe.js';

export function stateLabel(agent: AgentStatus): string {
  // every state in upper case, as a person scans a column: RUNNING, STOPPED, FAILED …
  const upper = agent.state.toUpperCase();
  if (!agent.detail) return upper;
  // a count or a time reads on from a trouble state (FAILED 10 restarts within 30 min); anything else, and all of RUNNING's and STOPPED's, in brackets
  const readsOn = agent.state !== 'running' && agent.state !== 'stopped' && /^\d/.test(agent.detail);
  return readsOn ? `${upper} ${agent.detail}` : `${upper} (${agent.detail})`;
}

/** The model it runs on, and `(fallback)` when that is its fallback model. */
export const modelLabel = (a: Pick<AgentStatus, 'model' | 'fallback'>): string => `${a.model ?? '-'}${a.fallback ? ' (fallback)' : ''}`;

export function phaseHeader(p: StatusReport['phase']): string {
  const detail =
    p.status === 'not converging'
      ? `not converging: ${p.fails_in_a_row} fails in a row`
      : p.status === 'in progress' && p.gate === 'claimed'
        ? 'in progress, gate claimed'
        : p.status;
  return `phase: ${safeName(p.id)} [${p.index + 1}/${p.count}] plan=${safeLine(p.plan)} (${detail})${p.usage && p.usage.cost_usd !== null ? ` cost=${usd(p.usage)}` : ''}`;
}

/** Dollars where the CLI reports cost, `-` where it does not (tokens are in `ao cost`). */
export function usd(u: UsageTotals | null): string {
  return u === null || u.cost_usd === null ? '-' : `$${u.cost_usd.toFixed(2)}`;
}

/** A team in one line, as `ao fleet status` and the fleet dashboard show it: how many agents run, wait, pause or failed, the watchdog, the cost so far. */
export function teamSummary(report: StatusReport): string {
  const agents = report.agents.filter((a) => a.name !== 'watchdog');
  const count = (...states: string[]): number => agents.filter((a) => states.includes(a.state)).length;
  const parts = [`${count('running')} running, ${count('waiting')} waiting, ${count('paused')} paused, ${count('failed', 'dead')} failed`];
  const stalled = count('stalled');
  if (stalled > 0) parts[0] += `, ${stalled} stalled`;
  const between = count('backoff');
  if (between > 0) parts.push(`${between} between runs`);
  const stopped = count('stopped');
  if (stopped > 0) parts.push(`${stopped} stopped`);
  const dog = report.agents.find((a) => a.name === 'watchdog');
  parts.push(`watchdog ${dog ? dog.state : 'stopped'}`);
  const costs = agents.map((a) => a.usage?.cost_usd ?? null).filter((c): c is number => c !== null);
  if (costs.length > 0) parts.push(`cost $${costs.reduce((a, b) => a + b, 0).toFixed(2)}`);
  if (report.config_error) parts.push('config error');
  return parts.join(' · ');
}
