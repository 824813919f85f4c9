import { execa } from 'execa';
import { mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { execaGit, gitAt, gitMessage } from '../../../src/workspace/git.js';
import { baseOf, currentBase, recordedBase, repositoryOf, requireWorkspaces, workspaceProblems } from '../../../src/workspace/worktree.js';
import type { AgentSpec, Project } from '../../../src/config/types.js';

// The git port on real git in temp folders (nothing here writes any other repository).

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  delete process.env.GIT_DIR;
});

const temp = (): string => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'ao-git-')));
  made.push(dir);
  return dir;
};

const project = (dir: string, base: string | null = null): Project => ({ dir, stateDir: join(dir, 'state'), workspaces: { base } }) as unknown as Project;
const worker = (dir: string): AgentSpec => ({ name: 'w', worktree: { path: join(dir, 'state', 'worktrees', 'w'), branch: 'ao/w' } }) as unknown as AgentSpec;

describe('the git port', () => {
  it('runs git in the folder -C names, whatever GIT_DIR the caller has', async () => {
    const dir = temp();
    await execa('git', ['init', '-q', dir]);
    process.env.GIT_DIR = join(temp(), 'elsewhere');
    const r = await execaGit(dir, ['rev-parse', '--show-toplevel']);
    expect(r).toMatchObject({ exitCode: 0, stdout: `${dir}\n` });
  });

  it('says when git is not installed (exit 127) and when it ran out of time (exit 124)', async () => {
    const missing = await gitAt(join(temp(), 'no-git'))(temp(), ['status']);
    expect(missing.exitCode).toBe(127);
    expect(gitMessage(missing)).toBe('git is not installed (not found on PATH)');
    const slow = await execaGit(temp(), ['-c', 'alias.wait=!sleep 5', 'wait'], { timeoutMs: 200 });
    expect(slow.exitCode).toBe(124);
  });

  it('fails closed: no repository, or a checkout on no commit, is a reason for each worktree agent', async () => {
    const plain = temp();
    expect(await repositoryOf(project(plain))).toEqual({ problem: `the project folder ${plain} is not in a git repository` });
    expect(await workspaceProblems(project(plain), [worker(plain)])).toEqual([
      { agent: 'w', reason: `the project folder ${plain} is not in a git repository` },
    ]);
    const fresh = temp();
    await execa('git', ['init', '-q', '-b', 'trunk', fresh]);
    expect(await workspaceProblems(project(fresh), [worker(fresh)])).toEqual([
      { agent: 'w', reason: 'the base branch trunk has no commit: commit once, or set [workspaces] base' },
    ]);
    expect(await workspaceProblems(project(fresh, 'release'), [worker(fresh)])).toEqual([
      { agent: 'w', reason: '[workspaces] base "release" names no commit in the repository' },
    ]);
    expect(await workspaceProblems(project(plain), [])).toEqual([]);
  });

  it("ao up records the branch the checkout is on; worktrees made later (the watchdog's) start from it, not from where the checkout moved", async () => {
    const dir = temp();
    const g = (...args: string[]) => execa('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args]);
    await g('init', '-q', '-b', 'trunk');
    await g('commit', '-q', '--allow-empty', '-m', 'one');
    const p = project(dir);
    expect(await currentBase(p, dir)).toBe('trunk');
    await requireWorkspaces(p, [worker(dir)]);
    expect(recordedBase(p)).toBe('trunk');
    expect(statSync(join(dir, 'state', 'workspaces.json')).mode & 0o777).toBe(0o600);
    await g('checkout', '-q', '-b', 'elsewhere');
    expect(await baseOf(p, dir)).toEqual({ base: 'trunk' });
    // the next `ao up` records where the checkout is then; a configured base is over both
    await requireWorkspaces(p, [worker(dir)]);
    expect(await baseOf(p, dir)).toEqual({ base: 'elsewhere' });
    expect(await baseOf(project(dir, 'trunk'), dir)).toEqual({ base: 'trunk' });
  });
});
