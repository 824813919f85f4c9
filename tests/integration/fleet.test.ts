/**
 * `ao fleet` on real tmux: three demo projects from one fleet.toml, one of
 * them disabled, each on a private socket named in fleet.toml (and
 * AO_TMUX_SOCKET set to another private one, so nothing reaches the default
 * socket); then two projects that would share sessions, and a project whose
 * agents.toml is broken.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoProject, REPO, runAo, serverRunning, tmux } from '../helpers/ao.js';
import { fleet } from '../helpers/fleet.js';

/** A fleet.toml of `toml` in the fleet folder `root`, and demo projects beside it. */
function writeFleet(root: string, names: readonly string[], toml: string): void {
  for (const name of names) demoProject(join(root, name));
  writeFileSync(join(root, 'fleet.toml'), toml);
}

interface FleetJson {
  project: string;
  fleet: { name: string; enabled: boolean; healthy: boolean };
  agents: Array<{ name: string; session: string; state: string; pid: number | null }>;
}

async function sessions(socket: string): Promise<string[]> {
  const result = await tmux(socket, ['list-sessions', '-F', '#{session_name}']);
  return result.code === 0 ? result.stdout.split('\n').filter(Boolean).sort() : [];
}

describe('a fleet of three demo projects, one disabled', () => {
  // AO_TMUX_SOCKET of every run is the fleet's fallback: a project without its own socket in fleet.toml would land there
  const { root, fallback, sockets, ao } = fleet('fleet', ['alpha', 'beta', 'gamma'], { env: { AO_DEMO_PACE_S: '5' }, teardown: 'afterAll' });

  beforeAll(() => {
    writeFleet(
      root,
      ['alpha', 'beta', 'gamma'],
      [
        '# three demo teams',
        '[[projects]]',
        'path = "alpha"',
        `tmux_socket = "${sockets.alpha}"`,
        '',
        '[[projects]]',
        'path = "beta"',
        `tmux_socket = "${sockets.beta}"`,
        'session_prefix = "beta-"',
        '',
        '[[projects]]',
        `path = "${join(root, 'gamma')}"`,
        'name = "staged"',
        'enabled = false',
        `tmux_socket = "${sockets.gamma}"`,
        '',
      ].join('\n'),
    );
  });

  it('fleet validate checks all three and starts nothing', async () => {
    const result = await ao('fleet', 'validate');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^alpha: ok \(3 agents, 3 phases, socket ao-test-fleet-alpha-\S+, prefix ao-alpha-[0-9a-f]{6}-\)$/m);
    expect(result.stdout).toMatch(/^beta: ok \(.*prefix beta-\)$/m);
    expect(result.stdout).toMatch(/^staged: ok \(.*\) \(disabled\)$/m);
    for (const socket of [fallback, ...Object.values(sockets)]) expect(await serverRunning(socket)).toBe(false);
  });

  it('fleet up starts the two enabled teams, each on its own socket and prefix', async () => {
    const result = await ao('fleet', 'up');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^alpha:\n {2}watchdog: started$/m);
    expect(result.stdout).toMatch(/^beta:\n {2}watchdog: started$/m);
    expect(result.stdout).not.toContain('staged');
    expect((await sessions(sockets.alpha)).filter((s) => s.startsWith('ao-alpha-'))).toHaveLength(4);
    expect(await sessions(sockets.beta)).toEqual(['beta-adversary', 'beta-builder', 'beta-orchestrator', 'beta-watchdog']);
    expect(await serverRunning(sockets.gamma)).toBe(false);
    expect(await serverRunning(fallback)).toBe(false);
  });

  it('fleet status --json lists all three, the disabled one stopped; the text has a header and a summary each', async () => {
    const result = await ao('fleet', 'status', '--json');
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as FleetJson[];
    expect(json.map((p) => [p.fleet.name, p.fleet.enabled])).toEqual([
      ['alpha', true],
      ['beta', true],
      ['staged', false],
    ]);
    const states = (p: FleetJson) => Object.fromEntries(p.agents.map((a) => [a.name, a.state]));
    expect(states(json[0]!).watchdog).toBe('running');
    expect(states(json[1]!)).toMatchObject({ orchestrator: 'running', watchdog: 'running' });
    expect(json[1]!.agents.find((a) => a.name === 'builder')!.session).toBe('beta-builder');
    expect(Object.values(states(json[2]!))).toEqual(['stopped', 'stopped', 'stopped', 'stopped']);
    // beta's watchdog runs with its prefix too: its sweeps started no session under another name
    expect(await sessions(sockets.beta)).toEqual(['beta-adversary', 'beta-builder', 'beta-orchestrator', 'beta-watchdog']);

    const text = await ao('fleet', 'status');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^alpha \(alpha\)\n {2}phase: scaffold \[1\/3\] plan=01-scaffold\.md \(.+\)\n {2}\d running, \d waiting, 0 paused, 0 failed.* · watchdog running/m,
    );
    expect(text.stdout).toMatch(/^staged \(gamma\) disabled\n {2}phase: .+\n {2}0 running, 0 waiting, 0 paused, 0 failed · 3 stopped · watchdog stopped$/m);
  });

  it('fleet status runs from dist/fleet.cjs, without the argument parser, and answers as the full CLI does', async () => {
    // NODE_DEBUG=esm names every ES module node loads: dist/ao.js is the argument parser's side
    const traced = (...args: string[]) => runAo(args, { cwd: root, socket: fallback, env: { AO_DEMO_PACE_S: '5', NODE_DEBUG: 'esm' } });
    const fast = await traced('fleet', 'status', '--json');
    expect(fast.code, fast.stderr).toBe(0);
    expect(fast.stderr).not.toContain('dist/ao.js');
    // the same trace does see dist/ao.js for a command that is not a plain fleet status
    expect((await traced('fleet', 'status', '--help')).stderr).toContain('dist/ao.js');
    // dist/ao.js run itself: the argument parser's way to the same command
    const full = await execa(process.execPath, [join(REPO, 'dist', 'ao.js'), 'fleet', 'status', '--json'], {
      cwd: root,
      reject: false,
      env: { AO_TMUX_SOCKET: fallback, AO_CONFIG: '', TMUX: '', AO_DEMO_PACE_S: '5' },
    });
    expect(full.exitCode, String(full.stderr)).toBe(0);
    const shape = (text: string) =>
      (JSON.parse(text) as FleetJson[]).map((p) => ({ ...p.fleet, project: p.project, sessions: p.agents.map((a) => a.session) }));
    expect(shape(fast.stdout)).toEqual(shape(String(full.stdout)));
  });

  it('a disabled project named to fleet up needs --force; nothing of it starts without', async () => {
    const result = await ao('fleet', 'up', 'staged');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"staged" is disabled in fleet.toml (enabled = false); add --force');
    expect(await serverRunning(sockets.gamma)).toBe(false);
    const unknown = await ao('fleet', 'up', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown project "nope"; fleet.toml has: alpha, beta, staged');
    for (const words of [['fleet'], ['fleet', 'start']]) expect((await ao(...words)).code, words.join(' ')).toBe(2);
  });

  it('a dead agent in an enabled project makes fleet status exit 3', async () => {
    const victim = JSON.parse((await ao('fleet', 'status', '--json', 'beta')).stdout) as FleetJson[];
    const watchdog = victim[0]!.agents.find((a) => a.name === 'watchdog')!;
    // the watchdog would heal an agent at once; its own death is what status sees until its parent restarts it
    await tmux(sockets.beta, ['kill-session', '-t', '=beta-watchdog']);
    const result = await ao('fleet', 'status');
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/^beta \(beta\)\n.*\n.*watchdog dead/m);
    expect(watchdog.pid).not.toBeNull();
  });

  it('fleet down stops both teams, and the disabled project folder got no state at all', async () => {
    const result = await ao('fleet', 'down');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^alpha:\n( {2}\w+: stopped\n){4}/m);
    expect(result.stdout).toMatch(/^staged:\n {2}nothing to stop/m);
    expect(await sessions(sockets.alpha)).toEqual([]);
    expect(await sessions(sockets.beta)).toEqual([]);
    expect(existsSync(join(root, 'alpha', 'state'))).toBe(true);
    expect(readdirSync(join(root, 'gamma')).sort()).toEqual(['agents.toml', 'phases', 'prompts']);
  });
});

describe('a fleet that cannot start', () => {
  const { root, fallback, sockets, ao } = fleet('fleet', ['alpha', 'beta'], { env: { AO_DEMO_PACE_S: '5' }, teardown: 'afterAll' });

  it('two projects with the same socket and prefix by override: validate and up exit 2 naming both, nothing starts', async () => {
    writeFleet(
      root,
      ['one', 'two'],
      [
        '[[projects]]',
        'path = "one"',
        `tmux_socket = "${sockets.alpha}"`,
        'session_prefix = "team-"',
        '',
        '[[projects]]',
        'path = "two"',
        `tmux_socket = "${sockets.alpha}"`,
        'session_prefix = "team-"',
        '',
      ].join('\n'),
    );
    for (const command of ['validate', 'up']) {
      const result = await ao('fleet', command);
      expect(result.code, command).toBe(2);
      expect(result.stderr).toMatch(
        /^fleet\.toml:6:3: projects\.1: projects "one" and "two" would share tmux socket "ao-test-fleet-alpha-\S+" and session prefix "team-"/m,
      );
      expect(result.stderr).toContain('nothing was started');
    }
    expect(await serverRunning(sockets.alpha)).toBe(false);
    expect(existsSync(join(root, 'one', 'state'))).toBe(false);
  });

  it("a broken agents.toml: validate exits 2 naming the project, file, line and key; up starts nothing, the good project's team neither", async () => {
    const file = join(root, 'two', 'agents.toml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('[agents.builder]\nkind = "loop"', '[agents.builder]\nkind = "loop"\nheal = "sometimes"'));
    const line = readFileSync(file, 'utf8').split('\n').indexOf('heal = "sometimes"') + 1;
    writeFileSync(
      join(root, 'fleet.toml'),
      `[[projects]]\npath = "one"\ntmux_socket = "${sockets.alpha}"\n\n[[projects]]\npath = "two"\ntmux_socket = "${sockets.beta}"\n`,
    );
    const validate = await ao('fleet', 'validate');
    expect(validate.code).toBe(2);
    expect(validate.stdout).toMatch(/^one: ok/m);
    expect(validate.stderr).toContain(`project "two": two/agents.toml:${line}:1: agents.builder.heal: expected one of none, heal, heal+stall, got "sometimes"`);
    const up = await ao('fleet', 'up');
    expect(up.code).toBe(2);
    expect(up.stderr).toContain(`project "two": two/agents.toml:${line}:1: agents.builder.heal`);
    for (const socket of [sockets.alpha, sockets.beta, fallback]) expect(await serverRunning(socket)).toBe(false);
    expect(existsSync(join(root, 'one', 'state'))).toBe(false);
  });

  it('a fleet.toml with an unknown key or a wrong type: every command exits 2 at its line and key', async () => {
    writeFileSync(join(root, 'fleet.toml'), `[[projects]]\npath = "one"\nenable = false\n\n[[projects]]\npath = "two"\nenabled = "no"\n`);
    for (const command of ['validate', 'up', 'down', 'status']) {
      const result = await ao('fleet', command);
      expect(result.code, command).toBe(2);
      expect(result.stderr).toContain('fleet.toml:3:1: projects.0: unknown key "enable" (known keys: path, name, enabled, tmux_socket, session_prefix, host)');
      expect(result.stderr).toContain('fleet.toml:7:1: projects.1.enabled: expected true or false, got "no"');
    }
    expect(existsSync(join(root, 'one', 'state'))).toBe(false);
  });

  it('fleet add registers a project and refuses a duplicate or a folder that is no project; init --fleet scaffolds and registers', async () => {
    writeFileSync(join(root, 'fleet.toml'), `[[projects]]\npath = "one"\ntmux_socket = "${sockets.alpha}"\n`);
    const add = await ao('fleet', 'add', 'two');
    expect(add.code, add.stderr).toBe(0);
    expect(readFileSync(join(root, 'fleet.toml'), 'utf8')).toMatch(/\n\[\[projects\]\]\npath = "two"\n$/);
    const again = await ao('fleet', 'add', './two');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('is in fleet.toml already (as "two")');
    const none = await ao('fleet', 'add', 'prompts-only');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/cannot add .*prompts-only: folder not found/);
    const init = await ao('init', 'three', '--fleet', 'fleet.toml');
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('registered it in fleet.toml');
    expect(existsSync(join(root, 'three', 'agents.toml'))).toBe(true);
    const names = JSON.parse((await ao('fleet', 'status', '--json')).stdout) as FleetJson[];
    expect(names.map((p) => p.fleet.name)).toEqual(['one', 'two', 'three']);
    // -f names a file that is not there yet: it is made, with the one project
    const nowhere = await ao('fleet', 'add', 'one', '-f', 'new/fleet.toml');
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toMatch(/cannot make .*new\/fleet\.toml: its folder .*new does not exist/);
    mkdirSync(join(root, 'new'));
    const fresh = await ao('fleet', 'add', 'one', '-f', 'new/fleet.toml');
    expect(fresh.code, fresh.stderr).toBe(0);
    // a folder outside the fleet file's is written as an absolute path
    expect(readFileSync(join(root, 'new', 'fleet.toml'), 'utf8')).toMatch(
      new RegExp(`^# ao fleet: .*\\n\\n\\[\\[projects\\]\\]\\npath = "${join(root, 'one')}"\\n$`),
    );
    expect((await ao('fleet', 'validate', '-f', 'new/fleet.toml')).code).toBe(0);
    const twice = await ao('init', 'four', '--fleet', 'fleet.toml', '--name', 'three');
    expect(twice.code).toBe(2);
    expect(existsSync(join(root, 'four'))).toBe(false);
  });
});
