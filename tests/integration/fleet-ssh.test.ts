/**
 * A fleet over real OpenSSH (issue 26): one local and two remote demo
 * projects, each remote "host" an sshd this file starts on its own loopback
 * address with its own host key, HOME, runtime folder and tmux socket (given
 * to its logins by the authorized key's environment= options). Then a host
 * killed and brought back, a host frozen with SIGSTOP, a wrong host key and a
 * missing remote ao. Skipped only where OpenSSH's server is not installed,
 * and then loudly.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { AO, killServerAndSocket, REPO, runAo, serverRunning, tmux, uniqueSocket, waitFor } from '../helpers/ao.js';
import {
  endProcessesWith,
  freezeHost,
  killHost,
  makeClient,
  makeHost,
  processesWith,
  sshOf,
  SSHD,
  startHost,
  thaw,
  type SshClient,
  type TestHost,
} from '../helpers/sshd.js';
import { endSshFleet } from '../helpers/fleet.js';
import { openShell } from '../helpers/terminal.js';

const installed = existsSync(SSHD);
if (!installed) console.warn(`fleet-ssh: ${SSHD} is missing: the openssh-server install (.ci/run) failed, so the fleet's OpenSSH tests are SKIPPED`);

/** [fleet] timeout_s of the test's fleet: short, so that a frozen host costs little here, and long enough for a remote `ao up` on a busy machine */
const TIMEOUT_S = 6;
/** the demo agents' pace: slow, so that a loop agent is seldom caught between two iterations */
const PACE = '20';

const local = uniqueSocket('fssh-local');
/** sockets a test gave a project of its own, ended with the rest */
const extraSockets: string[] = [];
/** the terminal `ao dash --fleet` runs in */
const view = uniqueSocket('fssh-view');
let root: string;
/** the local ao's runtime folder: its ssh control sockets live under it (short, for the socket path's limit) */
let runtime: string;
let client: SshClient;
let h1: TestHost;
let h2: TestHost;
let frozen: number[] = [];

const env = (): Record<string, string> => ({ XDG_RUNTIME_DIR: runtime, AO_DEMO_PACE_S: PACE });
const ao = (...args: string[]) => runAo(args, { cwd: root, socket: local, env: env() });

interface FleetJson {
  project: string;
  fleet: { name: string; host: string | null; dir: string; enabled: boolean; healthy: boolean; reachable: boolean; error: string | null; read: string | null };
  agents: Array<{ name: string; state: string }>;
}

const statusJson = async (file = 'fleet.toml'): Promise<{ code: number; byName: Record<string, FleetJson>; ms: number; stderr: string }> => {
  const started = Date.now();
  const result = await ao('fleet', 'status', '-f', file, '--json');
  const ms = Date.now() - started;
  const list = JSON.parse(result.stdout) as FleetJson[];
  return { code: result.code, byName: Object.fromEntries(list.map((p) => [p.fleet.name, p])), ms, stderr: result.stderr };
};

/** A copy of the repository's demo project at `dir`. */
function demoAt(dir: string): void {
  for (const path of ['agents.toml', 'prompts', 'phases']) cpSync(join(REPO, path), join(dir, path), { recursive: true });
}

/** The fleet.toml text: l1 here, r1 on h1, r2 on h2; `over` changes a host's table. */
function fleetToml(over: { h1?: Partial<{ ssh: string[]; ao: string }>; h2?: Partial<{ ssh: string[]; ao: string }> } = {}): string {
  const host = (h: TestHost, o: Partial<{ ssh: string[]; ao: string }> = {}) =>
    [`[hosts.${h.name}]`, `destination = "${h.address}"`, `ssh = ${JSON.stringify(o.ssh ?? sshOf(h, client))}`, `ao = ${JSON.stringify(o.ao ?? AO)}`, ''].join(
      '\n',
    );
  return [
    '[fleet]',
    `timeout_s = ${TIMEOUT_S}`,
    '',
    host(h1, over.h1),
    host(h2, over.h2),
    '[[projects]]',
    'path = "l1"',
    '',
    '[[projects]]',
    `path = "${join(h1.home, 'r1')}"`,
    'host = "h1"',
    '',
    '[[projects]]',
    `path = "${join(h2.home, 'r2')}"`,
    'host = "h2"',
    '',
  ].join('\n');
}

/**
 * The first status after a host is back reaches it; the whole fleet reads
 * healthy then or within a few reads (a demo loop agent between two
 * iterations may read dead for a moment, as it would on this machine).
 */
async function healthyAgain(name: string): Promise<void> {
  const first = await statusJson();
  expect(first.byName[name]!.fleet.reachable, JSON.stringify(first.byName[name]!.fleet)).toBe(true);
  let last = first;
  for (let i = 0; i < 10 && last.code !== 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    last = await statusJson();
  }
  expect(last.code, JSON.stringify(last.byName[name])).toBe(0);
}

const screen = async (): Promise<string> => (await tmux(view, ['capture-pane', '-p', '-t', '=dash:'])).stdout;

/** Waits (10 s at most, or `timeoutMs`) until the dashboard's terminal shows `text`; the screen is in the error otherwise. */
async function seen(text: string, timeoutMs = 10_000): Promise<void> {
  let last = '';
  await waitFor(async () => ((last = await screen()).includes(text) ? true : null), timeoutMs).catch((error: unknown) => {
    throw new Error(`${String(error)} waiting for "${text}"; the screen:\n${last}`);
  });
}

async function sessions(socket: string): Promise<string[]> {
  const result = await tmux(socket, ['list-sessions', '-F', '#{session_name}']);
  return result.code === 0 ? result.stdout.split('\n').filter(Boolean).sort() : [];
}

describe.skipIf(!installed)('a fleet over OpenSSH: one local and two remote demo projects', () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ao-test-fleet-ssh-'));
    runtime = mkdtempSync('/tmp/aof-');
    client = makeClient(root);
    h1 = await makeHost('h1', '127.0.0.51', root, client, uniqueSocket('fssh-h1'), { AO_DEMO_PACE_S: PACE });
    h2 = await makeHost('h2', '127.0.0.52', root, client, uniqueSocket('fssh-h2'), { AO_DEMO_PACE_S: PACE });
    await Promise.all([startHost(h1), startHost(h2)]);
    demoAt(join(root, 'l1'));
    demoAt(join(h1.home, 'r1'));
    demoAt(join(h2.home, 'r2'));
    writeFileSync(join(root, 'fleet.toml'), fleetToml());
  });

  afterAll(async () => {
    if (!root) return;
    thaw(frozen);
    await endSshFleet({ down: () => ao('fleet', 'down'), root, runtime, hosts: [h1, h2], sockets: [view, local, h1?.socket, h2?.socket, ...extraSockets] });
  }, 120_000);

  it('fleet validate checks every host, its ao and each remote agents.toml, and starts nothing', async () => {
    const result = await ao('fleet', 'validate');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^l1: ok \(3 agents, 3 phases, socket ao-test-fssh-local-/m);
    expect(result.stdout).toMatch(new RegExp(`^r1: ok \\(3 agents, 3 phases, host h1 \\(ao \\d+\\.\\d+\\.\\d+\\), socket ${h1.socket}, prefix ao-r1-`, 'm'));
    expect(result.stdout).toMatch(new RegExp(`^r2: ok \\(.*host h2 .*socket ${h2.socket},`, 'm'));
    for (const socket of [local, h1.socket, h2.socket]) expect(await serverRunning(socket)).toBe(false);
  });

  it("fleet up runs each remote team on its host's own tmux server, and status --json shows all three healthy with their hosts", async () => {
    const up = await ao('fleet', 'up');
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(up.stdout).toMatch(/^r1 \(host h1\):\n {2}watchdog: started/m);
    expect(await sessions(h1.socket)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^ao-r1-\w+-builder$/), expect.stringMatching(/^ao-r1-\w+-watchdog$/)]),
    );
    expect(await sessions(h2.socket)).toEqual(expect.arrayContaining([expect.stringMatching(/^ao-r2-\w+-builder$/)]));
    // each team on its own host's server: none of a remote team's sessions here, nor the local one's there
    expect((await sessions(local)).every((s) => s.startsWith('ao-l1-'))).toBe(true);
    expect((await sessions(h1.socket)).every((s) => s.startsWith('ao-r1-'))).toBe(true);
    const status = await statusJson();
    expect(status.code, status.stderr).toBe(0);
    expect(Object.values(status.byName).map((p) => [p.fleet.name, p.fleet.host, p.fleet.healthy, p.fleet.reachable])).toEqual([
      ['l1', null, true, true],
      ['r1', 'h1', true, true],
      ['r2', 'h2', true, true],
    ]);
    // each remote status built here from one read of its host's files over ssh (fleet/host-read.ts), no node started there
    expect(Object.values(status.byName).map((p) => p.fleet.read)).toEqual([null, 'files', 'files']);
    expect(status.byName.r1!.project).toBe('r1');
    expect(status.byName.r1!.fleet.dir).toBe(join(h1.home, 'r1'));
    expect(status.byName.r2!.agents.find((a) => a.name === 'builder')?.state).toBe('running');
  });

  it('fleet run r1 -- status --json and -- events -n 5 give the remote project its own answers', async () => {
    const status = await ao('fleet', 'run', 'r1', '--', 'status', '--json');
    expect(status.code, status.stderr).toBe(0);
    const report = JSON.parse(status.stdout) as { project: string; agents: Array<{ name: string; session: string }> };
    expect(report.project).toBe('r1');
    expect(report.agents.map((a) => a.name)).toContain('builder');
    const events = await ao('fleet', 'run', 'r1', '--', 'events', '-n', '5');
    expect(events.code, events.stderr).toBe(0);
    const lines = events.stdout.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(5);
    expect(events.stdout).toMatch(/watchdog-start|agent-start|iteration/);
    // a local project's command runs here, with its own socket
    const here = await ao('fleet', 'run', 'l1', '--', 'status', '--json');
    expect((JSON.parse(here.stdout) as { project: string }).project).toBe('l1');
    // nothing to run is a usage error
    expect((await ao('fleet', 'run', 'r1')).code).toBe(2);
  });

  it("ao dash --fleet lists the remote projects live; enter runs the host's ao dash through ssh -t, q there comes back", async () => {
    // the terminal goes with the test, whatever it comes to (an ssh -t in it would outlive it)
    onTestFinished(() => killServerAndSocket(view));
    await openShell(view, 'fleet', root, { AO_TMUX_SOCKET: local, XDG_RUNTIME_DIR: runtime }, { x: 120, y: 32 });
    await tmux(view, ['send-keys', '-t', '=dash:', '-l', `node ${AO} dash --fleet; echo "dash exited $?"`]);
    await tmux(view, ['send-keys', '-t', '=dash:', 'Enter']);
    let last = '';
    const list = await waitFor(async () => {
      const text = (last = await screen());
      return /^ {2}r1 \(h1:\S+\/r1\)\n {4}phase: scaffold .*\n {4}\d running.* · watchdog running/m.test(text) && /^ {2}r2 \(h2:/m.test(text) ? text : null;
    }, 20_000).catch((error: unknown) => {
      throw new Error(`${String(error)}; the screen:\n${last}`);
    });
    expect(list).toMatch(/^ao fleet · fleet\.toml · 3 projects/m);
    // down to r1 (l1 comes first), then enter: the host's own dashboard on this terminal
    await tmux(view, ['send-keys', '-t', '=dash:', 'Down']);
    await tmux(view, ['send-keys', '-t', '=dash:', 'Enter']);
    const remote = await waitFor(async () => {
      const text = (last = await screen());
      return /^r1 · phase: scaffold/m.test(text) && /watchdog +service .*RUNNING/.test(text) ? text : null;
    }, 20_000).catch((error: unknown) => {
      throw new Error(`${String(error)}; the screen:\n${last}`);
    });
    expect(remote).not.toContain('esc fleet');
    // one q: this node must have stopped reading the terminal before ssh -t had it, or it takes keys
    // meant for the remote dashboard (and quits the list with them once it is back)
    await tmux(view, ['send-keys', '-t', '=dash:', 'q']);
    await seen('back from r1');
    const back = await screen();
    expect(back).toMatch(/^› r1 \(h1:/m);
    expect(back).toMatch(/^ao fleet · fleet\.toml · 3 projects/m);
    await tmux(view, ['send-keys', '-t', '=dash:', 'q']);
    await seen('dash exited 0');
  });

  it('a host whose sshd and sessions are killed is unreachable within the timeout, its team keeps running, and it is healthy again when sshd is back', async () => {
    await killHost(h2);
    const status = await statusJson();
    expect(status.code).toBe(3);
    expect(status.byName.r2!.fleet).toMatchObject({ host: 'h2', reachable: false, healthy: false });
    expect(status.byName.r2!.fleet.error).toMatch(/host "h2" \(127\.0\.0\.52\): .*Connection refused/);
    expect(status.byName.l1!.fleet.healthy, JSON.stringify(status.byName.l1)).toBe(true);
    expect(status.byName.r1!.fleet.healthy, JSON.stringify(status.byName.r1)).toBe(true);
    expect(status.ms).toBeLessThan(TIMEOUT_S * 1000 + 5000);
    const text = await ao('fleet', 'status');
    expect(text.code).toBe(3);
    expect(text.stdout).toMatch(/^r2 \(h2:\S+\/r2\)\n {2}unreachable: host "h2"/m);
    // the team there is the host's: it runs on without the connection
    expect(await sessions(h2.socket)).toEqual(expect.arrayContaining([expect.stringMatching(/^ao-r2-\w+-watchdog$/)]));
    await startHost(h2);
    await healthyAgain('r2');
  });

  it('a frozen host (sshd stopped, connections open) is unreachable within the timeout, costs it once, and leaves no process of ao waiting', async () => {
    // the master connection to h1 is up from the calls before: the freeze catches it mid-life
    frozen = freezeHost(h1);
    // a failure below must not leave h1 frozen for the tests after this one
    onTestFinished(() => {
      thaw(frozen);
      frozen = [];
    });
    const status = await statusJson();
    expect(status.code).toBe(3);
    expect(status.byName.r1!.fleet).toMatchObject({ reachable: false, error: `no answer from host "h1" within ${TIMEOUT_S} s` });
    expect(status.byName.r2!.fleet.healthy, JSON.stringify(status.byName.r2)).toBe(true);
    expect(status.byName.l1!.fleet.healthy, JSON.stringify(status.byName.l1)).toBe(true);
    expect(status.ms).toBeGreaterThanOrEqual(TIMEOUT_S * 1000 - 100);
    expect(status.ms).toBeLessThan(TIMEOUT_S * 1000 + 5000);
    // nothing of ao's left talking to h1: its client was ended at the deadline and its master told to exit
    expect(processesWith(runtime).filter((pid) => isTo(pid, h1))).toEqual([]);
    // fleet up names it and starts the reachable rest (running already: nothing changes there). Its master
    // was told to exit, so this is a new connection to a frozen sshd: ao's deadline and ssh's ConnectTimeout
    // (the same seconds) race, and either one's words say that the host did not answer in time
    const noAnswer = `(no answer from host "h1" within ${TIMEOUT_S} s|host "h1" \\(${h1.address.replace(/\./g, '\\.')}\\): Connection timed out)`;
    const up = await ao('fleet', 'up');
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(new RegExp(`^r1: not started, its host did not answer: ${noAnswer}`, 'm'));
    // fleet down waits no longer on it than the deadline either, and names it
    const started = Date.now();
    const down = await ao('fleet', 'down', 'r1');
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(/^r1 \(host h1\):$/m);
    expect(down.stderr).toMatch(new RegExp(`^ {2}unreachable: ${noAnswer}`, 'm'));
    expect(Date.now() - started).toBeLessThan(TIMEOUT_S * 1000 + 5000);
    thaw(frozen);
    frozen = [];
    await healthyAgain('r1');
  });

  it('a wrong host key: refused in ssh words, and nothing starts anywhere', async () => {
    await ao('fleet', 'down');
    for (const socket of [local, h1.socket, h2.socket]) expect(await sessions(socket)).toEqual([]);
    // a known_hosts that has h1 with another key
    const other = makeClient(mkdtempSync(join(root, 'other-')));
    const otherKey = `${other.key}.pub`;
    const wrong = join(root, 'known_hosts_wrong');
    const [type, body] = readFileSync(otherKey, 'utf8').split(' ');
    writeFileSync(wrong, `[${h1.address}]:${h1.port} ${type} ${body}\n`);
    writeFileSync(join(root, 'badkey.toml'), fleetToml({ h1: { ssh: sshOf(h1, client, wrong) } }));
    // a master connection made with the right key would carry the calls past the check: end the test's masters first
    endProcessesWith(runtime);
    const up = await ao('fleet', 'up', '-f', 'badkey.toml');
    expect(up.code).toBe(2);
    expect(up.stderr).toMatch(/host "h1" \(127\.0\.0\.51\): .*Host key verification failed\./);
    expect(up.stderr).toMatch(/nothing was started/);
    for (const socket of [local, h1.socket, h2.socket]) expect(await sessions(socket)).toEqual([]);
  });

  it('a missing remote ao: a clear error saying where to set it, and nothing starts anywhere', async () => {
    writeFileSync(join(root, 'noao.toml'), fleetToml({ h2: { ao: '/nowhere/bin/ao' } }));
    const up = await ao('fleet', 'up', '-f', 'noao.toml');
    expect(up.code).toBe(2);
    expect(up.stderr).toMatch(/no ao at "\/nowhere\/bin\/ao" on host "h2" \(set ao = "\/path\/to\/ao" in \[hosts\.h2\]\)/);
    for (const socket of [local, h1.socket, h2.socket]) expect(await sessions(socket)).toEqual([]);
    const validate = await ao('fleet', 'validate', '-f', 'noao.toml');
    expect(validate.code).toBe(2);
    expect(validate.stdout).toMatch(/^r1: ok/m);
  });

  it('a remote agents.toml that does not validate, and a host whose ao is of another major version: each named, with its host, and nothing starts', async () => {
    const broken = join(h2.home, 'broken');
    demoAt(broken);
    writeFileSync(join(broken, 'agents.toml'), `${readFileSync(join(broken, 'agents.toml'), 'utf8')}\n[agents.extra]\nkind = "sometimes"\n`);
    // an "ao" on h1 that says it is another major version
    const other = join(h1.dir, 'ao-9');
    writeFileSync(other, `#!/bin/sh\n[ "$1" = --version ] && { echo "ao 9.0.0"; exit 0; }\nexec ${AO} "$@"\n`, { mode: 0o755 });
    writeFileSync(join(root, 'mixed.toml'), `${fleetToml({ h1: { ao: other } })}\n[[projects]]\npath = "${broken}"\nhost = "h2"\n`);
    const validate = await ao('fleet', 'validate', '-f', 'mixed.toml');
    expect(validate.code).toBe(2);
    expect(validate.stderr).toMatch(/^host "h1" runs ao 9\.0\.0, this is ao \d+\.\d+\.\d+: a different major version is refused/m);
    // the file named as on its host: HOST:/absolute/path, with its line and column
    expect(validate.stderr).toMatch(
      new RegExp(
        `^project "broken" \\(host h2\\): h2:${broken}/agents\\.toml:\\d+:\\d+: agents\\.extra\\.kind: expected one of .*, got "sometimes"\\n\\s*\\d+ \\| kind = "sometimes"\\n`,
        'm',
      ),
    );
    expect(validate.stderr).toMatch(/^mixed\.toml: 2 problems; nothing was started$/m);
    expect(validate.stdout).toMatch(/^r2: ok/m);
    const up = await ao('fleet', 'up', '-f', 'mixed.toml');
    expect(up.code).toBe(2);
    for (const socket of [local, h1.socket, h2.socket]) expect(await sessions(socket)).toEqual([]);
  });

  it("a remote folder that is not there: that project's own error, its host's other project answered", async () => {
    writeFileSync(join(root, 'gone.toml'), `${fleetToml()}\n[[projects]]\npath = "/nowhere/gone"\nhost = "h1"\n`);
    const status = await statusJson('gone.toml');
    expect(status.code).toBe(3);
    expect(status.byName.gone!.fleet).toMatchObject({ host: 'h1', reachable: true, healthy: false });
    expect(status.byName.gone!.fleet.error).toMatch(/^on host "h1": .*\/nowhere\/gone/);
    // stopped, and so healthy (none of its agents was brought up), and read through the same host
    expect(status.byName.r1!.fleet).toMatchObject({ reachable: true, healthy: true, error: null });
  });

  it('two projects on one host are read by one call, each with its own overrides', async () => {
    demoAt(join(h1.home, 'r1b'));
    const own = uniqueSocket('fssh-r1b');
    extraSockets.push(own);
    writeFileSync(join(root, 'two.toml'), `${fleetToml()}\n[[projects]]\npath = "${join(h1.home, 'r1b')}"\nhost = "h1"\ntmux_socket = "${own}"\n`);
    const up = await ao('fleet', 'up', '-f', 'two.toml', 'r1b');
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(await sessions(own)).toEqual(expect.arrayContaining([expect.stringMatching(/^ao-r1b-\w+-watchdog$/)]));
    const status = await statusJson('two.toml');
    // its own socket, given by the fleet, is the one the read of its host's files listed
    expect(status.byName.r1b!.fleet).toMatchObject({ host: 'h1', reachable: true, healthy: true, error: null, read: 'files' });
    expect(status.byName.r1b!.agents.find((a) => a.name === 'watchdog')?.state).toBe('running');
    expect(status.byName.r1!.agents.find((a) => a.name === 'watchdog')?.state).toBe('stopped');
    expect((await ao('fleet', 'down', '-f', 'two.toml', 'r1b')).code).toBe(0);
    expect(await sessions(own)).toEqual([]);
    await killServerAndSocket(own);
  });

  it("fleet add --host registers a remote project once its host's ao has checked it; a host not in the file, a relative path or a folder that is no project there adds nothing", async () => {
    demoAt(join(h2.home, 'r3'));
    writeFileSync(join(root, 'add.toml'), fleetToml());
    const before = readFileSync(join(root, 'add.toml'), 'utf8');
    const add = await ao('fleet', 'add', '-f', 'add.toml', '--host', 'h2', join(h2.home, 'r3'));
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(
      new RegExp(
        `^added r3 \\(h2:${join(h2.home, 'r3')}\\) to add\\.toml: 3 agents, 3 phases, host h2 \\(ao \\d+\\.\\d+\\.\\d+\\), socket ${h2.socket}, prefix ao-r3-`,
        'm',
      ),
    );
    expect(readFileSync(join(root, 'add.toml'), 'utf8')).toBe(`${before}\n[[projects]]\npath = "${join(h2.home, 'r3')}"\nhost = "h2"\n`);
    // what was added is a project of the fleet, read through its host
    const status = await statusJson('add.toml');
    expect(status.byName.r3!.fleet).toMatchObject({ host: 'h2', reachable: true, error: null });
    const added = readFileSync(join(root, 'add.toml'), 'utf8');
    const refused = async (args: string[], code: number, message: RegExp): Promise<void> => {
      const result = await ao('fleet', 'add', '-f', 'add.toml', ...args);
      expect(result.code, result.stdout + result.stderr).toBe(code);
      expect(result.stderr).toMatch(message);
      expect(readFileSync(join(root, 'add.toml'), 'utf8')).toBe(added);
    };
    await refused(['--host', 'h9', join(h2.home, 'r3')], 2, /cannot add a project on host "h9": add\.toml has no \[hosts\.h9\] \(it has: h1, h2\)/);
    await refused(['--host', 'h2', 'r3'], 2, /a project on host "h2" needs an absolute path/);
    await refused(['--host', 'h2', join(h2.home, 'r3')], 2, /h2:\S+\/r3 is in add\.toml already \(as "r3"\)/);
    // a folder there without an agents.toml: the host's ao says so, and the problem names the host
    await refused(['--host', 'h1', '/nowhere/r4'], 2, /^project "r4" \(host h1\): .*\/nowhere\/r4/m);
    // a host that does not answer: not added, exit 1
    await killHost(h2);
    try {
      demoAt(join(h2.home, 'r5'));
      await refused(['--host', 'h2', join(h2.home, 'r5')], 1, /^r5: not added, its host did not answer: host "h2" \(127\.0\.0\.52\): .*Connection refused/m);
    } finally {
      await startHost(h2);
    }
  });
});

/** Whether a process's command line names the host (its address after `--`). */
function isTo(pid: number, host: TestHost): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(host.address);
  } catch {
    return false;
  }
}
