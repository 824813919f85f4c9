/**
 * ao as a user installs it: `npm pack` of this checkout, the tarball installed
 * with `npm install -g --prefix` into a temporary prefix, and that `ao` run
 * through --version, init, check, schema and a short demo run on a private socket.
 */
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killServer, REPO, uniqueSocket, waitFor } from '../helpers/ao.js';

const work = mkdtempSync(join(tmpdir(), 'ao-pack-'));
const prefix = join(work, 'prefix');
const socket = uniqueSocket('pack');
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string };
let tarball = '';
let files: string[] = [];

/** The installed ao, from a folder outside the checkout, with only the prefix's bin, node's and the system's on PATH. */
async function ao(args: string[], cwd: string, env: Record<string, string> = {}) {
  const result = await execa(join(prefix, 'bin', 'ao'), args, {
    cwd,
    reject: false,
    stdin: 'ignore',
    env: { PATH: [join(prefix, 'bin'), join(process.execPath, '..'), '/usr/bin', '/bin'].join(':'), AO_TMUX_SOCKET: socket, AO_CONFIG: '', TMUX: '', ...env },
    extendEnv: false,
  });
  return { code: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

beforeAll(async () => {
  const pack = await execa('npm', ['pack', '--json', '--pack-destination', work], { cwd: REPO, env: { npm_config_update_notifier: 'false' } });
  const [info] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(work, info!.filename);
  files = info!.files.map((f) => f.path).sort();
  // the dependencies come from npm's cache, filled by npm ci (the registry only for what it lacks)
  const install = await execa('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], {
    cwd: work,
    reject: false,
    env: { npm_config_update_notifier: 'false' },
  });
  expect(install.exitCode, `npm install -g --prefix of the packed tarball failed:\n${install.stderr}`).toBe(0);
}, 240_000);

afterAll(async () => {
  await killServer(socket);
  rmSync(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
});

describe('the packed package, installed with npm install -g', () => {
  it('holds what a user needs and nothing of the checkout besides', () => {
    for (const needed of [
      'bin/ao',
      'dist/ao.js',
      'dist/status.cjs',
      'bin/package.json',
      'schema/agents.schema.json',
      'agents.toml',
      'prompts/kickoff.md',
      'README.md',
      'LICENSE',
      'package.json',
    ]) {
      expect(files).toContain(needed);
    }
    const stray = files.filter((f) => /^(src|tests|bench|scripts|state|node_modules)\//.test(f) || f.endsWith('.map') || f.endsWith('.ts'));
    expect(stray).toEqual([]);
  });

  it(`ao --version prints ${pkg.version}`, async () => {
    const r = await ao(['--version'], work);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`ao ${pkg.version}`);
  });

  it('ao init, ao check, ao schema and a short demo run', async () => {
    const dir = join(work, 'team');
    const init = await ao(['init', dir], work);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('next: cd team && ao check && ao up && ao status');
    // the #:schema line names the installed package's schema
    const schemaLine = readFileSync(join(dir, 'agents.toml'), 'utf8').split('\n')[0] ?? '';
    expect(schemaLine).toBe(`#:schema ${join(prefix, 'lib', 'node_modules', pkg.name, 'schema', 'agents.schema.json')}`);
    const check = await ao(['check'], dir);
    expect(check.code, check.stderr).toBe(0);
    const schema = await ao(['schema'], dir);
    // (execa drops the last newline)
    expect(schema.stdout).toBe(readFileSync(join(REPO, 'schema', 'agents.schema.json'), 'utf8').trimEnd());

    const up = await ao(['up'], dir, { AO_DEMO_PACE_S: '0.2' });
    expect(up.code, up.stderr + up.stdout).toBe(0);
    try {
      // the builder's first claim reaches the phase: the installed team works, not only starts
      await waitFor(
        async () => {
          const status = await ao(['status', '--json'], dir);
          const json = JSON.parse(status.stdout) as { phase: { index: number; gate: unknown }; complete: boolean };
          return json.complete || json.phase.index > 1;
        },
        60_000,
        500,
      );
    } finally {
      const down = await ao(['down'], dir);
      expect(down.code, down.stderr).toBe(0);
    }
  }, 90_000);
});
