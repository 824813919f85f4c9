import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { configWarnings, editDistance, launchProblems } from '../../../src/cli/checks.js';
import { loadProject } from '../../../src/config/load.js';
import { makeProject, removeProject } from '../../helpers/ao.js';

function load(toml: string, files: Record<string, string> = {}) {
  const dir = makeProject({ 'agents.toml': toml, 'prompts/kickoff.md': 'go\n', 'phases/one.md': '# one\n', ...files });
  onTestFinished(() => removeProject(dir));
  return loadProject(join(dir, 'agents.toml'), {});
}

const team = (extra = '') =>
  `[models]\nstrong = "claude-opus-4-8"\n\n[agents.builder]\nkind = "loop"\n\n[agents.adversary]\nkind = "loop"\n${extra}\n[[phases]]\nid = "one"\nplan = "one.md"\n`;

describe('ao check: warnings', () => {
  it('edit distance', () => {
    expect(editDistance('strongg', 'strong')).toBe(1);
    expect(editDistance('strong', 'strong')).toBe(0);
    expect(editDistance('weak', 'strong')).toBeGreaterThan(1);
  });

  it('a model one edit away from an alias is named, with the alias it likely means', () => {
    const warnings = configWarnings(load(team('model = "strongg"\n')));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/agents\.adversary\.model = "strongg" is not an alias .*did you mean "strong"/);
    expect(configWarnings(load(team('model = "strong"\n')))).toEqual([]);
    expect(configWarnings(load(team('model = "claude-sonnet-4-6"\n')))).toEqual([]);
  });

  it('loops with no agent that writes verdicts can never pass the gate', () => {
    const lonely = load('[agents.builder]\nkind = "loop"\n\n[[phases]]\nid = "one"\nplan = "one.md"\n');
    expect(configWarnings(lonely).join('\n')).toMatch(/loops \(builder\) can never pass the gate: no enabled agent writes verdicts/);
    // a reviewer by another name whose prompt asks for verdicts is enough
    const reviewer = load(
      '[agents.builder]\nkind = "loop"\nbackend = "shell"\ncommand = "true"\n\n[agents.critic]\nkind = "loop"\nbackend = "shell"\ncommand = "true"\n\n[[phases]]\nid = "one"\nplan = "one.md"\n',
      {
        'prompts/critic.md': 'End with VERDICT: PASS <phase> or VERDICT: FAIL <phase>.\n',
      },
    );
    expect(configWarnings(reviewer)).toEqual([]);
    expect(configWarnings(load(team()))).toEqual([]);
  });

  it('resume = true on a backend that cannot continue a conversation (Codex) is named; the default is quiet', () => {
    const codex = (extra: string) => load(`[agents.adversary]\nkind = "persistent"\nbackend = "codex"\n${extra}\n[[phases]]\nid = "one"\nplan = "one.md"\n`);
    expect(configWarnings(codex('resume = true\n'))).toEqual([
      'agents.adversary.resume = true: the codex backend cannot continue a conversation (docs/CLI-VERSIONS.md says why), so every start begins a new one',
    ]);
    expect(configWarnings(codex(''))).toEqual([]);
    expect(codex('').agents[0]?.resume).toBe(false);
    // Claude and Gemini CLI can: resume is their persistent agents' default, and no warning
    for (const backend of ['claude', 'gemini']) {
      const project = load(`[agents.adversary]\nkind = "persistent"\nbackend = "${backend}"\nresume = true\n\n[[phases]]\nid = "one"\nplan = "one.md"\n`);
      expect(configWarnings(project)).toEqual([]);
      expect(load(`[agents.adversary]\nkind = "persistent"\nbackend = "${backend}"\n\n[[phases]]\nid = "one"\nplan = "one.md"\n`).agents[0]?.resume).toBe(true);
    }
  });
});

describe('ao check: what ao up would refuse', () => {
  it('aider with kickoff = "arg" in a persistent session is an error naming the agent', () => {
    const project = load('[agents.pair]\nkind = "persistent"\nbackend = "aider"\nkickoff = "arg"\n\n[[phases]]\nid = "one"\nplan = "one.md"\n');
    const problems = launchProblems(project);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/agents\.pair: ao up would refuse it: .*aider cannot take its kickoff as an argument/);
    expect(problems[0]!.exitCode).toBe(2);
    expect(launchProblems(load(team()))).toEqual([]);
  });

  it('a plan path that repeats phases/ says how to write it', () => {
    expect(() => load('[agents.builder]\nkind = "loop"\n\n[[phases]]\nid = "one"\nplan = "phases/one.md"\n')).toThrow(
      /phases\/phases\/one\.md; plan paths are relative to the phases\/ folder: write plan = "one\.md"/,
    );
  });
});

describe('ao check: what ao up would refuse', () => {
  it('a Claude agent whose own --settings file is missing or not JSON', () => {
    const agent = (args: string) =>
      `[agents.builder]\nkind = "loop"\nbackend = "claude"\nargs = ${args}\n\n[agents.adversary]\nkind = "loop"\n\n[[phases]]\nid = "one"\nplan = "one.md"\n`;
    const missing = launchProblems(load(agent('["--settings", "nope.json"]')));
    expect(missing.map((e) => e.message)).toEqual([expect.stringMatching(/agents\.builder: ao up would refuse it: --settings nope\.json: no such file/)]);
    const broken = launchProblems(load(agent('["--settings", "mine.json"]'), { 'mine.json': '{ not json' }));
    expect(broken[0]?.message).toMatch(/--settings mine\.json: not JSON/);
    expect(launchProblems(load(agent('["--settings", "mine.json"]'), { 'mine.json': '{"env":{}}' }))).toEqual([]);
  });
});
