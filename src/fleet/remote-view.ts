/**
 * A remote project's `ao status`, built here from one read of its host's
 * files (host-read.ts) by the read model `ao status` runs there: its copy of
 * agents.toml checked as that host's ao checks it (config/cache.ts, through a
 * Look at what the read brought), then readProjectView over a StateSource of
 * the read's sections. Anything the read cannot vouch for — no copy, a copy of
 * another build or of an edited agents.toml, a corrupt state file, totals of
 * another usage.jsonl, a file it did not bring, a tmux error — is a miss
 * (null), and the project is asked of its host's ao.
 */
import { posix } from 'node:path';
import { cachedProject, type Look } from '../config/cache.js';
import { CONFIG_FILE } from '../config/find.js';
import type { Project } from '../config/types.js';
import { readProjectView, type StateSource } from '../readmodel/view.js';
import { checkAgents, type AgentsState } from '../state/agents.js';
import { parseExitRecord } from '../state/exits.js';
import { parseStateText } from '../state/files.js';
import { checkPhase, initialPhaseState } from '../state/phase.js';
import { parseHolder } from '../state/pidlock.js';
import { emptyReport, keptTotalsOf, type UsageReport } from '../state/usage.js';
import type { StatusReport } from '../supervisor/status.js';
import { watchdogFrom } from '../supervisor/watchdog-pid.js';
import { NOTHING_THERE } from '../tmux/client.js';
import { parseSnapshot, type PaneInfo } from '../tmux/snapshot.js';
import type { HostRead, ProjectRead } from './host-read.js';

/** What the read cannot vouch for: the project is asked of its host's ao. */
class Miss extends Error {}

/** The project's status as its host's `ao status --json` would build it, or null (a miss). */
export function statusFromRead(dir: string, read: HostRead, index: number, now = Date.now()): StatusReport | null {
  const project = read.projects.get(index);
  if (!project) return null;
  try {
    const copy = projectOf(dir, project);
    const panes = panesOf(read, project, copy.tmuxSocket);
    return readProjectView(copy, panes, { source: sourceOf(project), now }).report;
  } catch (error) {
    if (error instanceof Miss) return null;
    throw error;
  }
}

/** A section the read brought (null: the file is missing); a Miss when it did not bring it, or the file is not one to read. */
function section(project: ProjectRead, name: string): string | null {
  const text = project.sections.get(name);
  if (text === undefined || project.bad.has(name)) throw new Miss(name);
  return text;
}

/** The project's copy, when it holds for the files the read saw. */
function projectOf(dir: string, read: ProjectRead): Project {
  const [socket = '', prefix = ''] = section(read, 'env')!.split('\n');
  const env = { AO_TMUX_SOCKET: socket, AO_SESSION_PREFIX: prefix };
  const stateDir = section(read, 'state');
  const paths = new Map<string, string>();
  for (const line of (section(read, 'paths') ?? '').split('\n')) if (line.length > 2) paths.set(line.slice(2), line[0]!);
  const kind = (path: string): string => {
    const seen = paths.get(path);
    if (seen === undefined) throw new Miss(path);
    return seen;
  };
  const look: Look = {
    source: (file) => section(read, 'toml') ?? fail(file),
    // the state folder the script read must be the one the copy is looked for in
    realInside: (_dir, path) => stateDir !== null && path === posix.resolve(stateDir) && section(read, 'real') === '1',
    copy: () => section(read, 'copy'),
    hasStamp: () => false,
    projectText: (file) => (kind(file) === 'f' ? (section(read, 'kickoff') ?? fail(file)) : fail(file)),
    exists: (path) => kind(path) !== '-',
    isDirectory: (path) => kind(path) === 'd',
    list: () => (section(read, 'prompts') ?? '').split('\n').filter((n) => n !== ''),
  };
  const project = cachedProject(posix.join(dir, CONFIG_FILE), env, look);
  if (!project) throw new Miss('copy');
  return project;
}

function fail(what: string): never {
  throw new Miss(what);
}

/** The panes of the project's socket as list-panes printed them. */
function panesOf(read: HostRead, project: ProjectRead, socket: string): PaneInfo[] {
  if (section(project, 'socket') !== socket) throw new Miss('socket');
  const listed = read.panes.get(socket);
  if (!listed) throw new Miss('panes');
  if (listed.code === 0) return parseSnapshot(listed.text);
  if (NOTHING_THERE.test(listed.text)) return [];
  throw new Miss('tmux');
}

/** The read model's files, from the read: a file it would read around (corrupt, another usage.jsonl) is a miss. */
function sourceOf(read: ProjectRead): StateSource {
  const state = <T>(name: string, check: (value: unknown) => T | { problem: string }, missing: () => T): T => {
    const parsed = parseStateText(section(read, name), check);
    if (parsed.status === 'corrupt') throw new Miss(name);
    return parsed.status === 'ok' ? parsed.value : missing();
  };
  return {
    team: () => ({
      agents: state<AgentsState>('agents', checkAgents, () => ({ version: 1, agents: {} })),
      phase: state('phase', checkPhase, initialPhaseState),
      note: null,
      failure: null,
    }),
    configError: () => {
      try {
        return (JSON.parse(section(read, 'config-error') ?? 'null') as { message?: string } | null)?.message ?? null;
      } catch {
        return null;
      }
    },
    exit: (_stateDir, agent) => {
      const text = read.exits.get(agent);
      return text === undefined || text.length > 256 ? null : parseExitRecord(text);
    },
    usage: () => usageOf(read),
    watchdog: (_stateDir, panePid) => {
      const args = read.sections.get('proc-args');
      return watchdogFrom(parseHolder(section(read, 'lock')), panePid, read.sections.get('proc-stat') ?? null, args == null ? null : args.split('\n'));
    },
  };
}

/** The totals kept of usage.jsonl as it is now (its stamp from the host's stat), none without one; else a miss. */
function usageOf(read: ProjectRead): UsageReport {
  const stat = read.sections.get('usage-stat');
  if (stat === undefined) return emptyReport();
  const m = /^(\d+) (\d+) (\d+)\.(\d{9})\n?$/.exec(stat ?? '');
  if (!m) throw new Miss('usage');
  // node's mtimeMs, from the seconds and nanoseconds stat prints (state/files.ts stampOf)
  const report = keptTotalsOf(section(read, 'usage-totals'), `${m[1]}:${m[2]}:${Number(m[3]) * 1000 + Number(m[4]) / 1e6}`);
  if (!report) throw new Miss('usage');
  return report;
}
