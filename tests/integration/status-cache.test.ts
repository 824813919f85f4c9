import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { layout } from '../../src/state/layout.js';
import { execa } from 'execa';
import { AO, REPO, team, waitFor } from '../helpers/ao.js';

// `ao status` reads the project from the copy `ao up` and the watchdog keep in
// the state folder (state/project-cache.json) while agents.toml is unchanged,
// and prints exactly what it prints from agents.toml itself.

const TOML =
  '[defaults]\nsession_prefix = "sc-"\n\n[[phases]]\nid = "one"\nplan = "one.md"\n\n' +
  '[agents.a1]\nkind = "service"\ncommand = "sleep"\nargs = ["1000"]\n\n[agents.a2]\nkind = "service"\ncommand = "sleep"\nargs = ["1000"]\n';

const t = team('stcache', { 'agents.toml': TOML, 'prompts/kickoff.md': '# {agent}\n', 'phases/one.md': '# one\n' }, { teardown: 'afterAll' });
const cacheFile = (): string => layout.projectCache(join(t.dir, 'state'));
/** The files of dist/ one `ao status` loaded, ESM and CommonJS (bench/trace-imports.mjs records both). */
async function distLoaded(): Promise<string[]> {
  const file = join(t.dir, `imports-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(file, '');
  const tracer = join(REPO, 'bench', 'trace-imports.mjs');
  const r = await execa(process.execPath, ['--import', tracer, AO, 'status'], {
    cwd: t.dir,
    reject: false,
    env: { AO_TMUX_SOCKET: t.socket, AO_CONFIG: '', TMUX: '', AO_TRACE_IMPORTS: file },
  });
  expect(r.exitCode, r.stderr).toBe(0);
  const loaded = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes('/dist/'));
  rmSync(file);
  return [...new Set(loaded.map((l) => l.slice(l.lastIndexOf('/dist/') + 6)))].sort();
}
// the copy is keyed by agents.toml's digest, never its text (which may hold env values)
const readCache = (): { sourceHash: string; project: { agents: { heal: string }[] } } => JSON.parse(readFileSync(cacheFile(), 'utf8'));
const digest = (text: string): string => createHash('sha256').update(text).digest('hex');

beforeAll(async () => {
  const up = await t.ao('up');
  expect(up.code, up.stdout + up.stderr).toBe(0);
}, 30_000);

describe('ao status and the project copy', () => {
  it('prints the same with the copy as without it, and never writes one itself', async () => {
    expect(readCache().sourceHash).toBe(digest(TOML));
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

  it('is answered by dist/status.cjs alone from the copy, and by the ESM build when the copy misses', async () => {
    // `ao up` of the running team writes the copy the test before removed
    expect((await t.ao('up')).code).toBe(0);
    expect(await distLoaded()).toEqual(['status.cjs']);
    const saved = readFileSync(cacheFile(), 'utf8');
    rmSync(cacheFile());
    try {
      const missed = await distLoaded();
      expect(missed).toContain('status.cjs');
      expect(missed).toContain('ao.js');
    } finally {
      writeFileSync(cacheFile(), saved);
    }
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
    await waitFor(async () => existsSync(cacheFile()) && readCache().sourceHash === digest(edited), 15_000);
    expect(readCache().project.agents[0]!.heal).toBe('heal');
  }, 30_000);
});
