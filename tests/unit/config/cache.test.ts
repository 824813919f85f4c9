import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cachedProject, rememberProject } from '../../../src/config/cache.js';
import { loadProject, readProject } from '../../../src/config/load.js';
import { layout } from '../../../src/state/layout.js';
import { makeProject, removeProject } from '../../helpers/ao.js';

// The copy of the project `ao status` reads instead of loading agents.toml:
// it must hold exactly while everything the loader read is as it was.

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) removeProject(dir);
});

const TOML =
  '[defaults]\nstate_dir = "run/st"\n\n[[phases]]\nid = "one"\nplan = "01.md"\n\n' +
  '[agents.builder]\nkind = "loop"\nbackend = "shell"\ncommand = "true"\ncwd = "work"\n\n[agents.helper]\nkind = "service"\ncommand = "sleep"\nargs = ["9"]\n';
const env = { AO_TMUX_SOCKET: 'cache-test' };

async function remembered(toml = TOML, writerEnv: Record<string, string> = env): Promise<{ dir: string; file: string }> {
  const dir = makeProject({ 'agents.toml': toml, 'prompts/kickoff.md': '# {agent}\n', 'prompts/builder.md': 'build\n', 'phases/01.md': '# plan\n' });
  mkdirSync(join(dir, 'work'));
  made.push(dir);
  const file = join(dir, 'agents.toml');
  await rememberProject(readProject(file, writerEnv));
  return { dir, file };
}

describe('cachedProject', () => {
  it('returns what loadProject returns while nothing changed', async () => {
    const { dir, file } = await remembered();
    expect(readFileSync(layout.projectCache(join(dir, 'run/st')), 'utf8')).toContain('"sourceHash"');
    expect(cachedProject(file, env)).toEqual(loadProject(file, env));
  });

  it('keeps neither the agents.toml text nor an env value, and misses when a value changes', async () => {
    const secret = 'sk-ant-cache-0123456789';
    const { dir, file } = await remembered(TOML.replace('cwd = "work"\n', `cwd = "work"\nenv = { KEY = "${secret}" }\n`));
    const copy = readFileSync(layout.projectCache(join(dir, 'run/st')), 'utf8');
    expect(copy).not.toContain(secret);
    expect(copy).not.toContain('[agents.builder]');
    const cached = cachedProject(file, env);
    expect(cached?.agents[0]?.env.KEY).toMatch(/^ao-sha256:[0-9a-f]{64}$/);
    expect({ ...cached, agents: [] }).toEqual({ ...loadProject(file, env), agents: [] });
    writeFileSync(file, readFileSync(file, 'utf8').replace(secret, `${secret}x`));
    expect(cachedProject(file, env)).toBeNull();
  });

  it('compares a settled agents.toml by its stat, a fresh one by its hash', async () => {
    const stampOf = (dir: string): unknown =>
      (JSON.parse(readFileSync(layout.projectCache(join(dir, 'run/st')), 'utf8')) as { sourceStamp: unknown }).sourceStamp;
    // remembered at once after the write: a change in the same clock tick would keep the stat
    const fresh = await remembered();
    expect(stampOf(fresh.dir)).toBeNull();
    expect(cachedProject(fresh.file, env)).toEqual(loadProject(fresh.file, env));
    // remembered a while after it: stamped, and the stamp alone answers
    await new Promise((r) => setTimeout(r, 120));
    await rememberProject(readProject(fresh.file, env));
    expect(stampOf(fresh.dir)).toMatch(/^\d+:\d+:\d+:\d+:\d+$/);
    expect(cachedProject(fresh.file, env)).toEqual(loadProject(fresh.file, env));
    // the same text written again: the stat differs, the hash still holds
    writeFileSync(fresh.file, readFileSync(fresh.file, 'utf8'));
    expect(cachedProject(fresh.file, env)).toEqual(loadProject(fresh.file, env));
    // another text of the same size: a miss
    writeFileSync(fresh.file, readFileSync(fresh.file, 'utf8').replace('args = ["9"]', 'args = ["8"]'));
    expect(cachedProject(fresh.file, env)).toBeNull();
  });

  it('holds for the default state folder too', async () => {
    const { file } = await remembered(TOML.replace('state_dir = "run/st"\n', ''));
    expect(cachedProject(file, env)).toEqual(loadProject(file, env));
  });

  it.each<[string, string, Record<string, string>, Record<string, string>]>([
    ['the watchdog with AO_TMUX_SOCKET=ao, status without it', TOML, { AO_TMUX_SOCKET: 'ao' }, {}],
    ['both without AO_TMUX_SOCKET', TOML, {}, {}],
    [
      'a tmux_socket in agents.toml, the watchdog with it in AO_TMUX_SOCKET',
      TOML.replace('[defaults]\n', '[defaults]\ntmux_socket = "team"\n'),
      { AO_TMUX_SOCKET: 'team' },
      {},
    ],
    ['status with AO_TMUX_SOCKET naming the same socket', TOML, {}, { AO_TMUX_SOCKET: 'ao' }],
  ])('holds for the same socket however it is named: %s', async (_what, toml, writerEnv, readerEnv) => {
    const { file } = await remembered(toml, writerEnv);
    expect(cachedProject(file, readerEnv)).toEqual(loadProject(file, readerEnv));
  });

  it('misses when AO_TMUX_SOCKET names another socket than the copy', async () => {
    const { file } = await remembered(TOML.replace('[defaults]\n', '[defaults]\ntmux_socket = "team"\n'), { AO_TMUX_SOCKET: 'team' });
    expect(cachedProject(file, { AO_TMUX_SOCKET: 'other' })).toBeNull();
    expect(cachedProject(file, { AO_TMUX_SOCKET: 'bad socket!' })).toBeNull();
  });

  it("a fleet's AO_SESSION_PREFIX: holds for the same prefix, misses for another or none", async () => {
    const fleetEnv = { ...env, AO_SESSION_PREFIX: 'fleet-one-' };
    const { file } = await remembered(TOML, fleetEnv);
    expect(cachedProject(file, fleetEnv)).toEqual(loadProject(file, fleetEnv));
    expect(cachedProject(file, { ...env, AO_SESSION_PREFIX: 'fleet-two-' })).toBeNull();
    expect(cachedProject(file, env)).toBeNull();
  });

  it.each<[string, (dir: string, file: string) => void, Record<string, string>?]>([
    ['agents.toml edited (a comment)', (_d, file) => writeFileSync(file, `${TOML}# edited\n`)],
    ['another AO_TMUX_SOCKET', () => {}, { AO_TMUX_SOCKET: 'other' }],
    ['AO_TMUX_SOCKET unset', () => {}, {}],
    ['the kickoff template edited', (dir) => writeFileSync(join(dir, 'prompts/kickoff.md'), '# {agent} again\n')],
    ['the kickoff template removed', (dir) => rmSync(join(dir, 'prompts/kickoff.md'))],
    ['a plan removed', (dir) => rmSync(join(dir, 'phases/01.md'))],
    ['a prompt removed', (dir) => rmSync(join(dir, 'prompts/builder.md'))],
    ['a conventional prompt added', (dir) => writeFileSync(join(dir, 'prompts/helper.md'), 'help\n')],
    ['a working folder removed', (dir) => rmSync(join(dir, 'work'), { recursive: true })],
    ['a working folder replaced by a file', (dir) => (rmSync(join(dir, 'work'), { recursive: true }), writeFileSync(join(dir, 'work'), ''))],
    ['the copy corrupt', (dir) => writeFileSync(layout.projectCache(join(dir, 'run/st')), '{"build":')],
    ['the copy from another build', (dir) => rewrite(dir, (c) => ({ ...c, build: 'another' }))],
    ['the copy of another agents.toml path', (dir) => rewrite(dir, (c) => ({ ...c, configFile: '/elsewhere/agents.toml' }))],
    ['agents.toml gone', (_d, file) => rmSync(file)],
  ])('misses when %s', async (_what, change, otherEnv) => {
    const { dir, file } = await remembered();
    change(dir, file);
    expect(cachedProject(file, otherEnv ?? env)).toBeNull();
  });

  it('misses when state_dir is written in a form only the TOML parser reads', async () => {
    const { file } = await remembered(TOML.replace('[defaults]\nstate_dir = "run/st"\n', 'defaults = { state_dir = "run/st" }\n'));
    expect(loadProject(file, env).stateDir).toMatch(/run\/st$/);
    expect(cachedProject(file, env)).toBeNull();
  });
});

function rewrite(dir: string, edit: (cache: Record<string, unknown>) => Record<string, unknown>): void {
  const path = layout.projectCache(join(dir, 'run/st'));
  writeFileSync(path, JSON.stringify(edit(JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>)));
}
