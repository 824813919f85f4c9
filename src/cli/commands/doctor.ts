import { accessSync, constants, existsSync, lstatSync, readdirSync, statfsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { getBackend } from '../../backends/index.js';
import type { AgentSpec, Project } from '../../config/types.js';
import { watchdogSession } from '../../supervisor/sessions.js';
import type { Tmux } from '../../tmux/client.js';
import { spawnRunner } from '../../process/run.js';
import { bySession } from '../../tmux/snapshot.js';
import { launchProblems } from '../checks.js';
import { openProject } from '../context.js';
import {
  credentialCheck,
  doctorExitCode,
  flagsOf,
  formatCheck,
  programCheck,
  sandboxCheck,
  sessionsCheck,
  stateDirCheck,
  systemdCheck,
  tmuxCheck,
  type Check,
  type SessionFacts,
} from '../doctor-checks.js';
import { exposureChecks, fileExposed, folderExposed, type ExposureFacts, type ModeFact } from '../doctor-exposure.js';
import type { GlobalOptions, Io } from '../io.js';
import { agentPrograms, type AgentProgram } from '../programs.js';
import { environmentFile, unitName, unitPath } from '../service-unit.js';
import { currentUser, systemdState } from '../systemd.js';
import { versionOf } from './version.js';
import { jsonText } from '../../text/safe.js';
import { layout } from '../../state/layout.js';
import { bwrapProblem, BWRAP_FIX } from '../../sandbox/host.js';
import { workspaceProblems, worktreeAgents } from '../../workspace/worktree.js';

export interface DoctorOptions extends GlobalOptions {
  json?: boolean;
}

/** `ao doctor [--json]`: what on this machine would stop this project's run, one line per check. Reads only. */
export async function doctor(options: DoctorOptions, io: Io): Promise<number> {
  const { project, tmux } = openProject(options, io);
  const agents = project.agents.filter((a) => a.enabled);
  const problems = launchProblems(project);
  const checks: Check[] = [
    problems.length === 0
      ? { check: 'config', status: 'ok', detail: `${relative(io.cwd, project.configFile) || project.configFile} (${project.agents.length} agents)`, fix: null }
      : { check: 'config', status: 'fail', detail: problems.map((p) => p.message).join('; '), fix: '`ao check` says more' },
    tmuxCheck(await versionOf(['tmux', '-V'])),
    ...(await Promise.all(agentPrograms(project, agents, io.env).map(programFacts))).map(programCheck),
    ...credentialChecks(agents, io.env),
    ...(await workspaceChecks(project, agents)),
    ...sandboxChecks(agents, io.env),
    stateDirCheck(stateDirFacts(project.stateDir)),
    ...exposureChecks(exposureFacts(project, io.env)),
    await sessionCheck(project, tmux, agents),
    ...(await serviceChecks(project, io.env)),
  ];
  if (options.json) io.out(`${jsonText({ project: project.name, ok: doctorExitCode(checks) === 0, checks }, 2)}\n`);
  else for (const c of checks) io.out(formatCheck(c));
  return doctorExitCode(checks);
}

/** The sandboxed agents' bubblewrap, probed as their starts probe it (src/sandbox/host.ts). */
function sandboxChecks(agents: readonly AgentSpec[], env: NodeJS.ProcessEnv): Check[] {
  const sandboxed = agents.filter((a) => a.sandbox).map((a) => a.name);
  const check = sandboxCheck(sandboxed, sandboxed.length > 0 ? bwrapProblem(env) : null, BWRAP_FIX);
  return check ? [check] : [];
}

/** One line per agent with `workspace = "worktree"`: what `ao up` would refuse (git missing, no repository, no base). */
async function workspaceChecks(project: Project, agents: readonly AgentSpec[]): Promise<Check[]> {
  const problems = new Map((await workspaceProblems(project, agents)).map((p) => [p.agent, p.reason]));
  return worktreeAgents(agents).map((a) => {
    const problem = problems.get(a.name);
    return problem === undefined
      ? { check: `${a.name}: worktree`, status: 'ok', detail: `${relative(project.dir, a.worktree.path)} on ${a.worktree.branch}`, fix: null }
      : {
          check: `${a.name}: worktree`,
          status: 'fail',
          detail: `${problem}: ao up does not start it`,
          fix: 'make the project a git repository with a commit (and git on PATH), or set workspace = "project"',
        };
  });
}

/** What a program printed, asked once per command line (a team of three Claude agents asks once). */
const answers = new Map<string, Promise<string | null>>();

function once(argv: string[], ask: (argv: string[]) => Promise<string | null>): Promise<string | null> {
  const key = JSON.stringify(argv);
  if (!answers.has(key)) answers.set(key, ask(argv));
  return answers.get(key)!;
}

/** Node CLIs take seconds to print their help, more while others start beside them. */
const ASK_MS = 30_000;

async function helpText(argv: string[]): Promise<string | null> {
  const r = await spawnRunner(argv, { signal: AbortSignal.timeout(ASK_MS) });
  // a run that failed and printed nothing on stdout gave no help, only its error
  const text = r.exitCode === 0 || r.stdout.trim() !== '' ? `${r.stdout}\n${r.stderr}`.trim() : '';
  return text === '' ? null : text;
}

/** An agent CLI's version and whether its --help knows the flags its backend passes; a shell command or ao's own demo agent is only looked for. */
async function programFacts(p: AgentProgram) {
  const cli = p.agent.kind !== 'service' && p.agent.backend !== 'shell' && p.agent.backend !== 'demo';
  const parts = p.argvs.map(flagsOf);
  const flags = cli ? [...new Set(parts.flatMap((f) => f.flags))] : [];
  const subcommand = parts[0]?.subcommand ?? [];
  const found = p.found;
  return {
    agent: p.agent.name,
    backend: p.agent.kind === 'service' ? 'service' : p.agent.backend,
    program: p.agent.backend === 'demo' && p.agent.command === null ? "demo agent (ao's own, no CLI)" : p.program,
    viaCommand: p.agent.command !== null,
    found,
    version: found && cli ? await once([found, '--version'], (argv) => versionOf(argv, ASK_MS)) : null,
    help: found && cli ? await once([found, ...subcommand, '--help'], helpText) : null,
    flags,
    subcommand,
  };
}

/** Variable names and file names only: no value is ever read out. */
function credentialChecks(agents: readonly AgentSpec[], env: NodeJS.ProcessEnv): Check[] {
  return agents.flatMap((agent) => {
    const where = agent.kind === 'service' ? undefined : getBackend(agent.backend).credentials;
    if (!where) return [];
    const all = { ...env, ...agent.env };
    const home = agent.env.HOME ?? env.HOME ?? homedir();
    return [
      credentialCheck({
        agent: agent.name,
        backend: agent.backend,
        variables: where.env,
        files: where.files,
        setVariables: where.env.filter((v) => (all[v] ?? '') !== ''),
        presentFiles: where.files.filter((f) => existsSync(`${home}/${f}`)),
        home,
      }),
    ];
  });
}

function stateDirFacts(stateDir: string) {
  let existing = stateDir;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  let writable = true;
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    writable = false;
  }
  let freeBytes: number | null = null;
  try {
    const fs = statfsSync(existing);
    freeBytes = fs.bavail * fs.bsize;
  } catch {
    // not every file system answers
  }
  return { stateDir, existing, writable, freeBytes };
}

/** how many entries of the state folder doctor looks at: a week's state is a few thousand */
const SCAN_CAP = 20_000;

/** The modes of the state folder, of everything under it (links aside, never followed) and of the unit's env file. */
function exposureFacts(project: Project, env: NodeJS.ProcessEnv): ExposureFacts {
  const modeOf = (path: string): number | null => {
    try {
      return lstatSync(path).mode;
    } catch {
      return null;
    }
  };
  const exposed: ModeFact[] = [];
  let scanned = 0;
  const folders = [''];
  while (folders.length > 0 && scanned < SCAN_CAP) {
    const folder = folders.pop()!;
    let names: string[];
    try {
      names = readdirSync(join(project.stateDir, folder));
    } catch {
      continue;
    }
    for (const name of names.slice(0, SCAN_CAP - scanned)) {
      scanned++;
      const path = folder === '' ? name : `${folder}/${name}`;
      let stat;
      try {
        stat = lstatSync(join(project.stateDir, path));
      } catch {
        continue; // gone meanwhile
      }
      // the agents' worktrees hold checkouts, not ao's files: their private parent (checked here) keeps them
      if (stat.isDirectory() && join(project.stateDir, path) !== layout.worktrees(project.stateDir)) folders.push(path);
      if (stat.isDirectory() ? folderExposed(stat.mode) : stat.isFile() && fileExposed(stat.mode)) exposed.push({ path, mode: stat.mode });
    }
  }
  const unitEnv = environmentFile(env.HOME || homedir(), unitName(project));
  const unitEnvMode = modeOf(unitEnv);
  return {
    stateDir: project.stateDir,
    folderMode: modeOf(project.stateDir),
    exposed,
    scanned,
    truncated: scanned >= SCAN_CAP,
    unitEnv: unitEnvMode === null ? null : { path: unitEnv, mode: unitEnvMode },
  };
}

async function sessionCheck(project: Project, tmux: Tmux, agents: readonly AgentSpec[]): Promise<Check> {
  let panes;
  try {
    panes = bySession(await tmux.snapshot());
  } catch (error) {
    return sessionsCheck(project.tmuxSocket, (error as Error).message.split('\n')[0] ?? 'error', []);
  }
  const names = [...agents.map((a) => a.session), watchdogSession(project)];
  const sessions: SessionFacts[] = names.map((session) => {
    const pane = panes.get(session);
    return { session, holder: !pane ? 'free' : pane.owner === project.configFile ? 'own' : { owner: pane.owner } };
  });
  return sessionsCheck(project.tmuxSocket, null, sessions);
}

/** Only when this project's unit is installed: whether systemd will start it at boot. */
async function serviceChecks(project: Project, env: NodeJS.ProcessEnv): Promise<Check[]> {
  const unit = unitName(project);
  if (!existsSync(unitPath(env.HOME || homedir(), unit))) return [];
  const user = currentUser(env);
  const s = await systemdState(unit, user);
  return [systemdCheck({ unit, userInstance: s.userInstance, linger: s.linger, enabled: s.enabled }, user)];
}
