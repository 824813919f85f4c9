/**
 * budget_tokens and [models.prices] in the budget decisions: a token cap holds
 * a loop like a budget_usd; a run's tokens are priced where its CLI reports no
 * cost and its model has a price; what a run's end must report to count.
 */
import { describe, expect, it } from 'vitest';
import { priceOf, priceTokens } from '../../../src/config/prices.js';
import { summarise, type UsageRecord } from '../../../src/state/usage.js';
import { budgetHolds, budgetNeeds } from '../../../src/supervisor/budgets.js';
import { pricedUsage } from '../../../src/supervisor/record-usage.js';
import { agent, project } from '../ui/fixtures.js';

const run = (name: string, input: number, output: number, cost: number | null, n = 1): UsageRecord => ({
  time: '2030-01-01T00:00:00Z',
  agent: name,
  phase: 'scaffold',
  iteration: n,
  run: `r${n}`,
  usage: { input_tokens: input, output_tokens: output, cache_read_tokens: 500, cache_write_tokens: 0, cost_usd: cost },
});

describe('budget_tokens holds a loop', () => {
  const team = project([agent('builder', { kind: 'loop', backend: 'codex', budgetTokens: 1000 }), agent('adversary', { kind: 'loop', backend: 'codex' })]);
  const phase = team.phases[0]!;

  it("the agent's own cap counts its input plus output tokens (cached input apart): below it runs, reached it is held, naming tokens", () => {
    expect(budgetHolds(team, phase, 0, {}, summarise([run('builder', 600, 399, null)])).size).toBe(0);
    const holds = budgetHolds(team, phase, 0, {}, summarise([run('builder', 600, 399, null), run('builder', 1, 0, null, 2)]));
    expect([...holds.keys()]).toEqual(['builder']);
    expect(holds.get('builder')).toBe('budget: it has used 1000 tokens of its budget_tokens = 1000');
  });

  it("the phase's cap counts every agent's tokens in the phase and holds all its loops", () => {
    const report = summarise([run('builder', 100, 50, null), run('adversary', 300, 50, null)]);
    expect(budgetHolds(team, { ...phase, budgetTokens: 501 }, 0, {}, report).size).toBe(0);
    const holds = budgetHolds(team, { ...phase, budgetTokens: 500 }, 0, {}, report);
    expect(holds.get('adversary')).toBe('budget: phase scaffold has used 500 tokens of its budget_tokens = 500');
    expect(holds.get('builder')).toMatch(/^budget: phase scaffold has used 500 tokens/);
  });

  it('a run without usage under a token cap is unknown and holds the agent before the count', () => {
    const holds = budgetHolds(team, phase, 0, {}, summarise([{ ...run('builder', 0, 0, null), unknown: true }]));
    expect(holds.get('builder')).toMatch(/^usage unknown: /);
  });
});

describe('budgetNeeds: what a run must report', () => {
  it('a budget_usd needs a cost where one can be had (a CLI that reports it, a priced model), or where no token cap holds the agent', () => {
    const codexUsd = agent('builder', { kind: 'loop', backend: 'codex', model: 'gpt-5', budgetUsd: 5 });
    expect(budgetNeeds(project([codexUsd]), codexUsd, 'scaffold')).toEqual({ usage: true, cost: true });
    const priced = project([codexUsd], { prices: { 'gpt-5': { inputPerMtok: 1.25, outputPerMtok: 10 } } });
    expect(budgetNeeds(priced, codexUsd, 'scaffold')).toEqual({ usage: true, cost: true });
    const capped = { ...codexUsd, budgetTokens: 100 };
    expect(budgetNeeds(project([capped]), capped, 'scaffold')).toEqual({ usage: true, cost: false });
    const claude = agent('builder', { kind: 'loop', budgetUsd: 5, budgetTokens: 100 });
    expect(budgetNeeds(project([claude]), claude, 'scaffold')).toEqual({ usage: true, cost: true });
    const free = agent('builder', { kind: 'loop', backend: 'codex' });
    expect(budgetNeeds(project([free]), free, 'scaffold')).toEqual({ usage: false, cost: false });
  });
});

describe('[models.prices]', () => {
  const prices = { 'gpt-5': { inputPerMtok: 1.25, outputPerMtok: 10 }, sonnet: { inputPerMtok: 3, outputPerMtok: 15 } };
  const aliases = { sonnet: 'claude-sonnet-4-6', fast: 'gpt-5' };

  it('priceOf: by the model as named, or by an alias naming the id; none for an unpriced model or none at all', () => {
    expect(priceOf(prices, aliases, 'gpt-5')).toEqual(prices['gpt-5']);
    expect(priceOf(prices, aliases, 'claude-sonnet-4-6')).toEqual(prices.sonnet);
    expect(priceOf(prices, aliases, 'gpt-4.1')).toBeNull();
    expect(priceOf(prices, aliases, null)).toBeNull();
    expect(priceOf(undefined, aliases, 'gpt-5')).toBeNull();
  });

  it('priceTokens: USD per million, cached input priced as input (never under what the provider charges)', () => {
    expect(priceTokens({ input_tokens: 1_000_000, output_tokens: 100_000, cache_read_tokens: 0, cache_write_tokens: 0 }, prices['gpt-5'])).toBe(2.25);
    expect(priceTokens({ input_tokens: 600, output_tokens: 40, cache_read_tokens: 400, cache_write_tokens: 0 }, prices['gpt-5'])).toBe(0.00165);
  });

  it('pricedUsage: a run without a cost on a priced model gets one; a reported cost, or an unpriced model, is left alone', () => {
    const codex = agent('builder', { kind: 'loop', backend: 'codex', model: 'fast' });
    const team = project([codex], { models: aliases, prices });
    const usage = run('builder', 1_000_000, 0, null).usage;
    expect(pricedUsage(team, codex, 'scaffold', usage)).toEqual({ ...usage, cost_usd: 1.250625 }); // (1,000,000 + 500 cached) × 1.25 / 1e6
    expect(pricedUsage(team, codex, 'scaffold', { ...usage, cost_usd: 0.5 })).toBeNull();
    expect(pricedUsage(project([codex], { models: aliases }), codex, 'scaffold', usage)).toBeNull();
  });

  it('a priced record counts as cost, and the totals say how many iterations were priced', () => {
    const report = summarise([{ ...run('builder', 10, 10, 0.25), priced: true }, run('builder', 10, 10, 0.5, 2)]);
    expect(report.byAgent.builder?.cost_usd).toBe(0.75);
    expect(report.byAgent.builder?.priced_iterations).toBe(1);
    expect(report.total.priced_iterations).toBe(1);
    expect(summarise([run('builder', 10, 10, 0.5)]).total.priced_iterations).toBeUndefined();
  });
});
