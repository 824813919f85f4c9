/**
 * An agent's own git worktree (`workspace = "worktree"`, DESIGN §11): made at
 * its first start, checked at every start after, never recreated over what is
 * there. Isolation fails closed (DESIGN §4.15): a worktree that cannot be had
 * is a start that fails with the reason. ao reads the maintainer's checkout,
 * never writes it, and adds worktrees and branches only (DESIGN §4.14).
 */
import { existsSync, lstatSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { AgentSpec, Project, WorktreeSpec } from '../config/types.js';
import { RuntimeError, UsageError } from '../errors.js';
import type { EventDetails } from '../state/event-catalogue.js';
import { readJson, writeJsonAtomic } from '../state/files.js';
import { layout } from '../state/layout.js';
import { phaseView, readPhaseStateOf } from '../state/phase.js';
import { commitGateOf } from '../phases/commit-gate.js';
import { ensureDir, readTextCapped } from '../state/safe-fs.js';
import { CHECKOUT_TIMEOUT_MS, execaGit, gitMessage, type Git } from './git.js';
import { judgeWorktree, type WorktreeFacts, type WorktreeVerdict } from './judge.js';
import { discoverRepo } from './discover.js';
import { parseGitFile, parseWorktreeList, type WorktreeEntry } from './porcelain.js';

/** A worktree agent that cannot start, and why. */
export class WorkspaceError extends RuntimeError {
  constructor(
    readonly agent: string,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'WorkspaceError';
  }
}

export const worktreeAgents = (agents: readonly AgentSpec[]): Array<AgentSpec & { worktree: WorktreeSpec }> =>
  agents.filter((a): a is AgentSpec & { worktree: WorktreeSpec } => !!a.worktree);

/** The top folder of the repository the project is in, or why there is none. */
export async function repositoryOf(project: Project, git: Git = execaGit): Promise<{ top: string } | { problem: string }> {
  const r = await git(project.dir, ['rev-parse', '--show-toplevel']);
  if (r.exitCode === 127 || r.exitCode === 124) return { problem: r.stderr };
  if (r.exitCode !== 0) return { problem: `the project folder ${project.dir} is not in a git repository` };
  return { top: r.stdout.trim() };
}

/** The branch the project's checkout is on, or null (a detached HEAD). */
export async function checkoutBranch(top: string, git: Git = execaGit): Promise<string | null> {
  const r = await git(top, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  return r.exitCode === 0 ? r.stdout.trim() || null : null;
}

/** The branch the checkout was on at the last `ao up` (state/workspaces.json), or null. */
export function recordedBase(project: Project): string | null {
  try {
    const base = readJson<{ base?: unknown }>(layout.workspacesBase(project.stateDir))?.base;
    return typeof base === 'string' && base !== '' ? base : null;
  } catch {
    return null;
  }
}

/**
 * The base to start from, or compare with: `[workspaces] base`, else the branch
 * the checkout was on at the last `ao up`, else the one it is on now.
 */
export const currentBase = async (project: Project, top: string, git: Git = execaGit): Promise<string | null> =>
  project.workspaces?.base ?? recordedBase(project) ?? (await checkoutBranch(top, git));

/** What new worktrees start from (currentBase); it must name a commit. */
export async function baseOf(project: Project, top: string, git: Git = execaGit): Promise<{ base: string } | { problem: string }> {
  const configured = project.workspaces?.base ?? null;
  const base = await currentBase(project, top, git);
  if (base === null) return { problem: "the project's checkout is on no branch (a detached HEAD): set [workspaces] base to the branch worktrees start from" };
  const r = await git(top, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${base}^{commit}`]);
  if (r.exitCode !== 0)
    return {
      problem: configured
        ? `[workspaces] base "${base}" names no commit in the repository`
        : `the base branch ${base} has no commit: commit once, or set [workspaces] base`,
    };
  return { base };
}

export interface WorkspaceProblem {
  agent: string;
  reason: string;
}

/**
 * What the config makes impossible, before anything starts (`ao up`, `ao check`,
 * `ao doctor`): git missing, a project outside any repository, no base for a
 * worktree that must still be made. Runs git only when some agent has a worktree.
 */
export async function workspaceProblems(project: Project, agents: readonly AgentSpec[], git: Git = execaGit): Promise<WorkspaceProblem[]> {
  const wanted = worktreeAgents(agents);
  if (wanted.length === 0) return [];
  const repo = await repositoryOf(project, git);
  const all = (reason: string): WorkspaceProblem[] => wanted.map((a) => ({ agent: a.name, reason }));
  if ('problem' in repo) return all(repo.problem);
  const fresh = wanted.filter((a) => !existsSync(a.worktree.path));
  if (fresh.length === 0) return [];
  const base = await baseOf(project, repo.top, git);
  return 'problem' in base ? fresh.map((a) => ({ agent: a.name, reason: base.problem })) : [];
}

/** The problems as lines that name each agent and the key. */
export const problemLines = (problems: readonly WorkspaceProblem[]): string[] =>
  problems.map((p) => `agents.${p.agent}.workspace = "worktree": ${p.reason}; it is not started`);

/** What git and the disk show of one agent's worktree. */
export async function factsOf(project: Project, spec: WorktreeSpec, top: string, git: Git = execaGit): Promise<WorktreeFacts> {
  const list = await git(top, ['worktree', 'list', '--porcelain', '-z']);
  if (list.exitCode !== 0) throw new Error(`git worktree list: ${gitMessage(list)}`);
  const branch = await git(top, ['rev-parse', '--verify', '--quiet', `refs/heads/${spec.branch}`]);
  return {
    shown: relative(project.dir, spec.path) || spec.path,
    real: realPath(spec.path),
    branch: spec.branch,
    folder: folderKind(spec.path),
    gitFile: gitFileOf(spec.path),
    worktrees: parseWorktreeList(list.stdout),
    branchExists: branch.exitCode === 0,
  };
}

/**
 * Before an agent's start (`ao up`, `ao restart`, the watchdog's heal): its
 * worktree made at the first start, else checked; its working folder must be
 * in it. Throws WorkspaceError with the reason; nothing here removes or
 * overwrites anything. Nothing to do for an agent without a worktree.
 */
export async function prepareWorkspace(project: Project, agent: AgentSpec, git: Git = execaGit): Promise<WorkspaceReady | null> {
  const spec = agent.worktree;
  if (!spec) return null;
  const repo = await repositoryOf(project, git);
  if ('problem' in repo) throw new WorkspaceError(agent.name, repo.problem);
  const verdict = judgeWorktree(await factsOf(project, spec, repo.top, git));
  const made = verdict.action === 'ok' ? null : await addWorktree(project, agent.name, spec, repo.top, verdict, git);
  const cwd = workingFolder(project, agent.cwd, spec, repo.top);
  if (!isDir(cwd)) throw new WorkspaceError(agent.name, `its working folder ${relative(project.dir, cwd)} is not in its worktree`);
  if (commitGateOf(project)?.adversary === agent.name) await checkoutClaim(project, agent.name, spec, git);
  const head = await git(spec.path, ['rev-parse', '--verify', '--quiet', 'HEAD']);
  const status = await git(spec.path, ['status', '--porcelain', '-z', '--untracked-files=all']);
  return { made, cwd, head: head.exitCode === 0 ? head.stdout.trim() : null, dirty: status.exitCode !== 0 || status.stdout !== '' };
}

/**
 * Where a start plans the agent's working folder, without running git: for a
 * worktree agent, where `workingFolder` puts it in the repository found above
 * the project; `prepareWorkspace` says where git puts it.
 */
export function plannedCwd(project: Project, agent: AgentSpec): string {
  const repo = agent.worktree ? discoverRepo(project.dir) : null;
  return repo && agent.worktree ? workingFolder(project, agent.cwd, agent.worktree, repo.top) : agent.cwd;
}

/**
 * Where the agent works in its worktree. A worktree is a checkout of the whole
 * repository: for a project in a subfolder of it, the agent works in that
 * subfolder's copy (then its `cwd`, if any), as it would in the project.
 */
function workingFolder(project: Project, cwd: string, spec: WorktreeSpec, top: string): string {
  const sub = relative(realPath(top), realPath(project.dir));
  if (sub === '' || sub.startsWith('..') || isAbsolute(sub)) return cwd;
  return join(spec.path, sub, relative(spec.path, cwd));
}

/** A worktree ready for a start: made now or kept, with the commit it has checked out and whether it holds work not committed. */
export interface WorkspaceReady {
  /** the worktree this start made (the caller tells it, as `worktree-created`), or null: it was there, or another ao made it meanwhile */
  made: WorktreeMade | null;
  /** the agent's working folder in it: its `cwd`, under the project's subfolder of the repository where it is in one */
  cwd: string;
  head: string | null;
  dirty: boolean;
}

/** A worktree made by a start: what its `worktree-created` event says. */
export interface WorktreeMade {
  reason: string;
  details: EventDetails['worktree-created'];
}

/**
 * The adversary of a commit-bound gate reviews in its own worktree: before
 * each of its runs while a claim is open, ao checks that worktree out
 * detached at the claimed commit — only over a clean worktree, never with
 * force: work found there is a start refused with the reason.
 */
async function checkoutClaim(project: Project, name: string, spec: WorktreeSpec, git: Git): Promise<void> {
  const sha = phaseView(project, readPhaseStateOf(project)).claimSha;
  if (!sha) return;
  const head = await git(spec.path, ['rev-parse', '--verify', '--quiet', 'HEAD']);
  if (head.exitCode === 0 && head.stdout.trim() === sha) return;
  const status = await git(spec.path, ['status', '--porcelain', '-z', '--untracked-files=all']);
  if (status.exitCode !== 0) throw new WorkspaceError(name, `git status in its worktree: ${gitMessage(status)}`);
  if (status.stdout !== '')
    throw new WorkspaceError(
      name,
      `its worktree has uncommitted or untracked files, so ao does not check out the claimed commit ${sha} over them: commit or move them, then \`ao restart ${name}\``,
    );
  const r = await git(spec.path, ['switch', '--quiet', '--detach', sha], { timeoutMs: CHECKOUT_TIMEOUT_MS });
  if (r.exitCode !== 0) throw new WorkspaceError(name, `the claimed commit ${sha} could not be checked out in its worktree: ${gitMessage(r)}`);
}

async function addWorktree(project: Project, name: string, spec: WorktreeSpec, top: string, verdict: WorktreeVerdict, git: Git): Promise<WorktreeMade | null> {
  if (verdict.action === 'broken') throw new WorkspaceError(name, verdict.reason);
  ensureDir(layout.worktrees(project.stateDir), project.stateDir);
  let args: string[];
  let from: string | null = null;
  if (verdict.action === 'attach') args = ['worktree', 'add', '--', spec.path, spec.branch];
  else {
    const base = await baseOf(project, top, git);
    if ('problem' in base) throw new WorkspaceError(name, base.problem);
    from = base.base;
    args = ['worktree', 'add', '--no-track', '-b', spec.branch, '--', spec.path, base.base];
  }
  const r = await git(top, args, { timeoutMs: CHECKOUT_TIMEOUT_MS });
  if (r.exitCode === 0) {
    const path = relative(project.dir, spec.path);
    const reason =
      from === null ? `worktree ${path} again on its kept branch ${spec.branch}` : `worktree ${path} made on a new branch ${spec.branch} from ${from}`;
    return { reason, details: { path, branch: spec.branch, base: from } };
  }
  // another ao (a racing `ao up`, the watchdog) may have made it meanwhile: what is there now decides
  const again = judgeWorktree(await factsOf(project, spec, top, git));
  if (again.action === 'ok') return null;
  throw new WorkspaceError(name, `its worktree could not be made: ${gitMessage(r)}`);
}

function folderKind(path: string): WorktreeFacts['folder'] {
  try {
    return lstatSync(path).isDirectory() ? 'dir' : 'other';
  } catch {
    return 'missing';
  }
}

function gitFileOf(dir: string): WorktreeFacts['gitFile'] {
  const file = join(dir, '.git');
  let text: string | null;
  try {
    if (!lstatSync(file).isFile()) return 'bad';
    text = readTextCapped(file, 64 * 1024, dir);
  } catch {
    return 'none';
  }
  const gitdir = text === null ? null : parseGitFile(text);
  if (gitdir === null) return 'bad';
  const abs = isAbsolute(gitdir) ? gitdir : resolve(dir, gitdir);
  return { gitdir, exists: isDir(abs) };
}

const isDir = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

/** As git lists a worktree: absolute, links resolved (the folder may be gone: its parent's real path). */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(resolve(path, '..')), relative(resolve(path, '..'), path));
    } catch {
      return path;
    }
  }
}

export type { WorktreeEntry };

/**
 * `ao up` before it starts anything: what the config makes impossible is a
 * usage error (exit 2) naming each agent; nothing is started. Else, without
 * `[workspaces] base`, the branch the checkout is on now is recorded: the
 * base of the worktrees made from this `ao up` on, the watchdog's included.
 */
export async function requireWorkspaces(project: Project, agents: readonly AgentSpec[], git: Git = execaGit): Promise<void> {
  const problems = await workspaceProblems(project, agents, git);
  if (problems.length > 0) throw new UsageError(`ao up: ${problemLines(problems).join('\nao up: ')}\nnothing was started`);
  if (worktreeAgents(agents).length === 0 || project.workspaces?.base) return;
  const repo = await repositoryOf(project, git);
  const branch = 'top' in repo ? await checkoutBranch(repo.top, git) : null;
  if (branch !== null && branch !== recordedBase(project))
    await writeJsonAtomic(layout.workspacesBase(project.stateDir), { base: branch, at: new Date().toISOString() });
}

/**
 * The starts whose workspace is ready (made or checked, one after another: git
 * takes the repository's locks); each one that is not goes to `refused` with
 * its reason, and the others start.
 */
export async function withWorkspaces<T>(
  project: Project,
  starts: readonly T[],
  agentOf: (start: T) => AgentSpec,
  refused: (agent: string, reason: string) => void,
): Promise<T[]> {
  const ready: T[] = [];
  for (const start of starts) {
    const agent = agentOf(start);
    try {
      await prepareWorkspace(project, agent);
      ready.push(start);
    } catch (error) {
      refused(agent.name, (error as Error).message);
    }
  }
  return ready;
}
