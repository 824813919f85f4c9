/** Pure: what a start does with an agent's worktree, from what git and the disk show (src/workspace/worktree.ts gathers it). */
import type { WorktreeEntry } from './porcelain.js';

export interface WorktreeFacts {
  /** the worktree's folder as ao names it (state/worktrees/<agent>), relative to the project for messages */
  shown: string;
  /** the same, absolute with links resolved, as git lists worktrees */
  real: string;
  branch: string;
  /** what is at the folder's path (lstat: a link is `other`) */
  folder: 'missing' | 'dir' | 'other';
  /** the folder's `.git`: the gitdir it names, `none` when there is no .git file, `bad` when it is not one */
  gitFile: { gitdir: string; exists: boolean } | 'none' | 'bad';
  /** the repository's worktrees, the main checkout first */
  worktrees: readonly WorktreeEntry[];
  branchExists: boolean;
}

/** create: a new branch from the base; attach: a worktree on the branch that is there; ok: kept as it is; else why it is not started. */
export type WorktreeVerdict = { action: 'create' } | { action: 'attach' } | { action: 'ok'; entry: WorktreeEntry } | { action: 'broken'; reason: string };

export function judgeWorktree(f: WorktreeFacts): WorktreeVerdict {
  const own = f.worktrees.find((w) => w.path === f.real);
  const elsewhere = f.worktrees.find((w) => w.path !== f.real && w.branch === f.branch);
  const busy = elsewhere ? `its branch ${f.branch} is checked out in ${elsewhere.path}` : null;
  if (f.folder === 'other') return { action: 'broken', reason: `${f.shown} is not a folder (a link or a file): left alone` };
  if (f.folder === 'missing') {
    if (own)
      return {
        action: 'broken',
        reason: `its worktree folder ${f.shown} is gone (git still lists it; \`git worktree prune\` forgets it, and branch ${f.branch} keeps its commits)`,
      };
    if (busy) return { action: 'broken', reason: busy };
    return f.branchExists ? { action: 'attach' } : { action: 'create' };
  }
  if (f.gitFile === 'none') return { action: 'broken', reason: `${f.shown} is not a git worktree (it has no .git file): left alone` };
  if (f.gitFile === 'bad') return { action: 'broken', reason: `${f.shown}/.git is not a worktree's .git file: left alone` };
  if (!f.gitFile.exists) return { action: 'broken', reason: `${f.shown}/.git points nowhere (${f.gitFile.gitdir})` };
  if (!own) return { action: 'broken', reason: `${f.shown} is not a worktree of the project's repository: left alone` };
  if (busy) return { action: 'broken', reason: busy };
  return { action: 'ok', entry: own };
}
