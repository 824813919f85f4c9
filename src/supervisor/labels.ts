/** The words for an agent's state and the phase that `ao status`, `ao phase` and the dashboard share. */
import type { UsageTotals } from '../state/usage.js';
import type { AgentStatus, StatusReport } from './status.js';

export function stateLabel(agent: AgentStatus): string {
  const upper = agent.state.toUpperCase();
  switch (agent.state) {
    case 'stopped':
      return agent.detail ? `stopped (${agent.detail})` : 'stopped';
    case 'running':
      return agent.detail ? `RUNNING (${agent.detail})` : 'RUNNING';
    default:
      return agent.detail ? `${upper} ${/^\d/.test(agent.detail) ? agent.detail : `(${agent.detail})`}` : upper;
  }
}

export function phaseHeader(p: StatusReport['phase']): string {
  const detail =
    p.status === 'not converging'
      ? `not converging: ${p.fails_in_a_row} fails in a row`
      : p.status === 'in progress' && p.gate === 'claimed'
        ? 'in progress, gate claimed'
        : p.status;
  return `phase: ${p.id} [${p.index + 1}/${p.count}] plan=${p.plan} (${detail})${p.usage && p.usage.cost_usd !== null ? ` cost=${usd(p.usage)}` : ''}`;
}

/** Dollars where the CLI reports cost, `-` where it does not (tokens are in `ao cost`). */
export function usd(u: UsageTotals | null): string {
  return u === null || u.cost_usd === null ? '-' : `$${u.cost_usd.toFixed(2)}`;
}
