import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layout } from '../../src/state/layout.js';
import { team, waitFor, type Team } from '../helpers/ao.js';

// `ao status` reads the project from the copy `ao up` and the watchdog keep in
// the state folder (state/project-cache.json) while agents.toml is unchanged,
// and prints exactly what it prints from agents.toml itself.

const TOML =
  '[defaults]\nsession_prefix = "sc-"\n\n[[phases]]\nid = "one"\nplan = "one.md"\n\n' +
  '[agents.a1]\nkind = "service"\ncommand = "sleep"\nargs = ["1000"]\n\n[agents.a2]\nkind = "service"\ncommand = "sleep"\nargs = ["1000"]\n';

let t: Team;
const cacheFile = (): string => layout.projectCache(join(t.dir, 'state'));
const readCache = (): { source: string; project: { agents: { heal: string }[] } } => JSON.parse(readFileSync(cacheFile(), 'utf8'));

beforeAll(async () => {
  t = team('stcache', { 'agents.toml': TOML, 'prompts/kickoff.md': '# {agent}\n', 'phases/one.md': '# one\n' });
  const up = await t.ao('up');
  expect(up.code, up.stdout + up.stderr).toBe(0);
}, 30_000);

afterAll(async () => {
  await t.cleanup();
}, 30_000);

describe('ao status and the project copy', () => {
  it('prints the same with the copy as without it, and never writes one itself', async () => {
    expect(readCache().source).toBe(TOML);
    const withCopy = [await t.ao('status'), await t.ao('status', '--json')];
    rmSync(cacheFile());
    const without = [await t.ao('status'), await t.ao('status', '--json')];
    expect(existsSync(cacheFile())).toBe(false);
    for (const [i, r] of without.entries()) {
      expect(r.code).toBe(0);
      expect(withCopy[i]!.stdout).toBe(r.stdout);
      expect(withCopy[i]!.code).toBe(r.code);
    }
    expect(without[0]!.stdout).toMatch(/a1 +service/);
  });

  it('reads the copy while agents.toml is unchanged, and agents.toml once it changes (the watchdog then writes a new copy)', async () => {
    const up = await t.ao('up');
    expect(up.code).toBe(0);
    const cache = readCache();
    cache.project.agents[0]!.heal = 'none';
    writeFileSync(cacheFile(), JSON.stringify(cache));
    const fromCopy = JSON.parse((await t.ao('status', '--json')).stdout) as { agents: { name: string; heal: string }[] };
    expect(fromCopy.agents.find((a) => a.name === 'a1')?.heal).toBe('none');

    const edited = `${TOML}# edited\n`;
    writeFileSync(join(t.dir, 'agents.toml'), edited);
    const fromToml = JSON.parse((await t.ao('status', '--json')).stdout) as { agents: { name: string; heal: string }[] };
    expect(fromToml.agents.find((a) => a.name === 'a1')?.heal).toBe('heal');
    // the watchdog reloads the edit and keeps a copy of it
    await waitFor(async () => existsSync(cacheFile()) && readCache().source === edited, 15_000);
    expect(readCache().project.agents[0]!.heal).toBe('heal');
  }, 30_000);
});
