/** What `ao workspaces` shows of each agent's worktree, and `ao workspaces remove`: reads, then a plain `git worktree remove`. */
import { relative } from 'node:path';
import type { AgentSpec, Project, WorktreeSpec } from '../config/types.js';
import { RuntimeError } from '../errors.js';
import { execaGit, gitMessage, type Git } from './git.js';
import { judgeWorktree } from './judge.js';
import { parseCounts, parseStatus } from './porcelain.js';
import { currentBase, factsOf, repositoryOf, WorkspaceError } from './worktree.js';
import { commitGateOf, targetOf } from '../phases/commit-gate.js';

export interface WorkspaceReport {
  agent: string;
  path: string;
  branch: string;
  /** created: there and sound; absent: made at the agent's next start; broken: not started, `problem` says why */
  state: 'created' | 'absent' | 'broken';
  problem: string | null;
  head: string | null;
  /** its worktree is checked out at a commit, not on its branch (the adversary of a commit-bound gate, at the claim it reviews) */
  detached: boolean;
  /**
   * What ahead and behind count against: the target branch where passed
   * commits land (a commit-bound gate, once it exists), else `[workspaces]
   * base`, else the checkout's branch at the last `ao up`, else its branch now.
   */
  base: string | null;
  ahead: number | null;
  behind: number | null;
  uncommitted: string[];
  untracked: string[];
}

export async function reportWorkspaces(
  project: Project,
  agents: ReadonlyArray<AgentSpec & { worktree: WorktreeSpec }>,
  git: Git = execaGit,
): Promise<WorkspaceReport[]> {
  if (agents.length === 0) return [];
  const repo = await repositoryOf(project, git);
  if ('problem' in repo) throw new RuntimeError(repo.problem);
  const target = commitGateOf(project) ? targetOf(project) : null;
  const landed = target !== null && (await git(repo.top, ['rev-parse', '--verify', '--quiet', `refs/heads/${target}`])).exitCode === 0;
  const base = landed ? target : await currentBase(project, repo.top, git);
  return Promise.all(agents.map((a) => reportOne(project, a.name, a.worktree, repo.top, base, git)));
}

async function reportOne(project: Project, agent: string, spec: WorktreeSpec, top: string, base: string | null, git: Git): Promise<WorkspaceReport> {
  const verdict = judgeWorktree(await factsOf(project, spec, top, git));
  const report: WorkspaceReport = {
    agent,
    path: relative(project.dir, spec.path) || spec.path,
    branch: spec.branch,
    state: verdict.action === 'ok' ? 'created' : verdict.action === 'broken' ? 'broken' : 'absent',
    problem: verdict.action === 'broken' ? verdict.reason : null,
    head: verdict.action === 'ok' ? verdict.entry.head : null,
    detached: verdict.action === 'ok' && verdict.entry.branch === null,
    base,
    ahead: null,
    behind: null,
    uncommitted: [],
    untracked: [],
  };
  if (verdict.action !== 'ok') return report;
  const head = verdict.entry.head;
  if (base !== null && head) {
    const counts = await git(top, ['rev-list', '--left-right', '--count', '--end-of-options', `${base}...${head}`]);
    const parsed = counts.exitCode === 0 ? parseCounts(counts.stdout) : null;
    if (parsed) Object.assign(report, { behind: parsed.left, ahead: parsed.right });
  }
  const status = await git(spec.path, ['status', '--porcelain', '-z']);
  if (status.exitCode !== 0) return { ...report, state: 'broken', problem: `git status: ${gitMessage(status)}` };
  return { ...report, ...parseStatus(status.stdout) };
}

/** The commits of a worktree's head that are not on the base, `<short sha> <subject>`, the newest first (at most `max`). */
async function commitsNotOn(top: string, base: string, head: string, git: Git, max = 20): Promise<string[]> {
  const r = await git(top, ['log', '--no-color', `--max-count=${max}`, '--format=%h %s', '--end-of-options', `${base}..${head}`]);
  return r.exitCode === 0 ? r.stdout.split('\n').filter(Boolean) : [];
}

const listed = (names: readonly string[], max = 20): string =>
  names
    .slice(0, max)
    .map((n) => `\n  ${n}`)
    .join('') + (names.length > max ? `\n  … and ${names.length - max} more` : '');

/**
 * Removes a stopped agent's worktree (the caller checks it is stopped): a plain
 * `git worktree remove`, then `git branch -d` only when the base holds all its
 * commits. Refuses while it has uncommitted or untracked files or commits not
 * on the base, naming them, unless `force` (which still touches nothing but
 * this worktree, and never deletes a branch with commits the base lacks).
 */
export async function removeWorkspace(project: Project, agent: AgentSpec & { worktree: WorktreeSpec }, force: boolean, git: Git = execaGit): Promise<string[]> {
  const [report] = await reportWorkspaces(project, [agent], git);
  if (!report) return [];
  if (report.state === 'absent') throw new RuntimeError(`${agent.name} has no worktree at ${report.path}: nothing to remove`);
  if (report.state === 'broken') throw new WorkspaceError(agent.name, `${report.problem ?? 'broken'}; ao removes only a sound worktree`);
  const dirty = [...report.uncommitted, ...report.untracked.map((f) => `${f} (untracked)`)];
  const repo = await repositoryOf(project, git);
  if ('problem' in repo) throw new RuntimeError(repo.problem);
  const commits = report.base && report.head && (report.ahead ?? 0) > 0 ? await commitsNotOn(repo.top, report.base, report.head, git) : [];
  const unknownBase = report.base === null || report.ahead === null;
  if (!force) {
    const why: string[] = [];
    if (dirty.length > 0) why.push(`${dirty.length} uncommitted or untracked file${dirty.length === 1 ? '' : 's'} in ${report.path}:${listed(dirty)}`);
    if (commits.length > 0) why.push(`${report.ahead} commit${report.ahead === 1 ? '' : 's'} on ${report.branch} not on ${report.base}:${listed(commits)}`);
    if (unknownBase) why.push(`no base to compare ${report.branch} with (set [workspaces] base): its commits may be its only copy`);
    if (why.length > 0)
      throw new RuntimeError(
        `${agent.name}: not removed: ${why.join('\n')}\n(--force removes the worktree anyway; a branch with commits not on the base is kept)`,
      );
  }
  // --force reaches git only for this one worktree, and only when it holds files the person chose to lose
  const remove = await git(repo.top, ['worktree', 'remove', ...(force && dirty.length > 0 ? ['--force'] : []), '--', agent.worktree.path]);
  if (remove.exitCode !== 0) throw new RuntimeError(`${agent.name}: git worktree remove refused: ${gitMessage(remove)}`);
  const lines = [
    `${agent.name}: removed its worktree ${report.path}${dirty.length > 0 ? ` (and ${dirty.length} uncommitted or untracked files, --force)` : ''}`,
  ];
  if (unknownBase || (report.ahead ?? 0) > 0) {
    lines.push(
      `${agent.name}: kept branch ${report.branch} (${unknownBase ? 'no base to compare with' : `${report.ahead} commits not on ${report.base}`}); \`ao up\` works on it again`,
    );
    return lines;
  }
  const branch = await git(repo.top, ['branch', '-d', '--', report.branch]);
  lines.push(
    branch.exitCode === 0
      ? `${agent.name}: deleted branch ${report.branch} (all its commits are on ${report.base})`
      : `${agent.name}: kept branch ${report.branch}: ${gitMessage(branch)}`,
  );
  return lines;
}
