/**
 * Secrets stay with their agent (DESIGN §4.11) on a real tmux server: no key
 * on any process's command line (the tmux server's included) nor in any file
 * of the state folder, after `ao up`, `ao restart` and a heal; the agent sees
 * its env and the allow-listed part of the invoking environment, and nothing
 * else of it unless `pass_env` names it; ao shows values as `<set>`.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventsOf, statusOf, team, tmux, waitFor } from '../helpers/ao.js';

const token = (): string => randomBytes(12).toString('hex');
const SECRET_X = `sk-ant-test-${token()}`;
const API_KEY = `sk-ant-test-${token()}`;
const AWS_KEY = `aws-test-${token()}`;
const SSH_SOCK = `/tmp/ssh-test-${token()}/agent.sock`;
const VALUES = [SECRET_X, API_KEY, AWS_KEY];

// the agent writes what it sees outside the state folder, one file per run (whole: written aside, then renamed)
const spy = 'env > "$SPY_DIR/.part-$AO_RUN_ID" && mv "$SPY_DIR/.part-$AO_RUN_ID" "$SPY_DIR/seen-$AO_RUN_ID"; exec sleep 100000';
const toml = (passEnv: string): string =>
  `[defaults]\nbackend = "shell"\nsession_prefix = "sec-"\n${passEnv}\n[agents.spy]\nkind = "persistent"\nkickoff = "none"\ncommand = "sh"\nargs = ["-c", ${JSON.stringify(spy)}]\n` +
  `env = { SECRET_X = "${SECRET_X}", SPY_DIR = "SPY" }\n\n[[phases]]\nid = "one"\nplan = "one.md"\n\n[watchdog]\nbackoff_initial_s = 0.5\n`;

const { dir, socket, ao } = team(
  'secrets',
  { 'prompts/kickoff.md': 'Kickoff for {role}.\n', 'phases/one.md': '# one\n' },
  { env: { ANTHROPIC_API_KEY: API_KEY, AWS_SECRET_ACCESS_KEY: AWS_KEY, SSH_AUTH_SOCK: SSH_SOCK }, teardown: 'afterAll' },
);
const spyDir = join(dir, 'seen');
mkdirSync(spyDir);
const writeConfig = (passEnv = ''): void => writeFileSync(join(dir, 'agents.toml'), toml(passEnv).replace('"SPY"', JSON.stringify(spyDir)));
writeConfig();

/** Every readable process command line on the machine that holds one of the values. */
function cmdlinesWithValues(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // gone, or not ours to read
    }
    if (VALUES.some((v) => cmdline.includes(v))) found.push(`${pid}: ${cmdline.replace(/\0/g, ' ')}`);
  }
  return found;
}

/** Every file under the state folder (recursively) that holds one of the values. */
function stateFilesWithValues(folder = join(dir, 'state')): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...stateFilesWithValues(path));
    else if (entry.isFile() && VALUES.some((v) => readFileSync(path, 'latin1').includes(v))) found.push(path);
  }
  return found;
}

/** What each run of the agent saw, by run, oldest first. */
function runsSeen(): Array<Record<string, string>> {
  return readdirSync(spyDir)
    .filter((name) => name.startsWith('seen-'))
    .map((name) => join(spyDir, name))
    .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs)
    .map((file) =>
      Object.fromEntries(
        readFileSync(file, 'utf8')
          .split('\n')
          .flatMap((l) => (l.includes('=') ? [[l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]] : [])),
      ),
    );
}

const runs = (n: number): Promise<Array<Record<string, string>>> => waitFor(async () => (runsSeen().length >= n ? runsSeen() : undefined), 20_000);

function expectNothingLeaked(when: string): void {
  expect(cmdlinesWithValues(), `${when}: a command line holds a value`).toEqual([]);
  expect(stateFilesWithValues(), `${when}: a state file holds a value`).toEqual([]);
}

describe('secrets stay with their agent', () => {
  it('ao check and ao up --dry-run show env values as <set>', async () => {
    const check = await ao('check');
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain('env: SECRET_X=<set> SPY_DIR=<set>');
    const json = await ao('check', '--json');
    expect(JSON.parse(json.stdout).launch[0].env).toEqual({ SECRET_X: '<set>', SPY_DIR: '<set>' });
    const dry = await ao('up', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/ANTHROPIC_API_KEY=<set>.*SECRET_X=<set>/);
    expect(dry.stdout).toContain('AO_AGENT=spy');
    expect(dry.stdout).not.toMatch(/ -e /);
    for (const out of [check.stdout, check.stderr, json.stdout, dry.stdout, dry.stderr]) for (const v of VALUES) expect(out).not.toContain(v);
    expect(existsSync(join(dir, 'state')), 'a dry run writes nothing').toBe(false);
  });

  it('reach the agent through a file no one else can read, never a command line nor the state folder: up, restart, heal', async () => {
    const up = await ao('up');
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const [first] = await runs(1);
    expect(first).toMatchObject({ SECRET_X, ANTHROPIC_API_KEY: API_KEY, AO_AGENT: 'spy' });
    expect(first!.AWS_SECRET_ACCESS_KEY, 'off the allow-list').toBeUndefined();
    expect(first!.SSH_AUTH_SOCK, 'off the allow-list').toBeUndefined();
    expect(first!.TMUX_PANE, "tmux's own").toMatch(/^%\d+$/);

    // the tmux server keeps the command line of the command that started it: it holds no value, no -e
    const serverPid = Number((await tmux(socket, ['display-message', '-p', '#{pid}'])).stdout.trim());
    const serverCmdline = readFileSync(`/proc/${serverPid}/cmdline`, 'utf8').split('\0');
    expect(serverCmdline).not.toContain('-e');
    for (const v of [...VALUES, SSH_SOCK]) expect(serverCmdline.join(' ')).not.toContain(v);
    expectNothingLeaked('after ao up');
    // the file is gone once read
    await waitFor(async () => (readdirSync(join(dir, 'state', 'env')).length === 0 ? true : undefined), 5000);
    expect(statSync(join(dir, 'state', 'env')).mode & 0o777).toBe(0o700);

    const restart = await ao('restart', 'spy');
    expect(restart.code, restart.stdout + restart.stderr).toBe(0);
    const second = (await runs(2))[1]!;
    expect(second).toMatchObject({ SECRET_X, ANTHROPIC_API_KEY: API_KEY });
    expect(second.AWS_SECRET_ACCESS_KEY).toBeUndefined();
    expectNothingLeaked('after ao restart');

    // a heal: the agent (the launcher's child) killed, the watchdog starts it again with the environment of `ao up`
    const pane = (await statusOf(ao)).agents.spy!.pid!;
    const child = Number(readFileSync(`/proc/${pane}/task/${pane}/children`, 'utf8').trim().split(' ')[0]);
    expect(child).toBeGreaterThan(0);
    process.kill(child, 'SIGKILL');
    const third = (await runs(3))[2]!;
    expect(third).toMatchObject({ SECRET_X, ANTHROPIC_API_KEY: API_KEY });
    expect(third.AWS_SECRET_ACCESS_KEY).toBeUndefined();
    expect(third.SSH_AUTH_SOCK).toBeUndefined();
    expectNothingLeaked('after a heal');
    const launchKey = JSON.parse(readFileSync(join(dir, 'state', 'agents.json'), 'utf8')).agents.spy.launchKey;
    expect(launchKey).toMatch(/^sha256:[0-9a-f]{64}$/);
  }, 90_000);

  it('a pass_env that names what the allow-list leaves out restarts the agent with it', async () => {
    // the same launch hashes the same in ao up, ao restart and the watchdog: nothing restarted for it
    expect((await eventsOf(ao)).filter((e) => e.event === 'config-changed')).toEqual([]);
    const before = runsSeen().length;
    writeConfig('pass_env = ["AWS_*"]\n');
    // the watchdog reloads agents.toml, sees a new launch key and restarts the agent with the environment of `ao up`
    const next = await waitFor(
      async () =>
        runsSeen()
          .slice(before)
          .find((r) => r.AWS_SECRET_ACCESS_KEY !== undefined),
      30_000,
    );
    expect(next.AWS_SECRET_ACCESS_KEY).toBe(AWS_KEY);
    expect(next.SSH_AUTH_SOCK).toBeUndefined();
    expect((await eventsOf(ao)).filter((e) => e.event === 'config-changed').map((e) => e.agent)).toEqual(['spy']);
    expect(cmdlinesWithValues()).toEqual([]);
  }, 60_000);

  it('ao doctor warns about a state folder others can read', async () => {
    chmodSync(join(dir, 'state'), 0o755);
    const doctor = await ao('doctor', '--json');
    const checks = (JSON.parse(doctor.stdout) as { checks: Array<{ check: string; status: string; detail: string }> }).checks;
    expect(checks.find((c) => c.check === 'state folder modes')).toMatchObject({ status: 'warn', detail: expect.stringContaining('is 0755') });
    chmodSync(join(dir, 'state'), 0o700);
  }, 60_000);
});
