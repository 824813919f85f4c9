/**
 * Budgets and caps (pure): which loops must not start another run because
 * their phase has spent its `budget_usd` or used its `budget_tokens`, the
 * agent its own `budget_usd` or `budget_tokens`, or
 * the phase's loops have run `max_iterations` iterations, or the agent's last
 * run ended without the cost a budget needs (`usage unknown`: never counted
 * as free). A held loop is `paused` with the reason; raising the number in
 * agents.toml lets it go on (a run whose usage is unknown: `ao restart`).
 */
import { getBackend } from '../backends/index.js';
import { priceOf } from '../config/prices.js';
import { modelFor } from '../config/resolve.js';
import type { AgentSpec, Project, PhaseSpec } from '../config/types.js';
import type { AgentRecord } from '../state/agents.js';
import type { UsageReport, UsageTotals } from '../state/usage.js';

const dollars = (n: number): string => `$${n.toFixed(n < 1 ? 4 : 2)}`;

/** What a token budget counts: input plus output (cached input apart, as the CLIs report it). */
export const tokensOf = (u: UsageTotals | undefined): number => (u ? u.input_tokens + u.output_tokens : 0);

/** What a run's end must report for the budgets that apply to the agent in a phase. */
export interface BudgetNeeds {
  /** a budget applies: a run without usage is unknown */
  usage: boolean;
  /** a budget_usd applies and can be counted: a run without a cost is unknown */
  cost: boolean;
}

/**
 * A budget_usd needs each run's cost, reported or priced; where neither can
 * be (a CLI without cost, a model without a price) but a budget_tokens holds
 * the agent, the token cap is what counts and a run needs only its tokens.
 */
export function budgetNeeds(project: Project, agent: AgentSpec, phaseId: string): BudgetNeeds {
  const phase = project.phases.find((p) => p.id === phaseId) ?? null;
  const usd = agent.budgetUsd != null || phase?.budgetUsd != null;
  const tokens = agent.budgetTokens != null || phase?.budgetTokens != null;
  const countable = getBackend(agent.backend).reportsCost === true || priceOf(project.prices, project.models, modelFor(project, agent, phase)) !== null;
  return { usage: usd || tokens, cost: usd && (countable || !tokens) };
}

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
  const used = tokensOf(usage?.byPhase[phase.id]);
  const iterations = phaseIterations(project, records, generation);
  for (const agent of project.agents) {
    if (agent.kind !== 'loop' && agent.kind !== 'task') continue;
    const own = usage?.byAgent[agent.name]?.cost_usd ?? 0;
    const ownTokens = tokensOf(usage?.byAgent[agent.name]);
    const budgeted = phase.budgetUsd != null || agent.budgetUsd != null || phase.budgetTokens != null || agent.budgetTokens != null;
    if (budgeted && usage?.unknown?.[agent.name]) {
      holds.set(
        agent.name,
        `usage unknown: its last run ended without the usage its budget needs (a stream cut short, or the CLI stopped reporting it); ao restart ${agent.name} runs it again`,
      );
    } else if (phase.budgetUsd != null && spent >= phase.budgetUsd) {
      holds.set(agent.name, `budget: phase ${phase.id} has spent ${dollars(spent)} of its budget_usd = ${phase.budgetUsd}`);
    } else if (agent.budgetUsd != null && own >= agent.budgetUsd) {
      holds.set(agent.name, `budget: it has spent ${dollars(own)} of its budget_usd = ${agent.budgetUsd}`);
    } else if (phase.budgetTokens != null && used >= phase.budgetTokens) {
      holds.set(agent.name, `budget: phase ${phase.id} has used ${used} tokens of its budget_tokens = ${phase.budgetTokens}`);
    } else if (agent.budgetTokens != null && ownTokens >= agent.budgetTokens) {
      holds.set(agent.name, `budget: it has used ${ownTokens} tokens of its budget_tokens = ${agent.budgetTokens}`);
    } else if (agent.kind === 'loop' && phase.maxIterations != null && iterations >= phase.maxIterations) {
      holds.set(agent.name, `iterations: phase ${phase.id} has run ${iterations} of its max_iterations = ${phase.maxIterations}`);
    }
  }
  return holds;
}
