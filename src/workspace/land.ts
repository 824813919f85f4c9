/**
 * The git side of a commit-bound gate (DESIGN §11): what the new claims' and
 * verdicts' commits are, and the landing of a passed commit on the target
 * branch. A landing moves one ref, fast-forward only, through
 * `git update-ref` with the old value checked: exactly the reviewed commit,
 * never the builder's later work, and never a branch someone has checked out
 * or moved meanwhile (refused, with the reason).
 */
import type { GateFacts, Landing } from '../phases/advance.js';
import { commitGateOf, type CommitGate } from '../phases/commit-gate.js';
import { newTokens, type CommitFact } from '../phases/gate.js';
import type { Project } from '../config/types.js';
import type { PhaseState } from '../state/phase.js';
import { phaseView } from '../state/phase.js';
import { execaGit, gitMessage, type Git } from './git.js';
import { parseWorktreeList } from './porcelain.js';
import { baseOf, repositoryOf } from './worktree.js';

/** A full or abbreviated SHA, as a gate line names a commit: never a ref (`HEAD` would be the maintainer's checkout's). */
export const SHA = /^[0-9a-f]{4,64}$/i;

/** The full SHA of the commit `token` (a SHA, or a ref ao itself names) names, or null. */
export async function commitOf(top: string, token: string, git: Git = execaGit): Promise<string | null> {
  if (!/^[0-9A-Za-z._/@^~-]+$/.test(token) || token.startsWith('-')) return null;
  const r = await git(top, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${token}^{commit}`]);
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

/** Whether `ancestor` is reachable from `ref` (a commit is its own ancestor). */
async function isAncestor(top: string, ancestor: string, ref: string, git: Git): Promise<boolean> {
  return (await git(top, ['merge-base', '--is-ancestor', ancestor, ref])).exitCode === 0;
}

/** A token of a gate line as git resolves it; `branch`: must the commit be on the builder's branch (a claim)? */
async function factOf(top: string, token: string, gate: CommitGate, git: Git): Promise<CommitFact> {
  if (!SHA.test(token))
    return { problem: `${token} is not a commit SHA: name the commit by its full or abbreviated SHA (\`git rev-parse HEAD\` in the worktree)` };
  const sha = await commitOf(top, token, git);
  if (sha === null) return { problem: `${token} names no commit in the repository` };
  return { sha, onBranch: await isAncestor(top, sha, `refs/heads/${gate.branch}`, git) };
}

/**
 * The facts the gate's next step needs, or null for a team whose builder has
 * no worktree (the classic gate). Runs git only for gate lines the gate has
 * not acted upon yet: an idle sweep runs none.
 */
export async function gateFacts(project: Project, phase: PhaseState, journal: string, review: string, git: Git = execaGit): Promise<GateFacts | null> {
  const gate = commitGateOf(project);
  if (!gate) return null;
  const commits = new Map<string, CommitFact>();
  const { claims, verdicts } = newTokens(phase.gate, journal, review, phaseView(project, phase).phase.id);
  if (claims.length + verdicts.length > 0) {
    const repo = await repositoryOf(project, git);
    for (const token of new Set([...claims, ...verdicts])) {
      commits.set(token, 'problem' in repo ? { problem: repo.problem } : await factOf(repo.top, token, gate, git));
    }
  }
  return { gate, commits: { branch: gate.branch, commits }, landings: new Map() };
}

/**
 * Lands `sha` on the target branch: made from the base when it does not
 * exist yet, then moved to `sha` only when that is a fast-forward and no
 * worktree has the target checked out. A target that already holds `sha` is
 * landed already (a sweep that landed it and could not write the phase).
 */
export async function land(project: Project, gate: CommitGate, sha: string, git: Git = execaGit): Promise<Landing> {
  const repo = await repositoryOf(project, git);
  if ('problem' in repo) return { landed: false, reason: repo.problem };
  const { top } = repo;
  const ref = `refs/heads/${gate.target}`;
  const current = await git(top, ['rev-parse', '--verify', '--quiet', ref]);
  let old: string | null = current.exitCode === 0 ? current.stdout.trim() : null;
  if (old !== null && (await isAncestor(top, sha, old, git))) return { landed: true, from: old, to: sha, already: true };
  const list = await git(top, ['worktree', 'list', '--porcelain', '-z']);
  if (list.exitCode !== 0) return { landed: false, reason: `git worktree list: ${gitMessage(list)}` };
  const holder = parseWorktreeList(list.stdout).find((w) => w.branch === gate.target);
  if (holder) return { landed: false, reason: `${gate.target} is checked out in ${holder.path}, and ao moves no branch a worktree has checked out` };
  const made = old === null;
  if (old === null) {
    const base = await baseOf(project, top, git);
    if ('problem' in base) return { landed: false, reason: base.problem };
    const from = await commitOf(top, base.base, git);
    if (from === null) return { landed: false, reason: `the base ${base.base} names no commit` };
    // the empty old value: made only if it still does not exist
    const r = await git(top, ['update-ref', '-m', `ao: ${gate.target} made from ${base.base}`, ref, from, '']);
    if (r.exitCode !== 0) return { landed: false, reason: `${gate.target} could not be made: ${gitMessage(r)}` };
    old = from;
  }
  if (!(await isAncestor(top, old, sha, git)))
    return {
      landed: false,
      reason: `${gate.target} (at ${old}) has commits that ${sha} does not: it cannot fast-forward (was it moved by hand?)`,
    };
  const r = await git(top, ['update-ref', '-m', `ao: land ${sha} (a passed gate)`, ref, sha, old]);
  if (r.exitCode !== 0) return { landed: false, reason: `${gate.target} moved while ao landed: ${gitMessage(r)}` };
  return { landed: true, from: made ? null : old, to: sha };
}
