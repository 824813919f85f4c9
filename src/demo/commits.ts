/**
 * The demo's side of a commit-bound gate (docs/PROTOCOL.md): the builder
 * commits its work in its own worktree and claims that commit; the adversary
 * reads each file as the claimed commit holds it (`git show <sha>:<path>`),
 * never as a working tree happens to be. Through ao's one git port.
 */
import { execaGit, gitMessage, type Git } from '../workspace/git.js';
import type { Found, PlanItem } from './plan.js';

const IDENTITY = ['-c', 'user.name=ao demo builder', '-c', 'user.email=demo-builder@ao.invalid'];

/** Commits what changed in `worktree` (if anything did) and returns the commit to claim: the new one, else HEAD. */
export async function commitWork(worktree: string, message: string, git: Git = execaGit): Promise<string> {
  const status = await git(worktree, ['status', '--porcelain', '-z', '--untracked-files=all']);
  if (status.exitCode !== 0) throw new Error(`git status: ${gitMessage(status)}`);
  if (status.stdout !== '') {
    const add = await git(worktree, ['add', '--all', '--', '.']);
    if (add.exitCode !== 0) throw new Error(`git add: ${gitMessage(add)}`);
    // the repository's own identity when it has one; a fresh repository's demo commits get the demo's
    const named = (await git(worktree, ['config', 'user.email'])).exitCode === 0;
    const commit = await git(worktree, [...(named ? [] : IDENTITY), 'commit', '--quiet', '--no-verify', '-m', message]);
    if (commit.exitCode !== 0) throw new Error(`git commit: ${gitMessage(commit)}`);
  }
  const head = await git(worktree, ['rev-parse', '--verify', 'HEAD']);
  if (head.exitCode !== 0) throw new Error(`git rev-parse HEAD: ${gitMessage(head)}`);
  return head.stdout.trim();
}

/** A plan item's file as commit `sha` holds it (paths relative to the repository's top). */
export async function foundAt(dir: string, sha: string, item: PlanItem, git: Git = execaGit): Promise<Found> {
  const r = await git(dir, ['show', `${sha}:${item.path}`]);
  if (r.exitCode === 0) return { kind: 'text', text: r.stdout };
  return /does not exist|exists on disk, but not in/.test(r.stderr) ? { kind: 'missing' } : { kind: 'unreadable', code: gitMessage(r) };
}
