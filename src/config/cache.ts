/**
 * A validated copy of the project in the state folder, keyed by everything
 * `loadProject` read to build it: the agents.toml text (by its sha256: the
 * text may hold env values, which the state folder never keeps, nor does the
 * copy: its env values are digests, config/secrets.ts), the tmux socket and session prefix, the
 * kickoff template, which prompt, plan and working folders exist, and the
 * build of ao that loaded it. `ao up` and the watchdog write it each time they
 * load agents.toml; `ao status` reads it, and on a hit needs neither the TOML
 * parser nor the schema (docs/PERFORMANCE.md). Anything that differs, or any
 * trouble reading it, is a miss: the caller loads agents.toml as before.
 *
 * The text is compared by its stat first, as git compares its index: an
 * agents.toml whose size, inode, mtime and ctime are those of the file the copy
 * was made from holds the same text, and `ao status` need not load node's crypto
 * module to hash it. Only a stat taken well after the file's last change counts
 * (a change in the same tick of the file system's clock would keep its ctime);
 * any other is a miss of the stat alone, and the hash decides.
 */
import { existsSync, readdirSync, readFileSync, statSync, type BigIntStats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { writeTextAtomic } from '../state/files.js';
import { layout } from '../state/layout.js';
import { JSON_CAP, readProjectText, readTextCapped } from '../state/safe-fs.js';
import { DEFAULT_STATE_DIR, inside, plainStateDir, realInside } from './find.js';
import type { LoadedProject } from './load.js';
import { sha256 } from '../state/digest.js';
import { maskProject } from '../state/secrets.js';
import type { Project } from './types.js';

declare const __AO_BUILD__: string | undefined;
/** a new build may resolve the same agents.toml differently: its copies are its own */
const BUILD = `2:${typeof __AO_BUILD__ === 'string' ? __AO_BUILD__ : 'source'}`;

interface ProjectCache {
  build: string;
  configFile: string;
  /** the sha256 of the agents.toml text it was loaded from */
  sourceHash: string;
  /** that file's stat, when it was taken long enough after its last change to stand for its text; else null */
  sourceStamp: string | null;
  /** the socket agents.toml alone names: with the reader's AO_TMUX_SOCKET it must give the project's */
  configSocket: string;
  /** the session prefix agents.toml alone gives: with the reader's AO_SESSION_PREFIX (a fleet's override) it must give the project's */
  configPrefix: string;
  project: Project;
}

/** Writes the copy of a project just loaded from `source` (its own state folder). */
export async function rememberProject({ project, source, configSocket, configPrefix }: LoadedProject): Promise<void> {
  const cache: ProjectCache = {
    build: BUILD,
    configFile: project.configFile,
    sourceHash: sha256(source),
    sourceStamp: settledStamp(project.configFile, source),
    configSocket,
    configPrefix,
    project: maskProject(project),
  };
  // read by every `ao status`, by no person: without indentation it parses in about half the time
  await writeTextAtomic(layout.projectCache(project.stateDir), `${JSON.stringify(cache)}\n`);
}

/**
 * How a copy looks at the files it was made from: on this host (`hereLook`),
 * or on another, from what one read of that host's files brought back (the
 * fleet's status of a remote project, fleet/host-read.ts). A look that cannot
 * tell throws, and the copy counts as a miss.
 */
export interface Look {
  /** agents.toml's text (throws when it cannot be read) */
  source(file: string): string;
  /** whether `path`, its links resolved, is inside `dir` (find.ts realInside) */
  realInside(dir: string, path: string): boolean;
  /** the copy's text, or null when there is none */
  copy(stateDir: string): string | null;
  /** whether `file`'s stat is `stamp` (a look that cannot stat says false, and the hash decides) */
  hasStamp(file: string, stamp: string): boolean;
  /** a project file's text as readProjectText reads it (throws when it is missing or not a file) */
  projectText(file: string): string;
  exists(path: string): boolean;
  isDirectory(path: string): boolean;
  /** a folder's entries; [] when it cannot be listed */
  list(dir: string): string[];
}

/** The files of this host. */
export const hereLook: Look = {
  source: (file) => readFileSync(file, 'utf8'),
  realInside,
  copy: (stateDir) => readTextCapped(layout.projectCache(stateDir), JSON_CAP),
  hasStamp: (file, stamp) => stampOf(statSync(file, { bigint: true })) === stamp,
  projectText: (file) => readProjectText(file),
  exists: existsSync,
  isDirectory: (path) => statSync(path).isDirectory(),
  list: listing,
};

/** The project `loadProject(file, env)` would return, from its copy; null when there is none that still holds. Never throws. */
export function cachedProject(file: string, env: NodeJS.ProcessEnv, look: Look = hereLook): Project | null {
  try {
    const source = look.source(file);
    const dir = dirname(file);
    // the state folder as a plain `state_dir = "…"` line names it; the copy says whether that was right
    const stateDir = resolve(dir, plainStateDir(source) ?? DEFAULT_STATE_DIR);
    if (!inside(dir, stateDir) || !look.realInside(dir, stateDir)) return null;
    const cache = JSON.parse(look.copy(stateDir) ?? 'null') as ProjectCache | null;
    if (cache === null) return null;
    const { project } = cache;
    const same =
      cache.build === BUILD &&
      cache.configFile === file &&
      ((cache.sourceStamp !== null && look.hasStamp(file, cache.sourceStamp)) || cache.sourceHash === sha256(source)) &&
      // the watchdog runs with AO_TMUX_SOCKET set to its socket, the person typing `ao status` usually without it
      (env.AO_TMUX_SOCKET || cache.configSocket) === project.tmuxSocket &&
      (env.AO_SESSION_PREFIX || cache.configPrefix) === project.sessionPrefix &&
      project.stateDir === stateDir &&
      project.configFile === file;
    return same && filesAsLoaded(project, look) ? project : null;
  } catch {
    return null;
  }
}

/** Everything of a stat that a write changes. */
const stampOf = (st: BigIntStats): string => `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;

/**
 * The stamp of `file` while it still holds `source`, or null when it changed
 * too recently: within 50 ms on a file system with fine timestamps (a clock tick
 * is at most 10 ms), 2 s on one that keeps whole seconds. The watchdog reloads
 * agents.toml 100 ms after its last write (wake-sources.ts), so its copies stamp.
 */
function settledStamp(file: string, source: string): string | null {
  try {
    const st = statSync(file, { bigint: true });
    if (readFileSync(file, 'utf8') !== source) return null;
    const settle = st.ctimeNs % 1_000_000_000n === 0n ? 2000 : 50;
    return Date.now() - Number(st.ctimeNs / 1_000_000n) > settle ? stampOf(st) : null;
  } catch {
    return null;
  }
}

/** Whether the files the loader looked at beside agents.toml are as they were. */
function filesAsLoaded(project: Project, look: Look): boolean {
  if (look.projectText(project.kickoffTemplatePath) !== project.kickoffTemplate) return false;
  if (!project.phases.every((p) => look.exists(p.planPath))) return false;
  // no prompt: the loader found no prompts/<name>.md either (one listing of the folder, not a look per agent)
  const prompts = new Set(look.list(join(project.dir, 'prompts')));
  if (!project.agents.every((a) => (a.prompt === null ? !prompts.has(`${a.name}.md`) : look.exists(a.prompt)))) return false;
  // a worktree agent's folder is made at its first start and checked at each: the loader does not look for it
  return [...new Set(project.agents.filter((a) => !a.worktree).map((a) => a.cwd))].every((cwd) => look.isDirectory(cwd));
}

function listing(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
