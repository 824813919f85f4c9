import { describe, expect, it } from 'vitest';
import { judgeWorktree, type WorktreeFacts } from '../../../src/workspace/judge.js';

const main = { path: '/p', head: 'a'.repeat(40), branch: 'main', prunable: null, locked: false };
const own = { path: '/p/state/worktrees/b', head: 'b'.repeat(40), branch: 'ao/b', prunable: null, locked: false };

const facts = (over: Partial<WorktreeFacts>): WorktreeFacts => ({
  shown: 'state/worktrees/b',
  real: '/p/state/worktrees/b',
  branch: 'ao/b',
  folder: 'dir',
  gitFile: { gitdir: '/p/.git/worktrees/b', exists: true },
  worktrees: [main, own],
  branchExists: true,
  ...over,
});

describe('judgeWorktree', () => {
  it('creates a worktree at the first start (no folder, no branch, not listed)', () => {
    expect(judgeWorktree(facts({ folder: 'missing', worktrees: [main], branchExists: false }))).toEqual({ action: 'create' });
  });

  it('keeps a sound one as it is', () => {
    expect(judgeWorktree(facts({}))).toEqual({ action: 'ok', entry: own });
    // the agent moved its worktree to another branch of its own: still its worktree
    expect(judgeWorktree(facts({ worktrees: [main, { ...own, branch: 'feature' }] })).action).toBe('ok');
  });

  it('puts a worktree back on a branch that outlived it (removed, the branch kept)', () => {
    expect(judgeWorktree(facts({ folder: 'missing', worktrees: [main] }))).toEqual({ action: 'attach' });
  });

  it.each<[string, Partial<WorktreeFacts>, RegExp]>([
    ['its folder gone while git lists it', { folder: 'missing', worktrees: [main, { ...own, prunable: 'gone' }] }, /folder state\/worktrees\/b is gone/],
    ['a link or a file in its place', { folder: 'other' }, /is not a folder/],
    ['no .git file', { gitFile: 'none' }, /has no \.git file/],
    ["a .git that is no worktree's", { gitFile: 'bad' }, /is not a worktree's \.git file/],
    ['a .git file pointing nowhere', { gitFile: { gitdir: '/gone', exists: false } }, /\.git points nowhere \(\/gone\)/],
    ['a folder git does not list', { worktrees: [main] }, /not a worktree of the project's repository/],
    [
      'its branch checked out elsewhere',
      {
        worktrees: [
          { ...main, branch: 'ao/b' },
          { ...own, branch: 'other' },
        ],
      },
      /its branch ao\/b is checked out in \/p$/,
    ],
    ['its branch checked out elsewhere, its folder gone', { folder: 'missing', worktrees: [{ ...main, branch: 'ao/b' }] }, /checked out in \/p/],
  ])('refuses %s, with the reason', (_name, over, reason) => {
    const verdict = judgeWorktree(facts(over));
    expect(verdict.action).toBe('broken');
    expect(verdict.action === 'broken' ? verdict.reason : '').toMatch(reason);
  });
});
