/**
 * Pure: budgets that could never be reached. A `budget_usd` counts the cost
 * each run reports; an agent whose CLI reports none (Codex reports tokens
 * only; Gemini CLI, opencode, aider and plain commands no cost either) would
 * spend without limit under it, silently. ao fails closed instead: such a
 * budget is a config error that names the agent and why.
 */

export interface BudgetAgent {
  name: string;
  kind: string;
  backend: string;
  budgetUsd?: number | null | undefined;
  /** its backend's CLI reports a run's cost */
  reportsCost: boolean;
}

export interface BudgetPhase {
  id: string;
  budgetUsd?: number | null | undefined;
}

export interface BudgetProblem {
  path: PropertyKey[];
  message: string;
}

/** Budgets only hold loops and tasks (budgets.ts): the agents a budget applies to. */
const budgeted = (a: BudgetAgent): boolean => a.kind === 'loop' || a.kind === 'task';

export function budgetProblems(agents: readonly BudgetAgent[], phases: readonly BudgetPhase[]): BudgetProblem[] {
  const problems: BudgetProblem[] = [];
  const blind = agents.filter((a) => budgeted(a) && !a.reportsCost);
  for (const a of blind) {
    if (a.budgetUsd != null)
      problems.push({
        path: ['agents', a.name, 'budget_usd'],
        message: `${a.name} runs ${a.backend}, whose CLI reports no cost: its budget_usd would never be reached (ao does not count an unknown cost as free); remove it, or run ${a.name} on a backend that reports cost (claude)`,
      });
  }
  phases.forEach((phase, index) => {
    if (phase.budgetUsd == null || blind.length === 0) return;
    const names = blind.map((a) => `${a.name} (${a.backend})`).join(', ');
    problems.push({
      path: ['phases', index, 'budget_usd'],
      message: `phase "${phase.id}" has a budget_usd, but ${names} ${blind.length === 1 ? 'runs a CLI that reports' : 'run CLIs that report'} no cost: the budget would not count ${blind.length === 1 ? 'its' : 'their'} spending; remove it, or run ${blind.length === 1 ? 'that agent' : 'those agents'} on a backend that reports cost (claude)`,
    });
  });
  return problems;
}
