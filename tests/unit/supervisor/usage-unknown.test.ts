import { describe, expect, it } from 'vitest';
import { summarise, type UsageRecord } from '../../../src/state/usage.js';
import { budgetHolds } from '../../../src/supervisor/budgets.js';
import { unknownUsage } from '../../../src/supervisor/record-usage.js';
import { agent, project } from '../ui/fixtures.js';

const base = { time: '2030-01-01T00:00:00Z', agent: 'builder', phase: 'one', iteration: 3, run: 'r3', backend: 'claude' };
const known = (cost: number | null): UsageRecord => ({
  ...base,
  usage: { input_tokens: 10, output_tokens: 5, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: cost },
});

describe('a budgeted run whose usage is unknown', () => {
  it('unknownUsage: no usage or no cost under a budget is marked unknown; with a cost, or with no budget, the line is as it was', () => {
    const usd = { usage: true, cost: true };
    const none = { usage: false, cost: false };
    expect(unknownUsage(null, usd, base)).toEqual({
      ...base,
      usage: { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: null },
      unknown: true,
    });
    expect(unknownUsage(known(null), usd, base)).toEqual({ ...known(null), unknown: true });
    expect(unknownUsage(known(0.02), usd, base)).toEqual(known(0.02));
    expect(unknownUsage(null, none, base)).toBeNull();
    expect(unknownUsage(known(null), none, base)).toEqual(known(null));
  });

  it('under a token cap alone a run needs its tokens, not a cost: tokens without a cost are known, no usage at all is unknown', () => {
    const tokens = { usage: true, cost: false };
    expect(unknownUsage(known(null), tokens, base)).toEqual(known(null));
    expect(unknownUsage(null, tokens, base)?.unknown).toBe(true);
  });

  it('the usage report keeps it while it is the newest run of the agent; a later run that reports clears it', () => {
    const unknown = { ...known(null), unknown: true as const };
    expect(summarise([known(0.01), unknown]).unknown).toEqual({ builder: true });
    expect(summarise([unknown, { ...known(0.01), run: 'r4', iteration: 4 }]).unknown).toEqual({});
    expect(summarise([known(0.01)]).unknown).toBeUndefined();
  });

  it('holds the agent as `usage unknown` while a budget applies, before any count, never as free', () => {
    const team = project([agent('builder', { kind: 'loop', budgetUsd: 5 }), agent('adversary', { kind: 'loop' })]);
    const report = summarise([known(0.01), { ...known(null), run: 'r4', unknown: true }, { ...known(null), agent: 'adversary', unknown: true }]);
    const holds = budgetHolds(team, team.phases[0]!, 0, {}, report);
    expect(holds.get('builder')).toMatch(/^usage unknown: its last run ended without the usage its budget needs .*; ao restart builder runs it again$/);
    // no budget applies to the adversary: its unknown usage holds nothing
    expect(holds.has('adversary')).toBe(false);
    // a phase budget applies to every loop
    const phased = budgetHolds(team, { ...team.phases[0]!, budgetUsd: 100 }, 0, {}, report);
    expect(phased.get('adversary')).toMatch(/^usage unknown: /);
  });
});
