import { describe, expect, it } from 'vitest';
import { budgetHolds, phaseIterations } from '../../../src/supervisor/budgets.js';
import type { AgentRecord } from '../../../src/state/agents.js';
import type { UsageReport, UsageTotals } from '../../../src/state/usage.js';
import { agent, project } from '../ui/fixtures.js';

const totals = (cost: number | null, iterations = 1): UsageTotals => ({
  input_tokens: 1,
  output_tokens: 1,
  cache_read_tokens: 0,
  cache_write_tokens: 0,
  cost_usd: cost,
  iterations,
});
const usage = (byPhase: Record<string, UsageTotals>, byAgent: Record<string, UsageTotals> = {}): UsageReport => ({
  rows: [],
  byPhase,
  byAgent,
  total: totals(0),
});
const record = (phaseGen: number, phaseIterations: number): AgentRecord => ({
  up: true,
  startedAt: null,
  restarts: 0,
  iteration: 0,
  model: null,
  phaseGen,
  phaseIterations,
});

describe('budgetHolds', () => {
  const team = project([
    agent('builder', { kind: 'loop' }),
    agent('adversary', { kind: 'loop' }),
    agent('orchestrator', { kind: 'persistent' }),
    agent('cheap', { kind: 'loop', budgetUsd: 0.5 }),
  ]);
  const phase = (over: object = {}) => ({ ...team.phases[0]!, ...over });

  it('nothing set: nothing held', () => {
    expect(budgetHolds(team, phase(), 0, {}, usage({ [team.phases[0]!.id]: totals(99) }))).toEqual(new Map());
  });

  it("the phase's budget reached: every loop held, the persistent agent never", () => {
    const holds = budgetHolds(team, phase({ budgetUsd: 1 }), 0, {}, usage({ [team.phases[0]!.id]: totals(1.2) }));
    expect([...holds.keys()].sort()).toEqual(['adversary', 'builder', 'cheap']);
    expect(holds.get('builder')).toMatch(/^budget: phase \S+ has spent \$1\.20 of its budget_usd = 1$/);
  });

  it('below the budget, or no cost reported (null): not held', () => {
    expect(budgetHolds(team, phase({ budgetUsd: 1 }), 0, {}, usage({ [team.phases[0]!.id]: totals(0.99) })).size).toBe(0);
    expect(budgetHolds(team, phase({ budgetUsd: 1 }), 0, {}, usage({ [team.phases[0]!.id]: totals(null) })).size).toBe(0);
  });

  it("an agent's own budget holds only that agent", () => {
    const holds = budgetHolds(team, phase(), 0, {}, usage({}, { cheap: totals(0.5) }));
    expect([...holds.keys()]).toEqual(['cheap']);
  });

  it('max_iterations counts the loops of this phase generation together', () => {
    const records = { builder: record(2, 2), adversary: record(2, 1), cheap: record(1, 5) };
    expect(phaseIterations(team, records, 2)).toBe(3);
    expect(budgetHolds(team, phase({ maxIterations: 4 }), 2, records, null).size).toBe(0);
    expect(budgetHolds(team, phase({ maxIterations: 3 }), 2, records, null).get('builder')).toMatch(/has run 3 of its max_iterations = 3/);
  });
});
