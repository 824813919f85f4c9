import { describe, expect, it } from 'vitest';
import { parseCounts, parseGitFile, parseStatus, parseWorktreeList } from '../../../src/workspace/porcelain.js';

describe('parseWorktreeList (git worktree list --porcelain -z)', () => {
  it('reads the main checkout, a branch, a detached head and a prunable entry', () => {
    const text = [
      'worktree /p',
      'HEAD 1111111111111111111111111111111111111111',
      'branch refs/heads/main',
      '',
      'worktree /p/state/worktrees/a b',
      'HEAD 2222222222222222222222222222222222222222',
      'branch refs/heads/ao/a',
      'locked',
      '',
      'worktree /p/state/worktrees/c',
      'HEAD 3333333333333333333333333333333333333333',
      'detached',
      'prunable gitdir file points to non-existent location',
      '',
      '',
    ].join('\0');
    expect(parseWorktreeList(text)).toEqual([
      { path: '/p', head: '1111111111111111111111111111111111111111', branch: 'main', prunable: null, locked: false },
      { path: '/p/state/worktrees/a b', head: '2222222222222222222222222222222222222222', branch: 'ao/a', prunable: null, locked: true },
      {
        path: '/p/state/worktrees/c',
        head: '3333333333333333333333333333333333333333',
        branch: null,
        prunable: 'gitdir file points to non-existent location',
        locked: false,
      },
    ]);
  });

  it('reads nothing from nothing', () => {
    expect(parseWorktreeList('')).toEqual([]);
  });
});

describe('parseStatus (git status --porcelain -z)', () => {
  it('sorts changed files from untracked ones, names with spaces and newlines whole', () => {
    const text = [' M src/a.ts', 'A  new file.ts', '?? notes\nwith newline.md', 'D  gone.ts', '?? dir/', 'UU conflict.ts', ''].join('\0');
    expect(parseStatus(text)).toEqual({
      uncommitted: ['src/a.ts', 'new file.ts', 'gone.ts', 'conflict.ts'],
      untracked: ['notes\nwith newline.md', 'dir/'],
    });
  });

  it("takes a rename's new name and skips its source field", () => {
    expect(parseStatus(['R  new.ts', 'old.ts', '?? x', ''].join('\0'))).toEqual({ uncommitted: ['new.ts'], untracked: ['x'] });
    expect(parseStatus(['C  copy.ts', 'orig.ts', ' M y', ''].join('\0'))).toEqual({ uncommitted: ['copy.ts', 'y'], untracked: [] });
  });

  it('reads a clean tree as no files', () => {
    expect(parseStatus('')).toEqual({ uncommitted: [], untracked: [] });
  });
});

describe('parseCounts and parseGitFile', () => {
  it('reads left and right counts', () => {
    expect(parseCounts('3\t5\n')).toEqual({ left: 3, right: 5 });
    expect(parseCounts('nonsense')).toBeNull();
  });

  it("reads a linked worktree's .git file, and nothing else", () => {
    expect(parseGitFile('gitdir: /p/.git/worktrees/a\n')).toBe('/p/.git/worktrees/a');
    expect(parseGitFile('gitdir: ../x')).toBe('../x');
    expect(parseGitFile('[core]\n')).toBeNull();
  });
});
