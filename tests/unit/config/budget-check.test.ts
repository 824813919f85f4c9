import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { budgetProblems } from '../../../src/config/budget-check.js';
import { CONFIG_FILE, loadProject } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/errors.js';
import { makeProject, removeProject } from '../../helpers/ao.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeProject));

const agent = (
  name: string,
  backend: string,
  over: { kind?: string; budgetUsd?: number | null; budgetTokens?: number | null; reportsCost?: boolean; priced?: Record<string, boolean> } = {},
) => ({
  name,
  backend,
  kind: over.kind ?? 'loop',
  budgetUsd: over.budgetUsd ?? null,
  budgetTokens: over.budgetTokens ?? null,
  reportsCost: over.reportsCost ?? backend === 'claude',
  ...(over.priced ? { priced: over.priced } : {}),
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

describe('budgetProblems: a way to count it', () => {
  it('the error says the fix: a budget_tokens, or a price for the model in [models.prices]', () => {
    const [problem] = budgetProblems([agent('adversary', 'codex', { budgetUsd: 5 })], [{ id: 'one' }]);
    expect(problem?.message).toMatch(/; give it a budget_tokens \(a cap on its input and output tokens\), or a price for its model in \[models\.prices\]/);
    const [phase] = budgetProblems([agent('adversary', 'codex')], [{ id: 'one', budgetUsd: 5 }]);
    expect(phase?.message).toMatch(/give the phase a budget_tokens, or that agent a budget_tokens or a price for its model in \[models\.prices\]$/);
  });

  it("an agent's own budget_tokens, or its model priced in every phase, answers its budget_usd; priced in one phase only, the others are named", () => {
    expect(budgetProblems([agent('adversary', 'codex', { budgetUsd: 5, budgetTokens: 100_000 })], [{ id: 'one' }])).toEqual([]);
    const phases = [{ id: 'one' }, { id: 'two' }];
    expect(budgetProblems([agent('adversary', 'codex', { budgetUsd: 5, priced: { one: true, two: true } })], phases)).toEqual([]);
    const [problem] = budgetProblems([agent('adversary', 'codex', { budgetUsd: 5, priced: { one: true, two: false } })], phases);
    expect(problem?.message).toContain('its model has no price in phase "two"');
  });

  it("a phase's budget_usd: answered by the phase's budget_tokens, or each blind agent's own cap or price in that phase", () => {
    const team = [agent('adversary', 'codex', { priced: { one: true, two: false } }), agent('helper', 'aider', { kind: 'task', budgetTokens: 10 })];
    expect(budgetProblems(team, [{ id: 'one', budgetUsd: 5 }])).toEqual([]);
    expect(budgetProblems(team, [{ id: 'two', budgetUsd: 5, budgetTokens: 1000 }])).toEqual([]);
    const problems = budgetProblems(team, [{ id: 'one' }, { id: 'two', budgetUsd: 5 }]);
    expect(problems.map((p) => p.path)).toEqual([['phases', 1, 'budget_usd']]);
    expect(problems[0]!.message).toContain('but adversary (codex) runs a CLI that reports no cost');
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

  const load = (toml: string): { error: ConfigError | null; project: ReturnType<typeof loadProject> | null } => {
    const dir = makeProject({ 'agents.toml': toml, 'prompts/kickoff.md': 'go\n', 'phases/01.md': '# one\n' });
    dirs.push(dir);
    try {
      return { error: null, project: loadProject(join(dir, CONFIG_FILE), {}) };
    } catch (e) {
      if (e instanceof ConfigError) return { error: e, project: null };
      throw e;
    }
  };
  const PHASE = '\n[[phases]]\nid = "one"\nplan = "01.md"\n';

  it('a price for its model (by id, or by an alias) makes a Codex budget_usd good; [models] aliases still work beside prices', () => {
    const { error, project } = load(
      `[models]\nfast = "gpt-5"\n[models.prices]\n"gpt-5" = { input_per_mtok = 1.25, output_per_mtok = 10 }\n[agents.adversary]\nkind = "loop"\nbackend = "codex"\nmodel = "fast"\nbudget_usd = 2\n${PHASE}`,
    );
    expect(error).toBeNull();
    expect(project?.models).toEqual({ fast: 'gpt-5' });
    expect(project?.prices).toEqual({ 'gpt-5': { inputPerMtok: 1.25, outputPerMtok: 10 } });
  });

  it('budget_tokens makes a Codex budget_usd good, and is kept per agent and per phase', () => {
    const { error, project } = load(
      `[agents.adversary]\nkind = "loop"\nbackend = "codex"\nbudget_usd = 2\nbudget_tokens = 50000\n${PHASE}budget_tokens = 900000\n`,
    );
    expect(error).toBeNull();
    expect(project?.agents[0]?.budgetTokens).toBe(50_000);
    expect(project?.phases[0]?.budgetTokens).toBe(900_000);
  });

  it.each([
    [
      'a price without output_per_mtok',
      '[models.prices]\n"gpt-5" = { input_per_mtok = 1.25 }\n',
      /^agents\.toml:2:1: models\.prices\.gpt-5\.output_per_mtok: /,
    ],
    [
      'a negative price',
      '[models.prices]\n"gpt-5" = { input_per_mtok = -1, output_per_mtok = 10 }\n',
      /^agents\.toml:2:13: models\.prices\.gpt-5\.input_per_mtok: expected a number >= 0/,
    ],
    [
      'an unknown key in a price',
      '[models.prices]\n"gpt-5" = { input_per_mtok = 1, output_per_mtok = 10, cached = 1 }\n',
      /^agents\.toml:2:55: models\.prices\.gpt-5: unknown key "cached"/,
    ],
    ['a price that is not a table', '[models.prices]\n"gpt-5" = 1.25\n', /^agents\.toml:2:1: models\.prices\.gpt-5: /],
    ['an alias that is not a string', '[models]\nfast = 3\n', /^agents\.toml:2:1: models\.fast: /],
    ['a budget_tokens that is not a whole number', '[agents.x]\nkind = "loop"\nbudget_tokens = 1.5\n', /^agents\.toml:3:1: agents\.x\.budget_tokens: /],
  ])('%s: a config error naming file, line and key (exit 2)', (_name, toml, expected) => {
    const { error } = load(`${toml}${toml.includes('[agents.') ? '' : '[agents.a]\nkind = "loop"\n'}${PHASE}`);
    expect(error?.exitCode).toBe(2);
    expect(error?.format(dirname(error.file))).toMatch(expected);
  });
});
