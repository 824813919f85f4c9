/**
 * Pure: budgets that could never be reached. A `budget_usd` counts the cost
 * each run reports, or its tokens priced by `[models.prices]`; an agent whose
 * CLI reports no cost (Codex reports tokens only; Gemini CLI, opencode, aider
 * and plain commands no cost either) and whose model has no price would spend
 * without limit under it, silently. ao fails closed instead: such a budget is
 * a config error that names the agent, why, and the fix. A `budget_tokens`
 * (the agent's own, or its phase's) is a cap that CLI can be held to, so it
 * answers too.
 */

export interface BudgetAgent {
  name: string;
  kind: string;
  backend: string;
  budgetUsd?: number | null | undefined;
  budgetTokens?: number | null | undefined;
  /** its backend's CLI reports a run's cost */
  reportsCost: boolean;
  /** phase id -> the model it runs there has a price in `[models.prices]` (absent: none) */
  priced?: Readonly<Record<string, boolean>>;
}

export interface BudgetPhase {
  id: string;
  budgetUsd?: number | null | undefined;
  budgetTokens?: number | null | undefined;
}

export interface BudgetProblem {
  path: PropertyKey[];
  message: string;
}

/** Budgets only hold loops and tasks (budgets.ts): the agents a budget applies to. */
const budgeted = (a: BudgetAgent): boolean => a.kind === 'loop' || a.kind === 'task';

/** It cannot be priced in this phase: no cost reported, no price for its model there. */
const blindIn = (a: BudgetAgent, phase: BudgetPhase): boolean => !a.reportsCost && a.priced?.[phase.id] !== true;

const FIX =
  'give it a budget_tokens (a cap on its input and output tokens), or a price for its model in [models.prices] ("MODEL" = { input_per_mtok = N, output_per_mtok = N })';

export function budgetProblems(agents: readonly BudgetAgent[], phases: readonly BudgetPhase[]): BudgetProblem[] {
  const problems: BudgetProblem[] = [];
  for (const a of agents) {
    // its own budget counts every phase it runs in: each needs a price, unless a token cap holds it
    if (!budgeted(a) || a.budgetUsd == null || a.budgetTokens != null) continue;
    const unpriced = phases.filter((p) => blindIn(a, p));
    if (unpriced.length === 0) continue;
    const where = a.priced && Object.values(a.priced).some(Boolean) ? ` in phase ${unpriced.map((p) => `"${p.id}"`).join(', ')}` : '';
    problems.push({
      path: ['agents', a.name, 'budget_usd'],
      message: `${a.name} runs ${a.backend}, whose CLI reports no cost: its budget_usd would never be reached (ao does not count an unknown cost as free, and its model has no price${where}); ${FIX}`,
    });
  }
  phases.forEach((phase, index) => {
    if (phase.budgetUsd == null || phase.budgetTokens != null) return;
    const blind = agents.filter((a) => budgeted(a) && a.budgetTokens == null && blindIn(a, phase));
    if (blind.length === 0) return;
    const names = blind.map((a) => `${a.name} (${a.backend})`).join(', ');
    const one = blind.length === 1;
    problems.push({
      path: ['phases', index, 'budget_usd'],
      message: `phase "${phase.id}" has a budget_usd, but ${names} ${one ? 'runs a CLI that reports' : 'run CLIs that report'} no cost, with no price for ${one ? 'its model' : 'their models'}: the budget would not count ${one ? 'its' : 'their'} spending; give the phase a budget_tokens, or ${one ? 'that agent' : 'each of them'} a budget_tokens or a price for ${one ? 'its' : 'their'} model in [models.prices]`,
    });
  });
  return problems;
}
