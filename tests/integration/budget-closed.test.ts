/**
 * Budgets never fail open: a Codex loop (its CLI reports tokens, never cost)
 * with a budget_usd is refused by `ao check` and `ao up` with exit 2, naming
 * the agent and why, and nothing starts.
 */
import { describe, expect, it } from 'vitest';
import { onePhaseFiles, serverRunning, team } from '../helpers/ao.js';

describe('a budget_usd that could never be reached', () => {
  it('ao check and ao up exit 2 naming the agent; nothing starts', async () => {
    const t = team(
      'budget-closed',
      onePhaseFiles('[agents.adversary]\nkind = "loop"\nbackend = "codex"\nbudget_usd = 2\n\n[[phases]]\nid = "one"\nplan = "one.md"\nbudget_usd = 10\n'),
      { teardown: 'afterTest' },
    );
    const check = await t.ao('check');
    expect(check.code).toBe(2);
    expect(check.stderr).toContain('agents.toml:4:1: agents.adversary.budget_usd: adversary runs codex, whose CLI reports no cost');
    expect(check.stderr).toContain('agents.toml:9:1: phases.0.budget_usd: phase "one" has a budget_usd, but adversary (codex) runs a CLI that reports no cost');
    const up = await t.ao('up');
    expect(up.code).toBe(2);
    expect(up.stderr).toContain('adversary runs codex, whose CLI reports no cost');
    expect(await serverRunning(t.socket)).toBe(false);
  });
});
