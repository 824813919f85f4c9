import type { AgentSpec, WorktreeSpec } from '../../config/types.js';
import { RuntimeError, UsageError } from '../../errors.js';
import { updateAgentsState } from '../../state/agents.js';
import { ownSessions } from '../../tmux/snapshot.js';
import { jsonText } from '../../text/safe.js';
import { removeWorkspace, reportWorkspaces, type WorkspaceReport } from '../../workspace/report.js';
import { worktreeAgents } from '../../workspace/worktree.js';
import { openProject, selectAgents } from '../context.js';
import { table } from '../format.js';
import type { GlobalOptions, Io } from '../io.js';

export interface WorkspacesOptions extends GlobalOptions {
  json?: boolean;
}

/** `ao workspaces [--json]`: each worktree agent's path, branch, head, commits ahead of and behind the base, uncommitted and untracked files. Reads only. */
export async function workspaces(options: WorkspacesOptions, io: Io): Promise<number> {
  const { project } = openProject(options, io);
  const reports = await reportWorkspaces(project, worktreeAgents(project.agents));
  if (options.json) {
    io.out(`${jsonText({ project: project.name, workspaces: reports }, 2)}\n`);
    return 0;
  }
  if (reports.length === 0) {
    io.out('no agent has workspace = "worktree": every agent works in the project folder\n');
    return 0;
  }
  const rows = [['AGENT', 'PATH', 'BRANCH', 'HEAD', 'AHEAD', 'BEHIND', 'UNCOMMITTED', 'UNTRACKED']];
  for (const r of reports)
    rows.push([
      r.agent,
      r.path,
      r.detached ? `${r.branch} (detached)` : r.branch,
      headOf(r),
      count(r.ahead),
      count(r.behind),
      String(r.uncommitted.length),
      String(r.untracked.length),
    ]);
  io.out(table(rows));
  const base = reports[0]?.base;
  io.out(`ahead and behind count against ${base ?? '(no base: set [workspaces] base)'}\n`);
  for (const r of reports) if (r.problem) io.out(`${r.agent}: ${r.problem}\n`);
  return 0;
}

const count = (n: number | null): string => (n === null ? '-' : String(n));
const headOf = (r: WorkspaceReport): string => (r.state === 'created' ? (r.head?.slice(0, 12) ?? '-') : r.state === 'absent' ? '(not yet made)' : 'BROKEN');

export interface WorkspaceRemoveOptions extends GlobalOptions {
  agent: string;
  force?: boolean;
}

/** `ao workspaces remove AGENT [--force]`: a stopped agent's worktree, never one with work not on the base (unless --force). */
export async function workspaceRemove(options: WorkspaceRemoveOptions, io: Io): Promise<number> {
  const { project, tmux } = openProject(options, io);
  const [agent] = selectAgents(project, [options.agent], () => false);
  if (!agent?.worktree) throw new UsageError(`${options.agent} has no worktree (its workspace is the project folder)`);
  const own = agent as AgentSpec & { worktree: WorktreeSpec };
  let lines: string[] = [];
  // under the state lock: no start of it (the watchdog's, an `ao up`'s) can begin while its worktree goes
  await updateAgentsState(project.stateDir, async (state) => {
    const pane = ownSessions(await tmux.snapshot(), project.configFile).own.get(agent.session);
    if (pane && !pane.dead) throw new RuntimeError(`${agent.name} runs (pid ${pane.pid ?? '?'}): its worktree is in use; \`ao down ${agent.name}\` first`);
    if (state.agents[agent.name]?.up) throw new RuntimeError(`${agent.name} is to run (the watchdog starts it again): \`ao down ${agent.name}\` first`);
    lines = await removeWorkspace(project, own, options.force === true);
  });
  for (const line of lines) io.out(`${line}\n`);
  return 0;
}
