/**
 * The fallback model's keys: `fallback_model` per agent, `models_fallback` per
 * phase (the phase's wins; aliases apply; a role the team lacks is an error),
 * and `fallback_after_s`, `fallback_probe_s`, `fallback_on_usage_limit` per
 * agent over `[defaults]` over ao's defaults.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIG_FILE, loadProject } from '../../../src/config/load.js';
import { fallbackModelFor, resolveFallbackModel, type ModelSources } from '../../../src/config/resolve.js';
import { DEFAULT_FALLBACK } from '../../../src/config/types.js';
import { ConfigError } from '../../../src/errors.js';
import { makeProject, removeProject } from '../../helpers/ao.js';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) removeProject(dir);
});

function load(toml: string): ReturnType<typeof loadProject> {
  const dir = makeProject({ 'agents.toml': toml, 'prompts/kickoff.md': '# {role}\n', 'phases/01.md': '# one\n' });
  made.push(dir);
  return loadProject(join(dir, CONFIG_FILE), {});
}

const sources: ModelSources = { aliases: { opus: 'claude-opus-4-8', sonnet: 'claude-sonnet-4-6' }, defaultModel: null };

interface Row {
  name: string;
  phase: Record<string, string> | undefined;
  agent: string | null;
  own: string;
  expected: string | null;
}

describe('resolveFallbackModel', () => {
  it.each<Row>([
    { name: 'the agent’s fallback_model, an alias', phase: undefined, agent: 'sonnet', own: 'claude-opus-4-8', expected: 'claude-sonnet-4-6' },
    { name: 'the agent’s fallback_model, a full id', phase: {}, agent: 'claude-haiku-4-5', own: 'claude-opus-4-8', expected: 'claude-haiku-4-5' },
    { name: 'the phase’s models_fallback over the agent’s', phase: { builder: 'opus' }, agent: 'sonnet', own: 'x', expected: 'claude-opus-4-8' },
    { name: 'another role’s phase entry is ignored', phase: { adversary: 'opus' }, agent: 'sonnet', own: 'x', expected: 'claude-sonnet-4-6' },
    { name: 'the phase alone', phase: { builder: 'sonnet' }, agent: null, own: 'x', expected: 'claude-sonnet-4-6' },
    { name: 'none anywhere', phase: { adversary: 'opus' }, agent: null, own: 'x', expected: null },
    { name: 'the model it would replace: none', phase: undefined, agent: 'opus', own: 'claude-opus-4-8', expected: null },
  ])('$name', ({ phase, agent, own, expected }) => {
    expect(resolveFallbackModel(sources, phase, 'builder', agent, own)).toBe(expected);
  });
});

describe('agents.toml fallback keys', () => {
  const TEAM = [
    '[models]',
    'opus = "claude-opus-4-8"',
    'sonnet = "claude-sonnet-4-6"',
    '[agents.builder]',
    'kind = "loop"',
    'model = "opus"',
    'fallback_model = "sonnet"',
    '[agents.adversary]',
    'kind = "loop"',
    'model = "opus"',
    'fallback_after_s = 5',
    'fallback_on_usage_limit = true',
    '[[phases]]',
    'id = "one"',
    'plan = "01.md"',
    'models_fallback = { adversary = "claude-haiku-4-5" }',
  ];

  it('resolves per agent, per phase and from [defaults], with ao’s defaults last', () => {
    const p = load(['[defaults]', 'fallback_probe_s = 900', ...TEAM].join('\n') + '\n');
    const [builder, adversary] = p.agents;
    expect(builder?.fallback).toEqual({ afterS: DEFAULT_FALLBACK.afterS, probeS: 900, onUsageLimit: false });
    expect(adversary?.fallback).toEqual({ afterS: 5, probeS: 900, onUsageLimit: true });
    expect(fallbackModelFor(p, builder!, p.phases[0]!)).toBe('claude-sonnet-4-6');
    expect(fallbackModelFor(p, adversary!, p.phases[0]!)).toBe('claude-haiku-4-5');
    expect(fallbackModelFor(p, adversary!, null), 'outside a phase only the agent’s own key counts').toBeNull();
    expect(DEFAULT_FALLBACK).toEqual({ afterS: 120, probeS: 600, onUsageLimit: false });
  });

  it('a phase’s models_fallback naming a role the team lacks is an error naming the key', () => {
    let error: unknown;
    try {
      load(TEAM.join('\n').replace('{ adversary = ', '{ ghost = ') + '\n');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(
      'phases.0.models_fallback.ghost: phase "one" overrides the fallback model of "ghost", but the team has no such agent (agents: builder, adversary)',
    );
    expect((error as ConfigError).line).toBe(16);
  });

  it.each([
    ['fallback_after_s = -1', 'fallback_after_s'],
    ['fallback_probe_s = 0', 'fallback_probe_s'],
    ['fallback_on_usage_limit = "yes"', 'fallback_on_usage_limit'],
    ['fallback_model = ""', 'fallback_model'],
  ])('a bad value (%s) is an error naming the key', (line, key) => {
    let error: unknown;
    try {
      load(TEAM.join('\n').replace('fallback_model = "sonnet"', line) + '\n');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(`agents.builder.${key}`);
  });
});
