import { describe, it, expect } from 'vitest';
import { coordPaths, modelFor, resolveModel, type ModelSources } from '../../../src/config/resolve.js';
import type { AgentSpec, PhaseSpec, Project } from '../../../src/config/types.js';
import { agentSpec, phaseSpec as phase, projectOf } from '../../helpers/builders.js';

const aliases = { opus: 'claude-opus-4-8', sonnet: 'claude-sonnet-4-6', strong: 'opus' };

interface Row {
  name: string;
  sources: ModelSources;
  phase: Record<string, string> | undefined;
  role: string;
  agentModel: string | null;
  expected: string | null;
}

const rows: Row[] = [
  {
    name: 'phase override naming an alias',
    sources: { aliases, defaultModel: 'sonnet' },
    phase: { builder: 'opus' },
    role: 'builder',
    agentModel: 'sonnet',
    expected: 'claude-opus-4-8',
  },
  {
    name: 'phase override naming a full id',
    sources: { aliases, defaultModel: 'sonnet' },
    phase: { builder: 'gpt-5.5' },
    role: 'builder',
    agentModel: 'opus',
    expected: 'gpt-5.5',
  },
  {
    name: 'phase override naming an alias target verbatim',
    sources: { aliases, defaultModel: null },
    phase: { builder: 'claude-opus-4-8' },
    role: 'builder',
    agentModel: null,
    expected: 'claude-opus-4-8',
  },
  {
    name: 'agent model alias when the phase has no override',
    sources: { aliases, defaultModel: 'opus' },
    phase: {},
    role: 'builder',
    agentModel: 'sonnet',
    expected: 'claude-sonnet-4-6',
  },
  {
    name: 'agent model full id when the phase has no override',
    sources: { aliases, defaultModel: 'opus' },
    phase: {},
    role: 'builder',
    agentModel: 'o4-mini',
    expected: 'o4-mini',
  },
  {
    name: 'agent model before any phase (no phase models at all)',
    sources: { aliases, defaultModel: 'opus' },
    phase: undefined,
    role: 'builder',
    agentModel: 'sonnet',
    expected: 'claude-sonnet-4-6',
  },
  {
    name: 'default only, as an alias',
    sources: { aliases, defaultModel: 'sonnet' },
    phase: undefined,
    role: 'builder',
    agentModel: null,
    expected: 'claude-sonnet-4-6',
  },
  {
    name: 'default only, as a full id',
    sources: { aliases, defaultModel: 'demo-standard' },
    phase: {},
    role: 'builder',
    agentModel: null,
    expected: 'demo-standard',
  },
  { name: 'nothing anywhere -> null', sources: { aliases, defaultModel: null }, phase: undefined, role: 'builder', agentModel: null, expected: null },
  {
    name: 'nothing anywhere, empty phase models -> null',
    sources: { aliases: {}, defaultModel: null },
    phase: {},
    role: 'builder',
    agentModel: null,
    expected: null,
  },
  // strong -> opus is an alias whose target is itself an alias: one step only
  {
    name: 'alias chains are not followed twice (phase override)',
    sources: { aliases, defaultModel: null },
    phase: { builder: 'strong' },
    role: 'builder',
    agentModel: null,
    expected: 'opus',
  },
  {
    name: 'alias chains are not followed twice (agent model)',
    sources: { aliases, defaultModel: null },
    phase: undefined,
    role: 'builder',
    agentModel: 'strong',
    expected: 'opus',
  },
  {
    name: 'alias chains are not followed twice (default)',
    sources: { aliases: { a: 'b', b: 'c' }, defaultModel: 'a' },
    phase: undefined,
    role: 'builder',
    agentModel: null,
    expected: 'b',
  },
  {
    name: 'an override for another role is ignored (agent model wins)',
    sources: { aliases, defaultModel: 'sonnet' },
    phase: { adversary: 'opus' },
    role: 'builder',
    agentModel: 'gpt-5.5',
    expected: 'gpt-5.5',
  },
  {
    name: 'an override for another role is ignored (default wins)',
    sources: { aliases, defaultModel: 'sonnet' },
    phase: { adversary: 'opus' },
    role: 'builder',
    agentModel: null,
    expected: 'claude-sonnet-4-6',
  },
  {
    name: 'role names are matched exactly (no case folding)',
    sources: { aliases, defaultModel: null },
    phase: { Builder: 'opus' },
    role: 'builder',
    agentModel: 'sonnet',
    expected: 'claude-sonnet-4-6',
  },
  {
    name: 'alias names are matched exactly (no case folding)',
    sources: { aliases, defaultModel: null },
    phase: undefined,
    role: 'builder',
    agentModel: 'Opus',
    expected: 'Opus',
  },
  // plain objects inherit from Object.prototype: a model or role that happens to
  // be named like one of its members must not pick that member up
  {
    name: 'a model named "constructor" is not looked up on Object.prototype',
    sources: { aliases: {}, defaultModel: null },
    phase: undefined,
    role: 'builder',
    agentModel: 'constructor',
    expected: 'constructor',
  },
  {
    name: 'a role named "toString" without an override gets its agent model',
    sources: { aliases: {}, defaultModel: null },
    phase: {},
    role: 'toString',
    agentModel: 'm1',
    expected: 'm1',
  },
];

describe('resolveModel: phase override, else agent model, else default; aliases resolved once', () => {
  it.each(rows)('$name', ({ sources, phase, role, agentModel, expected }) => {
    expect(resolveModel(sources, phase, role, agentModel)).toBe(expected);
  });

  it('does not modify its inputs', () => {
    const sources = { aliases: { ...aliases }, defaultModel: 'opus' };
    const phase = { builder: 'strong' };
    resolveModel(sources, phase, 'builder', 'sonnet');
    expect(sources).toEqual({ aliases, defaultModel: 'opus' });
    expect(phase).toEqual({ builder: 'strong' });
  });
});

const agent = (name: string, overrides: Partial<AgentSpec> = {}): AgentSpec =>
  agentSpec({ name, session: `ao-t-${name}`, stallMinutes: 15, kickoff: 'arg', ...overrides });

const project = (agents: AgentSpec[], phases: PhaseSpec[]): Project =>
  projectOf({
    sessionPrefix: 'ao-t-',
    tmuxSocket: 'ao',
    defaultModel: 'standard',
    models: { standard: 'demo-standard', strong: 'demo-strong' },
    agents,
    phases,
  });

describe('modelFor', () => {
  const builder = agent('builder');
  const adversary = agent('adversary', { model: 'strong' });
  const cleaner = agent('cleaner', { kind: 'service', backend: 'shell', command: 'true', model: 'strong' });
  const p = project([builder, adversary, cleaner], [phase('scaffold'), phase('feature', { builder: 'strong', cleaner: 'strong' })]);

  it.each([
    { who: builder, phase: null, expected: 'demo-standard', why: 'no phase: the default, alias resolved' },
    { who: builder, phase: p.phases[0]!, expected: 'demo-standard', why: 'a phase without overrides' },
    { who: builder, phase: p.phases[1]!, expected: 'demo-strong', why: 'the phase override' },
    { who: adversary, phase: p.phases[0]!, expected: 'demo-strong', why: "the agent's own model" },
    { who: adversary, phase: p.phases[1]!, expected: 'demo-strong', why: 'an override for another role leaves it alone' },
    { who: cleaner, phase: p.phases[1]!, expected: null, why: 'a service has no model, whatever the config says' },
  ])('$who.name in $phase.id: $expected ($why)', ({ who, phase: ph, expected }) => {
    expect(modelFor(p, who, ph)).toBe(expected);
  });
});

describe('coordPaths', () => {
  it('puts the journal and review per phase and the inbox per agent under the state folder', () => {
    const p = project([agent('builder')], [phase('feature')]);
    expect(coordPaths(p, 'feature', 'builder')).toEqual({
      journal: '/p/state/JOURNAL-feature.md',
      review: '/p/state/REVIEW-feature.md',
      inbox: '/p/state/inbox/builder.md',
    });
  });
});
