/**
 * Boot survival. `ao service install --print` gives a unit whose ExecStart
 * (`ao up --wait`), run here in the foreground with the unit's own
 * environment, brings the team up; after a reboot (it, the tmux server and
 * every agent process killed) running it again brings the same team back in the same phase with the
 * same iteration count, its paused loop still paused and its persistent agent
 * started afresh with an event; `ao down` ends it with 0. `install` and
 * `uninstall` write and remove exactly one file under a test HOME.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { endLeftovers, eventsOf, killServer, runAo, serverRunning, team, waitFor } from '../helpers/ao.js';
import { scratchDir } from '../helpers/scratch.js';
import { boot, parseUnit } from '../helpers/unit.js';

/** Every file under a folder, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((p) => statSync(join(dir, p)).isFile())
    .sort();
}

const TEAM = [
  '[defaults]',
  'session_prefix = "svc-"',
  '[agents.worker]',
  'kind = "loop"',
  'backend = "shell"',
  'command = "sh"',
  'args = ["-c", "sleep 1"]',
  'min_iteration_s = 1',
  '[agents.keeper]',
  'kind = "persistent"',
  'backend = "shell"',
  'command = "sleep"',
  'args = ["1000"]',
  '[[phases]]',
  'id = "one"',
  'plan = "one.md"',
  '[[phases]]',
  'id = "two"',
  'plan = "two.md"',
  'max_iterations = 2',
  '[watchdog]',
  'stall_check_s = 1',
  '',
].join('\n');

/** The team with a HOME of its own, torn down when the test ends with what a killed server left running (a unit's command booted by the test). */
function project(tag: string) {
  const home = scratchDir('ao-test-home-');
  const files = { 'agents.toml': TEAM, 'prompts/kickoff.md': 'go\n', 'phases/one.md': '# one\n', 'phases/two.md': '# two\n' };
  const { socket, dir, ao } = team(tag, files, { env: { HOME: home }, teardown: 'afterTest', leftovers: true });
  return { socket, dir, home, ao };
}

interface Status {
  phase: { id: string; index: number };
  agents: Array<{ name: string; state: string; iteration: number; detail: string | null }>;
}

const statusOf = async (ao: (...a: string[]) => Promise<{ stdout: string }>): Promise<Status> => JSON.parse((await ao('status', '--json')).stdout) as Status;
const agentOf = (s: Status, name: string) => s.agents.find((a) => a.name === name)!;
/** The first status within 30 s that satisfies `ready`. */
const statusWhen = (ao: (...a: string[]) => Promise<{ stdout: string }>, ready: (s: Status) => boolean): Promise<Status> =>
  waitFor(
    async () => {
      const s = await statusOf(ao);
      return ready(s) ? s : undefined;
    },
    30_000,
    250,
  );

describe('ao service', { timeout: 120_000 }, () => {
  it('install and uninstall write and remove exactly one file under HOME; --print writes nothing', async () => {
    const { ao, home, dir, socket } = project('svcfiles');
    const printed = await ao('service', 'install', '--print');
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toMatch(/^ExecStart=.* up --wait$/m);
    // the keys of the environment it was installed from stay out of it: they go in the EnvironmentFile it names
    const secret = 'sk-service-test-secret-0123456789';
    const withKey = await runAo(['service', 'install', '--print'], { cwd: dir, socket, env: { HOME: home, ANTHROPIC_API_KEY: secret } });
    expect(withKey.stdout).toBe(printed.stdout);
    expect(withKey.stdout).not.toContain(secret);
    expect(printed.stdout).toMatch(/^EnvironmentFile=-.*\/\.config\/ao\/ao-ao-test-\w+-[0-9a-f]{6}\.env$/m);
    expect(filesUnder(home)).toEqual([]);

    const install = await ao('service', 'install');
    expect(install.code, install.stderr).toBe(0);
    const files = filesUnder(home);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^\.config\/systemd\/user\/ao-ao-test-\w+-[0-9a-f]{6}\.service$/);
    expect(readFileSync(join(home, files[0]!), 'utf8')).toBe(`${printed.stdout}\n`); // execa drops the last newline
    expect(install.stdout).toContain(`wrote ${join(home, files[0]!)}`);
    // here systemd may be absent (a container): then it says so and gives the cron line
    expect(install.stdout).toMatch(/systemctl --user enable --now ao-ao-test-|systemd is not running here .*\n.*\n {2}@reboot cd /);
    expect((await ao('service', 'install')).stdout).toContain('unchanged');
    const status = JSON.parse((await ao('service', 'status', '--json')).stdout) as { installed: boolean; path: string };
    expect(status).toMatchObject({ installed: true, path: join(home, files[0]!) });

    const uninstall = await ao('service', 'uninstall');
    expect(uninstall.code).toBe(0);
    expect(uninstall.stdout).toContain(`removed ${join(home, files[0]!)}`);
    expect(filesUnder(home)).toEqual([]);
    expect((JSON.parse((await ao('service', 'status', '--json')).stdout) as { installed: boolean }).installed).toBe(false);
    const alone = await ao('up', '--wait', '--no-watchdog');
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/--wait watches the watchdog/);
    const bad = await ao('service', 'start');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown action "start" \(one of: install, uninstall, status\)/);
  });

  it("a reboot: the unit's command brings the team back in the same phase and iteration count, the paused loop still paused", async () => {
    const { ao, socket, home } = project('svcboot');
    const unit = parseUnit((await ao('service', 'install', '--print')).stdout);
    expect(unit.env.AO_TMUX_SOCKET).toBe(socket);
    expect(unit.argv.slice(-2)).toEqual(['up', '--wait']);
    expect((await ao('phase', 'set', 'two')).code).toBe(0);

    // first boot: the team runs; the loop is paused after phase two's 2 iterations
    const first = boot(unit, home);
    const before = await statusWhen(ao, (s) => agentOf(s, 'worker').state === 'paused' && agentOf(s, 'keeper').state === 'running');
    expect(before.phase).toMatchObject({ id: 'two', index: 1 });
    expect(agentOf(before, 'worker')).toMatchObject({ iteration: 2, detail: 'iterations: phase two has run 2 of its max_iterations = 2' });

    // the reboot: the unit's command goes with everything else (a server killed under it alone is brought back by it:
    // supervised.test.ts), then the tmux server and every agent process
    first.kill('SIGKILL');
    const ended = await first;
    expect(ended.signal).toBe('SIGKILL');
    await killServer(socket);
    endLeftovers(socket);
    expect(await serverRunning(socket)).toBe(false);
    const eventsBefore = (await eventsOf(ao)).length;

    const second = boot(unit, home);
    const after = await statusWhen(ao, (s) => agentOf(s, 'keeper').state === 'running' && agentOf(s, 'watchdog').state === 'running');
    expect(after.phase).toMatchObject({ id: 'two', index: 1 });
    expect(agentOf(after, 'worker')).toMatchObject({ state: 'paused', iteration: 2, detail: 'iterations: phase two has run 2 of its max_iterations = 2' });
    // a few sweeps later it is still held: no run of the loop after the reboot
    await new Promise((r) => setTimeout(r, 3000));
    expect(agentOf(await statusOf(ao), 'worker')).toMatchObject({ state: 'paused', iteration: 2 });
    const since = (await eventsOf(ao)).slice(eventsBefore);
    expect(since.filter((e) => e.agent === 'worker' && ['started', 'start', 'next-iteration', 'resume'].includes(e.event))).toEqual([]);
    // the shell backend keeps no conversation: its persistent agent starts afresh, and says so once
    expect(since.filter((e) => e.event === 'fresh-start').map((e) => [e.agent, e.reason])).toEqual([
      ['keeper', 'the shell backend cannot continue a conversation: a new conversation begins'],
    ]);

    // systemctl --user stop runs the unit's ExecStop, ao down: it ends the unit's command with 0, a stop on purpose, not restarted
    expect(unit.stop.slice(-1)).toEqual(['down']);
    const stop = await execa(unit.stop[0]!, unit.stop.slice(1), {
      cwd: unit.cwd,
      env: { ...unit.env, HOME: home },
      extendEnv: false,
      reject: false,
      timeout: 30_000,
    });
    expect(stop.exitCode, stop.stderr).toBe(0);
    const done = await second;
    expect(done.exitCode, done.stdout).toBe(0);
    expect(done.stdout).toMatch(/^worker: paused \(iterations: phase two has run 2 of its max_iterations = 2\); the watchdog resumes it/m);
    expect(done.stdout).toMatch(/the team was brought down/);
    expect(relative(unit.cwd, unit.argv[3]!)).toBe('agents.toml');
  });
});
