import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { budgetProblems } from '../../../src/config/budget-check.js';
import { CONFIG_FILE, loadProject } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/errors.js';
import { makeProject, removeProject } from '../../helpers/ao.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeProject));

const agent = (name: string, backend: string, over: { kind?: string; budgetUsd?: number | null; reportsCost?: boolean } = {}) => ({
  name,
  backend,
  kind: over.kind ?? 'loop',
  budgetUsd: over.budgetUsd ?? null,
  reportsCost: over.reportsCost ?? backend === 'claude',
});

describe('budgetProblems', () => {
  it('a budget_usd of an agent whose CLI reports no cost, naming the agent and why', () => {
    const problems = budgetProblems(
      [agent('builder', 'claude', { budgetUsd: 5 }), agent('adversary', 'codex', { budgetUsd: 5 })],
      [{ id: 'one', budgetUsd: null }],
    );
    expect(problems).toEqual([
      { path: ['agents', 'adversary', 'budget_usd'], message: expect.stringContaining('adversary runs codex, whose CLI reports no cost') },
    ]);
  });

  it("a phase's budget_usd while one of its loops or tasks runs such a CLI; persistent agents and services are not held by budgets", () => {
    const team = [
      agent('builder', 'claude'),
      agent('adversary', 'codex'),
      agent('helper', 'aider', { kind: 'task' }),
      agent('chat', 'codex', { kind: 'persistent' }),
    ];
    const problems = budgetProblems(team, [
      { id: 'one', budgetUsd: null },
      { id: 'two', budgetUsd: 3 },
    ]);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toEqual(['phases', 1, 'budget_usd']);
    expect(problems[0]!.message).toContain('phase "two" has a budget_usd, but adversary (codex), helper (aider) run CLIs that report no cost');
    expect(problems[0]!.message).not.toContain('chat');
  });

  it('nothing when every budgeted agent reports cost, or no budget is set', () => {
    expect(budgetProblems([agent('builder', 'claude', { budgetUsd: 1 })], [{ id: 'one', budgetUsd: 2 }])).toEqual([]);
    expect(budgetProblems([agent('adversary', 'codex')], [{ id: 'one', budgetUsd: null }])).toEqual([]);
  });
});

describe('loadProject: a budget that could never be reached', () => {
  it('is a config error at its line, naming the agent', () => {
    const dir = makeProject({
      'agents.toml': '[agents.adversary]\nkind = "loop"\nbackend = "codex"\nbudget_usd = 2\n\n[[phases]]\nid = "one"\nplan = "01.md"\n',
      'prompts/kickoff.md': 'go\n',
      'phases/01.md': '# one\n',
    });
    dirs.push(dir);
    let error: unknown;
    try {
      loadProject(join(dir, CONFIG_FILE), {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(2);
    expect((error as ConfigError).format(dir)).toMatch(
      /^agents\.toml:4:1: agents\.adversary\.budget_usd: adversary runs codex, whose CLI reports no cost: its budget_usd would never be reached/,
    );
  });
});
