/**
 * Who a commit-bound gate binds (DESIGN §11): when the team's builder works
 * in a git worktree, its claim names a commit on its branch and the pass
 * lands exactly that commit on the target branch. Pure, from the config.
 */
import type { AgentSpec, Project } from '../config/types.js';

/** `[workspaces] target`'s default: the branch passed commits land on. */
export const DEFAULT_TARGET = 'ao/accepted';

export interface CommitGate {
  /** the agent whose journal claims name commits on its branch */
  builder: string;
  branch: string;
  /** the agent told when its verdict does not count (the agent named adversary), or null */
  adversary: string | null;
  /** the branch a pass moves, fast-forward only */
  target: string;
}

/**
 * The builder is the agent named `builder`, else the one loop agent with a
 * worktree. A builder without a worktree keeps the classic gate (no commits).
 */
export function builderOf(project: Project): AgentSpec | null {
  const named = project.agents.find((a) => a.name === 'builder');
  if (named) return named;
  const loops = project.agents.filter((a) => a.kind === 'loop' && a.worktree);
  return loops.length === 1 ? loops[0]! : null;
}

export function commitGateOf(project: Project): CommitGate | null {
  const builder = builderOf(project);
  if (!builder?.worktree) return null;
  return {
    builder: builder.name,
    branch: builder.worktree.branch,
    adversary: project.agents.some((a) => a.name === 'adversary') ? 'adversary' : null,
    target: targetOf(project),
  };
}

export const targetOf = (project: Project): string => project.workspaces?.target ?? DEFAULT_TARGET;
