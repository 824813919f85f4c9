/**
 * `workspace = "worktree"` on real git and real tmux (a private socket per
 * team, killed after): an agent works in its own worktree on its own branch,
 * the maintainer's checkout is never written, work in the worktree outlives
 * kill -9 and heal, restart, down and up; `ao workspaces` reports it and
 * `ao workspaces remove` refuses while it is there; isolation fails closed.
 */
import { existsSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WorkspaceReport as Report } from '../../src/workspace/report.js';
import { endLeftovers, eventsOf, killServer, makeProject, serverRunning, statusOf, team, teamIn, waitFor, writeProject } from '../helpers/ao.js';
import { scratchDir } from '../helpers/scratch.js';
import { boot, parseUnit } from '../helpers/unit.js';
import { checkout, git, initRepo } from '../helpers/git.js';

/** A shell agent that writes its working folder where the test can read it, then sleeps. */
const agent = (name: string, extra = ''): string =>
  `[agents.${name}]\nkind = "persistent"\nkickoff = "none"\ncommand = "sh"\nargs = ["-c", "pwd > \\"$AO_STATE_DIR/pwd-$AO_AGENT\\"; exec sleep 100000"]\n${extra}`;

const files = (agents: string): Record<string, string> => ({
  'agents.toml': [
    '[defaults]\nbackend = "shell"\n',
    agents,
    '[[phases]]\nid = "one"\nplan = "one.md"\n',
    '[watchdog]\nhealthy_after_s = 0.3\nstall_check_s = 1\nbackoff_initial_s = 0.2\n',
  ].join('\n'),
  'prompts/kickoff.md': 'go\n',
  'phases/one.md': '# one\n',
  // as `ao init` writes it: the state folder, the worktrees in it, is no part of the maintainer's tree
  '.gitignore': 'state/\n',
  'README.md': 'hello\n',
});

describe('an agent in its own worktree', () => {
  const t = team('wt', files(`${agent('builder', 'workspace = "worktree"\n')}\n${agent('helper')}`), { teardown: 'afterAll' });
  const wt = join(t.dir, 'state', 'worktrees', 'builder');
  let before: string[] = [];
  let main = '';

  const pwdOf = (name: string): string => readFileSync(join(t.dir, 'state', `pwd-${name}`), 'utf8').trim();
  const reports = async (): Promise<Report[]> => {
    const r = await t.ao('workspaces', '--json');
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { workspaces: Report[] }).workspaces;
  };
  /** the builder's work survives: the untracked file and the change to a tracked one */
  const workThere = (): void => {
    expect(readFileSync(join(wt, 'notes.txt'), 'utf8')).toBe('work in progress\n');
    expect(readFileSync(join(wt, 'README.md'), 'utf8')).toBe('hello\nchanged by the builder\n');
  };
  const running = async (name: string, not?: number | null): Promise<number> =>
    waitFor(async () => {
      const a = (await statusOf(t.ao)).agents[name];
      return a?.state === 'running' && a.pid !== null && a.pid !== not ? a.pid : null;
    }, 20_000);

  beforeAll(async () => {
    main = await initRepo(t.dir);
    before = await checkout(t.dir);
  });

  it("ao up makes state/worktrees/builder on ao/builder from the checkout's branch, and the builder works there; the checkout is untouched", async () => {
    const up = await t.ao('up');
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect((await git(wt, 'symbolic-ref', '--short', 'HEAD')).trim()).toBe('ao/builder');
    expect((await git(wt, 'rev-parse', 'HEAD')).trim()).toBe(main);
    await waitFor(async () => existsSync(join(t.dir, 'state', 'pwd-builder')) && existsSync(join(t.dir, 'state', 'pwd-helper')));
    expect(pwdOf('builder')).toBe(realpathSync(wt));
    expect(pwdOf('helper')).toBe(realpathSync(t.dir));
    expect(statSync(join(t.dir, 'state', 'worktrees')).mode & 0o777).toBe(0o700);
    expect(await checkout(t.dir)).toEqual(before);
    const status = JSON.parse((await t.ao('status', '--json')).stdout) as { agents: Array<{ name: string; workspace?: unknown }> };
    // the head and whether it held work are what its start saw (ao status runs no git)
    expect(status.agents.find((a) => a.name === 'builder')?.workspace).toEqual({
      path: 'state/worktrees/builder',
      branch: 'ao/builder',
      head: main,
      dirty: false,
      seen_at: expect.any(String),
    });
    expect(status.agents.find((a) => a.name === 'helper')).not.toHaveProperty('workspace');
    // ao doctor checks the worktree, and does not count the checkout's files as the state folder's
    const doctor = await t.ao('doctor');
    expect(doctor.stdout).toMatch(/builder: worktree.*state\/worktrees\/builder on ao\/builder/);
    expect(doctor.stdout).not.toContain('worktrees/builder/');
  });

  it('its uncommitted and untracked work survives kill -9 and the heal, and ao workspaces reports it', async () => {
    writeFileSync(join(wt, 'notes.txt'), 'work in progress\n');
    writeFileSync(join(wt, 'README.md'), 'hello\nchanged by the builder\n');
    const pid = await running('builder');
    process.kill(pid, 'SIGKILL');
    await running('builder', pid);
    workThere();
    const [report] = await reports();
    expect(report).toMatchObject({
      agent: 'builder',
      path: 'state/worktrees/builder',
      branch: 'ao/builder',
      state: 'created',
      head: main,
      base: 'trunk',
      ahead: 0,
      behind: 0,
      uncommitted: ['README.md'],
      untracked: ['notes.txt'],
    });
    // the heal's start found the work there, and ao status says so
    const status = JSON.parse((await t.ao('status', '--json')).stdout) as { agents: Array<{ name: string; workspace?: { dirty: boolean } }> };
    expect(status.agents.find((a) => a.name === 'builder')?.workspace?.dirty).toBe(true);
    expect(await checkout(t.dir)).toEqual(before);
  });

  it('ao workspaces remove refuses while the agent runs, and removes nothing', async () => {
    const r = await t.ao('workspaces', 'remove', 'builder');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/builder runs .*ao down builder/);
    workThere();
  });

  it('the work survives ao restart, and ao down and ao up (the worktree is kept, never made again)', async () => {
    const pid = await running('builder');
    const restart = await t.ao('restart', 'builder');
    expect(restart.code, restart.stdout + restart.stderr).toBe(0);
    await running('builder', pid);
    workThere();
    const inode = statSync(wt).ino;
    expect((await t.ao('down')).code).toBe(0);
    workThere();
    const up = await t.ao('up');
    expect(up.code, up.stdout + up.stderr).toBe(0);
    await running('builder');
    workThere();
    expect(statSync(wt).ino).toBe(inode);
    expect(await checkout(t.dir)).toEqual(before);
    // made once, at the first start, whatever came after
    expect((await eventsOf(t.ao)).filter((e) => e.event === 'worktree-created').map((e) => e.reason)).toEqual([
      'worktree state/worktrees/builder made on a new branch ao/builder from trunk',
    ]);
  });

  it("the work survives a reboot: the tmux server killed, the boot unit's ExecStart brings the builder back on its kept worktree", async () => {
    const home = scratchDir('ao-test-home-');
    const unit = parseUnit((await t.ao('service', 'install', '--print')).stdout);
    const pid = await running('builder');
    await killServer(t.socket);
    endLeftovers(t.socket);
    expect(await serverRunning(t.socket)).toBe(false);
    workThere();
    const booted = boot(unit, home);
    await running('builder', pid);
    workThere();
    expect((await git(wt, 'symbolic-ref', '--short', 'HEAD')).trim()).toBe('ao/builder');
    expect((await eventsOf(t.ao)).filter((e) => e.event === 'worktree-created')).toHaveLength(1);
    expect((await t.ao('down')).code).toBe(0);
    expect((await booted).exitCode).toBe(0);
    workThere();
    const up = await t.ao('up');
    expect(up.code, up.stdout + up.stderr).toBe(0);
    await running('builder');
    expect(await checkout(t.dir)).toEqual(before);
  });

  it('ao workspaces remove of the stopped agent refuses, naming the files, then the commits not on the base', async () => {
    expect((await t.ao('down', 'builder')).code).toBe(0);
    const dirty = await t.ao('workspaces', 'remove', 'builder');
    expect(dirty.code).toBe(1);
    expect(dirty.stderr).toContain('README.md');
    expect(dirty.stderr).toContain('notes.txt (untracked)');
    workThere();
    await git(wt, 'add', '-A');
    await git(wt, 'commit', '-q', '-m', 'the builder keeps notes');
    const ahead = await t.ao('workspaces', 'remove', 'builder');
    expect(ahead.code).toBe(1);
    expect(ahead.stderr).toMatch(/1 commit on ao\/builder not on trunk:\n {2}[0-9a-f]+ the builder keeps notes/);
    expect(existsSync(join(wt, 'notes.txt'))).toBe(true);
    // --force removes the worktree, and keeps the branch that holds the commit
    const forced = await t.ao('workspaces', 'remove', 'builder', '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('kept branch ao/builder');
    expect(existsSync(wt)).toBe(false);
    expect(await git(t.dir, 'log', '--format=%s', '-n', '1', 'ao/builder')).toBe('the builder keeps notes\n');
    expect(await checkout(t.dir)).toEqual(before);
  });

  it('ao up puts the worktree back on the kept branch', async () => {
    const up = await t.ao('up', 'builder');
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect((await git(wt, 'symbolic-ref', '--short', 'HEAD')).trim()).toBe('ao/builder');
    workThere();
    expect((await eventsOf(t.ao)).filter((e) => e.event === 'worktree-created').at(-1)?.reason).toBe(
      'worktree state/worktrees/builder again on its kept branch ao/builder',
    );
    expect((await reports())[0]).toMatchObject({ state: 'created', ahead: 1, behind: 0, uncommitted: [], untracked: [] });
  });

  it('a worktree folder deleted under the running team: at the next heal its start fails with the reason, the others run on', async () => {
    const helper = await running('helper');
    const pid = await running('builder');
    rmSync(wt, { recursive: true, force: true });
    process.kill(pid, 'SIGKILL');
    const broken = await waitFor(async () => {
      const a = (await statusOf(t.ao)).agents.builder;
      return a?.detail?.includes('is gone') ? a : null;
    }, 20_000);
    expect(broken.state).toBe('dead');
    expect(broken.detail).toContain('error: its worktree folder state/worktrees/builder is gone');
    expect(existsSync(wt)).toBe(false); // never made again over what git still lists
    expect((await statusOf(t.ao)).agents.helper).toMatchObject({ state: 'running', pid: helper });
    const list = await reports();
    expect(list[0]).toMatchObject({ state: 'broken' });
    expect(await checkout(t.dir)).toEqual(before);
  });
});

describe('isolation fails closed', () => {
  const t = team('wt-nogit', files(`${agent('builder', 'workspace = "worktree"\n')}\n${agent('helper')}`), { teardown: 'afterAll' });

  it('a project that is no git repository: ao check and ao up exit 2 naming the agent, and nothing starts', async () => {
    const check = await t.ao('check');
    expect(check.code).toBe(2);
    expect(check.stderr).toMatch(/agents\.builder\.workspace = "worktree": the project folder .* is not in a git repository/);
    const up = await t.ao('up');
    expect(up.code).toBe(2);
    expect(up.stderr).toMatch(/ao up: agents\.builder\.workspace = "worktree": the project folder .* is not in a git repository; it is not started/);
    expect(up.stderr).toContain('nothing was started');
    expect(await serverRunning(t.socket)).toBe(false);
    expect(existsSync(join(t.dir, 'state', 'worktrees'))).toBe(false);
    const doctor = await t.ao('doctor');
    expect(doctor.stdout).toMatch(/builder: worktree.*not in a git repository/);
  });
});

describe('a project in a subfolder of its repository', () => {
  const root = makeProject({ 'README.md': 'the repository\n', 'app/.keep': '' });
  const sub = writeProject(join(root, 'app'), { ...files(`${agent('builder', 'workspace = "worktree"\ncwd = "src"\n')}`), 'src/.keep': '' });
  const t = teamIn('wt-sub', sub, { folder: root, teardown: 'afterAll' });

  it("the worktree is of the whole repository, and the agent works in the project's subfolder of it (then its cwd)", async () => {
    await initRepo(root);
    const up = await t.ao('up');
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const wt = join(sub, 'state', 'worktrees', 'builder');
    const pwd = await waitFor(async () => {
      try {
        return readFileSync(join(sub, 'state', 'pwd-builder'), 'utf8').trim();
      } catch {
        return null;
      }
    });
    expect(pwd).toBe(join(realpathSync(wt), 'app', 'src'));
    expect(readFileSync(join(wt, 'README.md'), 'utf8')).toBe('the repository\n');
  });
});
