/**
 * Budgets and caps (pure): which loops must not start another run because
 * their phase has spent its `budget_usd`, the agent its own `budget_usd`, or
 * the phase's loops have run `max_iterations` iterations, or the agent's last
 * run ended without the cost a budget needs (`usage unknown`: never counted
 * as free). A held loop is `paused` with the reason; raising the number in
 * agents.toml lets it go on (a run whose usage is unknown: `ao restart`).
 */
import type { Project, PhaseSpec } from '../config/types.js';
import type { AgentRecord } from '../state/agents.js';
import type { UsageReport } from '../state/usage.js';

const dollars = (n: number): string => `$${n.toFixed(n < 1 ? 4 : 2)}`;

/** Iterations the phase's loops have started under this phase generation, all together. */
export function phaseIterations(project: Project, records: Readonly<Record<string, AgentRecord>>, generation: number): number {
  let total = 0;
  for (const agent of project.agents) {
    const r = records[agent.name];
    if (agent.kind === 'loop' && r && (r.phaseGen ?? 0) === generation) total += r.phaseIterations ?? 0;
  }
  return total;
}

/** agent name -> why it is held, for every loop or task that must not start another run. */
export function budgetHolds(
  project: Project,
  phase: PhaseSpec,
  generation: number,
  records: Readonly<Record<string, AgentRecord>>,
  usage: UsageReport | null,
): Map<string, string> {
  const holds = new Map<string, string>();
  const spent = usage?.byPhase[phase.id]?.cost_usd ?? 0;
  const iterations = phaseIterations(project, records, generation);
  for (const agent of project.agents) {
    if (agent.kind !== 'loop' && agent.kind !== 'task') continue;
    const own = usage?.byAgent[agent.name]?.cost_usd ?? 0;
    const budgeted = phase.budgetUsd != null || agent.budgetUsd != null;
    if (budgeted && usage?.unknown?.[agent.name]) {
      holds.set(
        agent.name,
        `usage unknown: its last run ended without the cost its budget needs (a stream cut short, or the CLI stopped reporting it); ao restart ${agent.name} runs it again`,
      );
    } else if (phase.budgetUsd != null && spent >= phase.budgetUsd) {
      holds.set(agent.name, `budget: phase ${phase.id} has spent ${dollars(spent)} of its budget_usd = ${phase.budgetUsd}`);
    } else if (agent.budgetUsd != null && own >= agent.budgetUsd) {
      holds.set(agent.name, `budget: it has spent ${dollars(own)} of its budget_usd = ${agent.budgetUsd}`);
    } else if (agent.kind === 'loop' && phase.maxIterations != null && iterations >= phase.maxIterations) {
      holds.set(agent.name, `iterations: phase ${phase.id} has run ${iterations} of its max_iterations = ${phase.maxIterations}`);
    }
  }
  return holds;
}
