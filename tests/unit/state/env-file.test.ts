import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envFileText, fileIdentity, newEnvFile, removeEnvFileIf, removeStaleEnvFiles, rewriteEnvFile, writeEnvFile } from '../../../src/state/env-file.js';
import { viaEnvFile, wrapKickoff } from '../../../src/supervisor/launch.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ao-envfile-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** What tmux's pane would hold: the server's environment, with a socket and a key that must not reach the agent. */
const PANE_ENV = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  SSH_AUTH_SOCK: '/tmp/agent.sock',
  AWS_SECRET_ACCESS_KEY: 'aws-secret',
  TMUX: '/tmp/tmux-0/s,1,0',
  TMUX_PANE: '%7',
  TERM: 'tmux-256color',
};

/** Runs a pane program as tmux would (its real sh) and returns the environment its agent saw. */
function run(file: string, agent: string[] = ['node', '-e', 'process.stdout.write(JSON.stringify(process.env))']) {
  const argv = viaEnvFile(['sh', '-c', '"$@"', 'ao-launch', ...agent], file);
  const result = spawnSync(argv[0]!, argv.slice(1), { cwd: dir, env: PANE_ENV, encoding: 'utf8', timeout: 10_000 });
  return { ...result, seen: result.status === 0 ? (JSON.parse(result.stdout) as Record<string, string>) : {} };
}

describe('the environment file', () => {
  it.each([
    ['a plain value', { A: 'x y' }, '=A=x y\n'],
    ['an empty value', { A: '' }, '=A=\n'],
    ['a value with =', { A: 'a=b' }, '=A=a=b\n'],
    ['a newline is escaped', { A: 'a\nb' }, '%A=a\\nb\n'],
    ['a backslash with a newline is escaped', { A: 'a\\n\nb' }, '%A=a\\\\n\\nb\n'],
    ['a backslash alone is escaped', { A: 'c:\\x' }, '%A=c:\\\\x\n'],
  ])('%s', (_, env, text) => {
    expect(envFileText(env)).toBe(text);
  });

  it.each([
    ['a bad name', { 'A-B': '1' }, /cannot be an environment variable's name/],
    ["a name of the launcher's own", { _ao_f: '1' }, /cannot be an environment variable's name/],
    ['a NUL byte', { A: 'a\0b' }, /NUL byte/],
  ])('refuses %s', (_, env, message) => {
    expect(() => envFileText(env)).toThrow(message);
  });

  it('is created 0600 in a 0700 folder, never over an existing file or through a link', () => {
    const file = newEnvFile(join(dir, 'state'), 'builder');
    expect(file).toMatch(/\/state\/env\/builder\.[0-9a-f]{16}$/);
    expect(newEnvFile(join(dir, 'state'), 'builder')).not.toBe(file);
    writeEnvFile(file, { A: '1' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'state', 'env')).mode & 0o777).toBe(0o700);
    expect(() => writeEnvFile(file, { A: '2' })).toThrow(/EEXIST/);
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'mine');
    const link = join(dir, 'state', 'env', 'builder.link');
    symlinkSync(victim, link);
    expect(() => writeEnvFile(link, { A: '3' })).toThrow();
    expect(readFileSync(victim, 'utf8')).toBe('mine');
  });

  it('refuses a link in place of its folder', () => {
    mkdirSync(join(dir, 'state'));
    mkdirSync(join(dir, 'elsewhere'));
    symlinkSync(join(dir, 'elsewhere'), join(dir, 'state', 'env'));
    expect(() => writeEnvFile(join(dir, 'state', 'env', 'a.1'), { A: '1' })).toThrow(/not a folder/);
    expect(existsSync(join(dir, 'elsewhere', 'a.1'))).toBe(false);
  });

  it('reaches the agent exactly, as data, and is gone before the agent runs', () => {
    const file = newEnvFile(join(dir, 'state'), 'a');
    const env = {
      PATH: PANE_ENV.PATH,
      A: 'x y',
      B: `$(touch ${join(dir, 'pwned')}) \`touch ${join(dir, 'pwned2')}\` ; "q" 's' * ?`,
      C: 'line1\nline2\\n\\\\ end\n',
      D: '',
      E: 'a=b=c',
      F: '  spaced  ',
      G: '%x\\c',
    };
    writeEnvFile(file, env);
    const { seen, status, stderr } = run(file, ['sh', '-c', `[ -e "${file}" ] && echo left >&2; exec node -e 'process.stdout.write(JSON.stringify(process.env))'`]);
    expect(status, stderr).toBe(0);
    expect(stderr).toBe('');
    for (const [k, v] of Object.entries(env)) expect(seen[k], k).toBe(v);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(join(dir, 'pwned')) || existsSync(join(dir, 'pwned2'))).toBe(false);
  });

  it('keeps nothing of the pane environment but the terminal and the pane, and none of the launcher’s own variables', () => {
    const file = newEnvFile(join(dir, 'state'), 'a');
    writeEnvFile(file, { PATH: PANE_ENV.PATH, K: 'v' });
    const { seen } = run(file);
    expect(seen.SSH_AUTH_SOCK).toBeUndefined();
    expect(seen.AWS_SECRET_ACCESS_KEY).toBeUndefined();
    expect([seen.TMUX, seen.TMUX_PANE, seen.TERM, seen.K]).toEqual([PANE_ENV.TMUX, PANE_ENV.TMUX_PANE, PANE_ENV.TERM, 'v']);
    expect(Object.keys(seen).filter((k) => k.startsWith('_ao_'))).toEqual([]);
  });

  it('skips a line that is not a variable instead of running it', () => {
    const file = newEnvFile(join(dir, 'state'), 'a');
    writeEnvFile(file, { PATH: PANE_ENV.PATH });
    writeFileSync(file, `${readFileSync(file, 'utf8')}=A-B=1\n=1A=2\n=$(touch ${join(dir, 'pwned')})=3\nnonsense\n=OK=yes\n`);
    const { seen, status } = run(file);
    expect(status).toBe(0);
    expect(seen.OK).toBe('yes');
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  });

  it('starts nothing without its file, or with a link in its place', () => {
    const missing = run(join(dir, 'state', 'env', 'a.none'), ['touch', join(dir, 'ran')]);
    expect(missing.status).toBe(127);
    expect(missing.stderr).toContain('no environment file');
    mkdirSync(join(dir, 'state', 'env'), { recursive: true });
    writeFileSync(join(dir, 'target'), '=A=1\n');
    symlinkSync(join(dir, 'target'), join(dir, 'state', 'env', 'a.link'));
    expect(run(join(dir, 'state', 'env', 'a.link'), ['touch', join(dir, 'ran')]).status).toBe(127);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it('works with the agent launcher: its exit record and its kickoff still come from the file’s variables', () => {
    const file = newEnvFile(join(dir, 'state'), 'a');
    mkdirSync(join(dir, 'exits'));
    writeFileSync(join(dir, 'kickoff.md'), 'the kickoff');
    writeEnvFile(file, { PATH: PANE_ENV.PATH, AO_RUN_ID: 'r1', AO_EXIT_FILE: join(dir, 'exits', 'a'), AO_KICKOFF_FILE: join(dir, 'kickoff.md') });
    const argv = viaEnvFile(wrapKickoff(['sh', '-c', 'printf %s "$1"; exit 3', 'x'], 'arg'), file);
    expect(argv.join(' ')).not.toContain('r1');
    const result = spawnSync(argv[0]!, argv.slice(1), { cwd: dir, env: PANE_ENV, encoding: 'utf8', timeout: 10_000 });
    expect([result.status, result.stdout]).toEqual([3, 'the kickoff']);
    expect(readFileSync(join(dir, 'exits', 'a'), 'utf8')).toBe('r1 3\n');
  });

  it('housekeeping removes what a crash left, not a file a launcher is about to read', () => {
    const stateDir = join(dir, 'state');
    const old = newEnvFile(stateDir, 'a');
    const fresh = newEnvFile(stateDir, 'b');
    writeEnvFile(old, { A: '1' });
    writeEnvFile(fresh, { A: '1' });
    const past = new Date(Date.now() - 120_000);
    utimesSync(old, past, past);
    expect(removeStaleEnvFiles(stateDir)).toBe(1);
    expect([existsSync(old), existsSync(fresh)]).toEqual([false, true]);
    expect(removeStaleEnvFiles(join(dir, 'nothing'))).toBe(0);
  });
});

describe("the watchdog's kept file at ao down", () => {
  it('is removed when it is still the one its stopped watchdog had, and kept when a racing ao up wrote a new one', () => {
    const file = join(dir, 'watchdog.env');
    writeEnvFile(file, { A: '1' });
    const seen = fileIdentity(file);
    removeEnvFileIf(file, seen);
    expect(existsSync(file)).toBe(false);

    writeEnvFile(file, { A: '1' });
    const before = fileIdentity(file);
    // a racing `ao up` starts a new watchdog meanwhile: the same name, another file
    rewriteEnvFile(file, { A: '2' });
    removeEnvFileIf(file, before);
    expect(readFileSync(file, 'utf8')).toContain('A=2');
    // nothing was there before the stop: nothing is removed
    removeEnvFileIf(file, null);
    expect(existsSync(file)).toBe(true);
  });
});
