/**
 * The bubblewrap command line of a sandboxed agent (`sandbox = "bwrap"`): a
 * pure function of the project, the agent and a few facts of the machine, so
 * `ao check` prints exactly what a start runs and the tests read its argv.
 *
 * What the agent sees (README "Sandboxed agents", docs/PROTOCOL.md):
 * the host read-only; a private /tmp; its workspace read-write (its worktree,
 * else the project folder without the state folder); what its CLI keeps for
 * itself under HOME; its own coordination files (the builder's journals, the
 * adversary's reviews, its outbox, its hook signals) and nothing else of the
 * state folder. Mounts are applied in order, a later one over an earlier one,
 * so what protects ao's files comes after what opens the workspace.
 */
import { join } from 'node:path';
import { inside } from '../config/find.js';
import type { AgentSpec, Project } from '../config/types.js';
import { layout } from '../state/layout.js';
import { signalFile } from '../state/signals.js';

export type Mount =
  | { kind: 'ro' | 'rw'; path: string; why: string }
  /** an empty private folder over it (what was there is out of reach) */
  | { kind: 'tmpfs'; path: string; why: string };

export interface SandboxFacts {
  /** the bubblewrap program, absolute */
  bwrap: string;
  /** a sandbox can be made inside this one (a CLI's own); as root it cannot. Probed only for a CLI that makes one */
  nested: boolean;
  /** the agent's HOME (its own env's, else ao's) */
  home: string;
  /** what its backend keeps under HOME, relative (Backend.ownFiles) */
  ownFiles: { dirs: readonly string[]; files: readonly string[] };
  /** which of those files exist (a file is bound only where it is) */
  existing: ReadonlySet<string>;
  /** files its CLI keeps elsewhere in a sandbox, copied there once before its start (HOME-relative from, to: Backend.sandboxed) */
  seed: readonly (readonly [string, string])[];
  /** where ao's tmux server and the user's session services listen (their sockets run anything outside): hidden */
  hidden: readonly string[];
  /** the project's git folder when it has one (`.git`): a worktree agent commits through it */
  gitDir: string | null;
  /** ao's own package folder (bin/ao, dist/, node_modules/), which the agent runs: read-only where the private /tmp would cover it */
  aoFolder?: string | null;
}

type SandboxProject = Pick<Project, 'dir' | 'stateDir' | 'configFile' | 'kickoffTemplatePath' | 'phases' | 'agents'>;

/** Who writes a phase's journal: the agent named builder, else every loop agent (as phases/advance.ts tells them a fail). */
export function writesJournal(project: Pick<Project, 'agents'>, agent: Pick<AgentSpec, 'name' | 'kind'>): boolean {
  return project.agents.some((a) => a.name === 'builder') ? agent.name === 'builder' : agent.kind === 'loop';
}

/** Who writes a phase's review and its verdicts: the agent named adversary. */
export const writesReview = (agent: Pick<AgentSpec, 'name'>): boolean => agent.name === 'adversary';

/** The coordination files an agent writes: each created before its start, each bound read-write over the read-only state folder. */
export function ownCoordFiles(project: SandboxProject, agent: AgentSpec): { files: string[]; dirs: string[] } {
  const files: string[] = [];
  if (writesJournal(project, agent)) files.push(...project.phases.map((p) => layout.journal(project.stateDir, p.id)));
  if (writesReview(agent)) files.push(...project.phases.map((p) => layout.review(project.stateDir, p.id)));
  // Claude Code's hooks append the agent's own signals (`ao hook-signal`) from inside
  if (agent.backend === 'claude') files.push(signalFile(project.stateDir, agent.name));
  return { files, dirs: [layout.outbox(project.stateDir, agent.name)] };
}

/** Every mount of the agent's sandbox, in the order bubblewrap applies them. */
export function sandboxMounts(project: SandboxProject, agent: AgentSpec, facts: SandboxFacts): Mount[] {
  const extra = agent.sandbox ?? { rw: [], ro: [] };
  const underTmp = (path: string): boolean => inside('/tmp', path);
  const mounts: Mount[] = [
    { kind: 'ro', path: '/', why: 'the host, read-only' },
    { kind: 'tmpfs', path: '/tmp', why: 'a private /tmp' },
    ...facts.hidden.filter((path) => !underTmp(path)).map((path): Mount => ({ kind: 'tmpfs', path, why: 'sockets that run commands outside the sandbox' })),
  ];
  // what the private /tmp covered and the agent must still read
  for (const path of [project.dir, facts.home, ...(facts.aoFolder ? [facts.aoFolder] : [])])
    if (underTmp(path)) mounts.push({ kind: 'ro', path, why: 'read-only under the private /tmp' });
  mounts.push(...extra.ro.map((path): Mount => ({ kind: 'ro', path, why: 'sandbox_ro' })));
  mounts.push(...extra.rw.map((path): Mount => ({ kind: 'rw', path, why: 'sandbox_rw' })));
  if (!agent.worktree) mounts.push({ kind: 'rw', path: project.dir, why: 'its workspace (the project folder)' });
  for (const dir of facts.ownFiles.dirs) mounts.push({ kind: 'rw', path: join(facts.home, dir), why: `what ${agent.backend} keeps for itself` });
  for (const file of facts.ownFiles.files)
    if (facts.existing.has(join(facts.home, file))) mounts.push({ kind: 'rw', path: join(facts.home, file), why: `what ${agent.backend} keeps for itself` });
  // the team's definition: an agent that rewrote agents.toml, a role prompt or a plan would rewrite the protocol; prompts/
  // and phases/ whole (both are there: agents.toml needs them), since a prompt made in prompts/ (prompts/NAME.md)
  // becomes the role of an agent that has none at the next load
  const folders = [join(project.dir, 'prompts'), join(project.dir, 'phases')];
  const files = [
    project.configFile,
    project.kickoffTemplatePath,
    ...project.agents.flatMap((a) => (a.prompt ? [a.prompt] : [])),
    ...project.phases.map((p) => p.planPath),
  ];
  const definition = [...folders, ...files.filter((file) => !folders.some((folder) => inside(folder, file)))];
  mounts.push(...[...new Set(definition)].map((path): Mount => ({ kind: 'ro', path, why: "the team's definition" })));
  if (facts.gitDir) {
    // a worktree commits into the project's repository; its hooks and config run commands as the maintainer
    if (agent.worktree) mounts.push({ kind: 'rw', path: facts.gitDir, why: 'the repository its worktree commits to' });
    mounts.push({ kind: 'ro', path: join(facts.gitDir, 'hooks'), why: "git's hooks run outside the sandbox" });
    mounts.push({ kind: 'ro', path: join(facts.gitDir, 'config'), why: "git's config names programs run outside the sandbox" });
  }
  mounts.push({ kind: 'ro', path: project.stateDir, why: "the state folder is ao's" });
  if (agent.worktree) mounts.push({ kind: 'rw', path: agent.worktree.path, why: 'its workspace (its worktree)' });
  const own = ownCoordFiles(project, agent);
  mounts.push(...[...own.files, ...own.dirs].map((path): Mount => ({ kind: 'rw', path, why: 'its own coordination files' })));
  return mounts;
}

/** The argv that runs `argv` in the agent's sandbox, in `cwd` (its working folder; in its worktree, where it works there). */
export function bwrapArgv(project: SandboxProject, agent: AgentSpec, facts: SandboxFacts, argv: readonly string[], cwd = agent.cwd): string[] {
  const options = sandboxMounts(project, agent, facts).flatMap((m) =>
    m.kind === 'tmpfs'
      ? ['--tmpfs', m.path]
      : m.path === '/'
        ? ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc']
        : [m.kind === 'ro' ? '--ro-bind' : '--bind', m.path, m.path],
  );
  return [
    facts.bwrap,
    ...options,
    // its own pid namespace, ended with the launcher: stopping the agent ends everything it started
    '--unshare-pid',
    '--die-with-parent',
    // as root, bubblewrap would keep every capability (enough to remount what is read-only)
    '--cap-drop',
    'ALL',
    '--setenv',
    'AO_SANDBOX',
    agent.name,
    // always named: where it is not in the sandbox bubblewrap would go on in HOME without a word
    '--chdir',
    cwd,
    '--',
    ...argv,
  ];
}
