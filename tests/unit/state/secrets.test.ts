import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentSpec } from '../../../src/config/types.js';
import { readAgentsState } from '../../../src/state/agents.js';
import { agent as fixtureAgent } from '../ui/fixtures.js';
import { projectOf } from '../../helpers/builders.js';
import { envDigest, launchKeyOf, maskedNames, maskProject, shownEnv, upgradeLaunchKey } from '../../../src/state/secrets.js';

const agent = (over: Partial<AgentSpec> = {}): AgentSpec =>
  fixtureAgent('b', { backend: 'shell', command: 'sh', args: ['-c', 'x'], env: { KEY: 'sk-ant-secret-1' }, cwd: '/w', ...over });

/** The key an ao before hashes kept in agents.json. */
const legacyKey = (a: AgentSpec): string => JSON.stringify([a.backend, a.command, a.args, a.env, a.cwd, a.kickoff, a.readyPattern, a.paceS]);

describe('launch keys', () => {
  it('hold no env value', () => {
    expect(launchKeyOf(agent())).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(launchKeyOf(agent())).not.toContain('sk-ant');
  });

  it.each<[string, Partial<AgentSpec>]>([
    ['an env value', { env: { KEY: 'sk-ant-secret-2' } }],
    ['an env name', { env: { KEY2: 'sk-ant-secret-1' } }],
    ['an argument', { args: ['-c', 'y'] }],
    ['the command', { command: 'bash' }],
    ['the folder', { cwd: '/v' }],
    ['the kickoff mode', { kickoff: 'stdin' }],
    ['pass_env', { passEnv: ['AWS_*'] }],
    ['a sandbox put on', { sandbox: { kind: 'bwrap', rw: [], ro: [] } }],
  ])('change with %s', (_, change) => {
    expect(launchKeyOf(agent(change))).not.toBe(launchKeyOf(agent()));
  });

  it('do not change with what is not on the command line, nor with an empty pass_env', () => {
    expect(launchKeyOf(agent({ stallMinutes: 3, notify: true, passEnv: [] }))).toBe(launchKeyOf(agent()));
  });

  it("change with a sandbox's paths", () => {
    const boxed = (rw: string[]): AgentSpec => agent({ sandbox: { kind: 'bwrap', rw, ro: [] } });
    expect(launchKeyOf(boxed(['/data']))).not.toBe(launchKeyOf(boxed([])));
  });

  it('are the same from a masked copy of the config', () => {
    const masked = maskProject(projectOf({ agents: [agent()] })).agents[0]!;
    expect(masked.env.KEY).toBe(envDigest('KEY', 'sk-ant-secret-1'));
    expect(launchKeyOf(masked)).toBe(launchKeyOf(agent()));
    expect(maskedNames(masked)).toEqual(['KEY']);
    expect(maskedNames(agent())).toEqual([]);
  });

  it('read an older ao’s JSON key as the hash of the same launch, so nothing restarts for it', () => {
    expect(upgradeLaunchKey(legacyKey(agent()))).toBe(launchKeyOf(agent()));
    expect(upgradeLaunchKey(legacyKey(agent({ env: { KEY: 'other' } })))).not.toBe(launchKeyOf(agent()));
    expect(upgradeLaunchKey(launchKeyOf(agent()))).toBe(launchKeyOf(agent()));
    for (const odd of ['[1,2]', '[not json', '["a",null,[],null,"/w","none",null,null]']) {
      expect(upgradeLaunchKey(odd)).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(upgradeLaunchKey(odd)).not.toContain('[');
    }
  });
});

describe('an agents.json of an older ao', () => {
  it('is read with its launch keys as hashes: the values are gone from what is written back, and nothing restarts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ao-secrets-'));
    try {
      const record = { up: true, startedAt: null, restarts: 0, iteration: 0, model: null, launchKey: legacyKey(agent()) };
      writeFileSync(join(dir, 'agents.json'), JSON.stringify({ version: 1, agents: { b: record } }));
      const read = readAgentsState(dir).agents.b!;
      expect(read.launchKey).toBe(launchKeyOf(agent()));
      expect(JSON.stringify(read)).not.toContain('sk-ant');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('env values shown and kept', () => {
  it('are shown as <set>', () => {
    expect(shownEnv({ A: 'sk-1', B: '' })).toEqual({ A: '<set>', B: '<set>' });
  });

  it('are kept as digests that differ by value and by name, and a digest stays itself', () => {
    const d = envDigest('A', 'v');
    expect(d).toMatch(/^ao-sha256:[0-9a-f]{64}$/);
    expect(envDigest('A', 'w')).not.toBe(d);
    expect(envDigest('B', 'v')).not.toBe(d);
    expect(envDigest('A', d)).toBe(d);
  });
});
