/**
 * The machine's side of a sandbox: where bubblewrap is, whether it can make
 * its namespaces here (the probe, run as the agent would run it), the facts
 * the command line is built from, and the files made before a start. The one
 * port through which ao runs bubblewrap itself.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, release } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { getBackend } from '../backends/index.js';
import type { AgentSpec, Project } from '../config/types.js';
import { createOwn, DIR_MODE, ensureDir } from '../state/safe-fs.js';
import { ensureOwnFolder, runtimeDir } from '../state/env-file.js';
import { discoverRepo } from '../workspace/discover.js';
import { ownCoordFiles, type SandboxFacts } from './bwrap.js';

/** What to do when the sandbox cannot be made: named in every refusal. */
export const BWRAP_FIX =
  'install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap), or allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1; on Ubuntu 24.04 kernel.apparmor_restrict_unprivileged_userns=0)';

/**
 * The bubblewrap program ao runs: AO_BWRAP when set (a path, or a name looked up
 * on PATH; tests point it at a missing file), else `bwrap` on PATH; null when
 * there is none.
 */
export function findBwrap(env: NodeJS.ProcessEnv): string | null {
  const name = env.AO_BWRAP || 'bwrap';
  if (isAbsolute(name)) return executable(name) ? name : null;
  for (const dir of (env.PATH ?? '').split(delimiter).filter(isAbsolute)) {
    const path = join(dir, name);
    if (executable(path)) return path;
  }
  return null;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Why no sandbox can be made here, or null when it can: bubblewrap missing, or
 * `bwrap --ro-bind / / true` failing as the agent's user with its environment
 * (a kernel that refuses unprivileged user namespaces, a seccomp filter).
 */
export function bwrapProblem(env: NodeJS.ProcessEnv, now = Date.now()): string | null {
  const bwrap = findBwrap(env);
  if (bwrap === null) return env.AO_BWRAP ? `bubblewrap not found at AO_BWRAP=${env.AO_BWRAP}` : 'bubblewrap (bwrap) is not on PATH';
  if (probed?.bwrap === bwrap && now - probed.at < PROBE_KEPT_MS) return null;
  const key = probeKey(bwrap);
  if (key !== null && keptProbe(env, key, now)) {
    probed = { bwrap, at: now };
    return null;
  }
  const probe = spawnSync(bwrap, ['--ro-bind', '/', '/', 'true'], { env, encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'ignore', 'pipe'] });
  if (probe.error) return `${bwrap} could not run: ${probe.error.message}`;
  if (probe.status !== 0)
    return `\`${bwrap} --ro-bind / / true\` failed (${probe.status === null ? `signal ${probe.signal}` : `exit ${probe.status}`}): ${firstLine(probe.stderr)}`;
  probed = { bwrap, at: now };
  if (key !== null) keepProbe(env, key, now);
  return null;
}

/**
 * What a probe's answer rests on: the bubblewrap program itself (which file,
 * its size and time), the kernel and its user-namespace settings, the user.
 * A change to any of them is a new probe.
 */
function probeKey(bwrap: string): string | null {
  try {
    const st = statSync(bwrap);
    const setting = (file: string): string => {
      try {
        return readFileSync(file, 'utf8').trim();
      } catch {
        return '-';
      }
    };
    const userns = [
      '/proc/sys/kernel/unprivileged_userns_clone',
      '/proc/sys/user/max_user_namespaces',
      '/proc/sys/kernel/apparmor_restrict_unprivileged_userns',
    ].map(setting);
    return [bwrap, st.dev, st.ino, st.size, st.mtimeMs, release(), process.getuid?.() ?? '-', ...userns].join('|');
  } catch {
    return null;
  }
}

/**
 * A probe that worked stands for PROBE_SHARED_MS across processes too (`ao up`
 * after `ao up`), kept in the user's own 0700 runtime folder: a kept success
 * can only skip a probe whose start would then be bubblewrap's to run (a
 * bubblewrap that fails runs nothing); a failure is never kept.
 */
const PROBE_SHARED_MS = 10 * 60_000;
const probeFile = (env: NodeJS.ProcessEnv): string => join(runtimeDir(env), 'bwrap-probe.json');

function keptProbe(env: NodeJS.ProcessEnv, key: string, now: number): boolean {
  try {
    const file = probeFile(env);
    const st = lstatSync(file);
    if (!st.isFile() || st.uid !== process.getuid?.()) return false;
    const kept = JSON.parse(readFileSync(file, 'utf8')) as { key?: unknown; at?: unknown };
    return kept.key === key && typeof kept.at === 'number' && now - kept.at >= 0 && now - kept.at < PROBE_SHARED_MS;
  } catch {
    return false;
  }
}

function keepProbe(env: NodeJS.ProcessEnv, key: string, now: number): void {
  try {
    const file = probeFile(env);
    ensureOwnFolder(dirname(file), "bubblewrap's probe");
    rmSync(file, { force: true });
    writeFileSync(file, JSON.stringify({ key, at: now }), { mode: 0o600, flag: 'wx' });
  } catch {
    // kept nowhere: the next process probes again
  }
}

/**
 * How long a probe that worked stands for the starts after it in the same
 * process (`ao up` probes before it starts anything, then each start would
 * again). A failure is never kept: the next start probes again, and a fix is
 * seen at once. A start whose bubblewrap fails all the same runs nothing: the
 * agent's command is bubblewrap's to run.
 */
const PROBE_KEPT_MS = 60_000;
let probed: { bwrap: string; at: number } | null = null;

let nested: { bwrap: string; works: boolean } | null = null;

/**
 * Whether a sandbox can be made inside one of ao's (a CLI's own, such as
 * Codex's): as an unprivileged user it can; as root with capabilities dropped
 * it cannot. Probed once per process and bubblewrap.
 */
export function nestedSandboxWorks(bwrap: string): boolean {
  if (nested?.bwrap === bwrap) return nested.works;
  const inner = [bwrap, '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--unshare-pid', 'true'];
  const probe = spawnSync(
    bwrap,
    ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--unshare-pid', '--die-with-parent', '--cap-drop', 'ALL', '--', ...inner],
    {
      stdio: 'ignore',
      timeout: 10_000,
    },
  );
  nested = { bwrap, works: probe.status === 0 };
  return nested.works;
}

const firstLine = (text: string | null): string => (text ?? '').trim().split('\n')[0] || 'no output';

/** The refusal of a sandboxed agent's start, naming the agent, the cause and the fix. */
export function sandboxRefusal(agent: string, problem: string): string {
  return `agent ${agent} has sandbox = "bwrap" and ao never starts it unsandboxed: ${problem}; ${BWRAP_FIX}`;
}

/** The agent's HOME: its own env's, else the one it inherits. */
export const homeOf = (agent: AgentSpec, env: NodeJS.ProcessEnv): string => agent.env.HOME || env.HOME || homedir();

/** The facts of this machine the agent's command line is built from (bwrap: found by findBwrap). */
export function sandboxFacts(
  project: Pick<Project, 'dir' | 'tmuxSocket'>,
  agent: AgentSpec,
  env: NodeJS.ProcessEnv,
  bwrap: string,
  aoEntry: string | null = null,
): SandboxFacts {
  const home = homeOf(agent, env);
  const backend = agent.kind === 'service' ? undefined : getBackend(agent.backend);
  const ownFiles = backend?.ownFiles ?? { dirs: [], files: [] };
  // a seed whose variable the agent sets itself is no longer where its CLI looks
  const seed = Object.keys(sandboxEnv(agent, home)).length > 0 ? (backend?.sandboxed?.seed ?? []) : [];
  const uid = process.getuid?.() ?? 0;
  // tmux's socket folder (its server runs whatever a client asks, outside any sandbox), the user's session bus and agents
  const hidden = [join(env.TMUX_TMPDIR || '/tmp', `tmux-${uid}`), env.XDG_RUNTIME_DIR || `/run/user/${uid}`].filter((path) => isDir(path));
  // the repository around the project: its own `.git`, or one above it for a project in a subfolder of it
  const gitDir = discoverRepo(project.dir)?.gitDir ?? null;
  return {
    bwrap,
    // probed only for a CLI that would make a sandbox of its own (Backend.outerSandbox)
    nested: backend?.outerSandbox ? nestedSandboxWorks(bwrap) : true,
    home,
    ownFiles,
    existing: new Set(ownFiles.files.map((file) => join(home, file)).filter((path) => existsSync(path))),
    seed,
    hidden,
    gitDir: gitDir !== null && isDir(gitDir) ? gitDir : null,
    // <package>/bin/ao: the agent's launcher and hooks run ao from there
    aoFolder: aoEntry !== null && isAbsolute(aoEntry) ? dirname(dirname(aoEntry)) : null,
  };
}

/** A CLI's file copied where its sandboxed runs keep it, once: what is there already is its own and stays. */
function seedOnce(from: string, to: string): void {
  if (existsSync(to) || !existsSync(from) || !lstatSync(from).isFile()) return;
  copyFileSync(from, to, constants.COPYFILE_EXCL);
  chmodSync(to, 0o600);
}

/**
 * The environment a sandboxed agent's CLI gets (Backend.sandboxed), under its
 * own env, which wins: an agent that sets CLAUDE_CONFIG_DIR itself keeps it.
 */
export function sandboxEnv(agent: AgentSpec, home: string): Record<string, string> {
  const spec = agent.kind === 'service' ? undefined : getBackend(agent.backend).sandboxed;
  return Object.fromEntries(
    Object.entries(spec?.env ?? {})
      .filter(([name]) => agent.env[name] === undefined)
      .map(([name, rel]) => [name, join(home, rel)]),
  );
}

function isDir(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Makes what the agent's mounts need before its start: its own coordination
 * files (ao's own regular files, 0600: never a link, which bubblewrap would
 * follow to whatever it names), its outbox, its backend's folders under HOME,
 * and the repository's hooks folder (bound read-only, so none can be planted).
 */
export function prepareSandbox(
  project: Pick<Project, 'stateDir' | 'phases' | 'agents'> & Parameters<typeof ownCoordFiles>[0],
  agent: AgentSpec,
  facts: SandboxFacts,
): void {
  const own = ownCoordFiles(project, agent);
  for (const dir of own.dirs) ensureDir(dir);
  for (const file of own.files) {
    ensureDir(dirname(file));
    createOwn(file);
  }
  for (const dir of facts.ownFiles.dirs) mkdirSync(join(facts.home, dir), { recursive: true, mode: DIR_MODE });
  for (const [from, to] of facts.seed) seedOnce(join(facts.home, from), join(facts.home, to));
  if (facts.gitDir) mkdirSync(join(facts.gitDir, 'hooks'), { recursive: true, mode: 0o755 });
}
