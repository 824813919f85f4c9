/**
 * The fleet's projects on other hosts, as the fleet commands check and run
 * them: each through its host's own ao over ssh (src/fleet/), every host at
 * once. A host that does not answer is set apart (the others go on); a host
 * whose key or login is refused, that has no ao or another major version of
 * it, or a project whose agents.toml does not validate there, is a problem
 * that stops a start everywhere, as a local config error does.
 */
import { posix } from 'node:path';
import { namespaceClashes, type Fleet, type FleetHost, type FleetProject } from '../config/fleet.js';
import { isRemote, majorOf, type Hosts } from '../fleet/hosts.js';
import type { Reply } from '../fleet/ssh.js';
import { safeText } from '../text/safe.js';
import { aoVersion } from './package-version.js';

export type RemoteProject = FleetProject & { host: FleetHost };

/** What a remote `ao check --json` said of a project that validates. */
export interface RemoteTeam {
  agents: number;
  phases: number;
  socket: string;
  prefix: string;
  /** the remote ao's version */
  version: string;
}

export interface RemoteCheck {
  /** the projects that check out, by name */
  loaded: Map<string, RemoteTeam>;
  /** every problem, each naming its project and host */
  problems: string[];
  /** the projects whose host did not answer: why */
  unreachable: Map<string, string>;
}

const label = (p: RemoteProject): string => `project "${p.name}" (host ${p.host.name})`;

/** Text from another host, as a person may read it: its control sequences removed, its lines indented by the caller. */
export const remoteText = (text: string): string => safeText(text).trimEnd();

/**
 * Pure: the problem with a host's `ao --version` answer, or null when its
 * major version is this ao's (a different major may read config and state
 * otherwise, so it is refused, with both versions named).
 */
export function versionProblem(host: FleetHost, answer: string, local = aoVersion()): string | null {
  const remote = majorOf(answer);
  if (remote === null) return `host "${host.name}": "${host.ao} --version" printed no version (${remoteText(answer).slice(0, 80) || 'nothing'})`;
  if (remote !== majorOf(local))
    return `host "${host.name}" runs ao ${remoteText(answer).replace(/^ao\s+/, '')}, this is ao ${local}: a different major version is refused (install the same on both)`;
  return null;
}

/** Checks each remote project as `ao check` would, on its host, and its host's ao version; writes nothing anywhere. */
export async function checkRemote(fleet: Fleet, projects: readonly FleetProject[], hosts: Hosts): Promise<RemoteCheck> {
  const remote = projects.filter(isRemote);
  const used = [...new Map(remote.map((p) => [p.host.name, p.host])).values()];
  const [versions, checks] = await Promise.all([
    Promise.all(used.map(async (host) => [host.name, await hosts.host(host, ['--version'])] as const)),
    Promise.all(remote.map(async (p) => [p, await hosts.project(p, ['check', '--json'])] as const)),
  ]);
  const problems: string[] = [];
  const unreachable = new Map<string, string>();
  const version = new Map<string, string>();
  const badHosts = new Set<string>();
  for (const [name, reply] of versions) {
    const host = used.find((h) => h.name === name)!;
    if (reply.kind === 'answer') {
      const problem =
        reply.exitCode === 0
          ? versionProblem(host, reply.stdout.trim())
          : `host "${name}": ${host.ao} --version exited ${reply.exitCode}: ${remoteText(reply.stderr)}`;
      if (problem) {
        problems.push(problem);
        badHosts.add(name);
      } else version.set(name, reply.stdout.trim().replace(/^ao\s+/, ''));
    } else if (reply.kind !== 'unreachable') {
      problems.push(reply.reason);
      badHosts.add(name);
    }
  }
  const loaded = new Map<string, RemoteTeam>();
  for (const [p, reply] of checks) {
    if (badHosts.has(p.host.name)) continue;
    if (reply.kind === 'unreachable') unreachable.set(p.name, reply.reason);
    else if (reply.kind !== 'answer') problems.push(`${label(p)}: ${reply.reason}`);
    else {
      const team = reply.exitCode === 0 ? parseCheck(reply.stdout, version.get(p.host.name) ?? '?') : null;
      if (team) loaded.set(p.name, team);
      else problems.push(...checkProblems(remoteText(reply.stderr) || `ao check exited ${reply.exitCode}`).map((l) => `${label(p)}: ${onHost(l, p)}`));
    }
  }
  // two projects on one host must not share its sessions, as on this one
  const spaces = remote.flatMap((p) => {
    const team = loaded.get(p.name);
    return team ? [{ name: p.name, host: p.host.name, index: p.index, socket: team.socket, prefix: team.prefix }] : [];
  });
  for (const clash of namespaceClashes(fleet, spaces)) problems.push(clash.format(fleet.dir));
  return { loaded, problems, unreachable };
}

/**
 * Pure: the problems a remote `ao check` printed, one each, its excerpt (the
 * source line and the caret under it) kept on the lines after it, as a local
 * project's are shown.
 */
export function checkProblems(stderr: string): string[] {
  const problems: string[] = [];
  for (const line of stderr.split('\n')) {
    if (line.trim() === '' || line === 'ao: config error') continue;
    const last = problems.length - 1;
    if (last >= 0 && /^\s*(\d+ \||\^)|^\s{2,}/.test(line)) problems[last] += `\n${line}`;
    else problems.push(line);
  }
  return problems;
}

/**
 * Pure: a remote ao's problem with the file it names made whole: the remote ao
 * names a file of the project relative to the project's folder (where it ran),
 * which means nothing here; it becomes `HOST:/absolute/path` (as `ao fleet
 * status` shows a remote project's place), its line and column kept. A problem
 * that does not start with a file's name (one with a "." or a "/" in it,
 * before its `:LINE:COL: ` or `: `) is left as it is.
 */
export function onHost(problem: string, project: Pick<RemoteProject, 'dir' | 'host'>): string {
  return problem.replace(
    /^([^\s:]*[./][^\s:]*)(?=(?::\d+(?::\d+)?)?: )/,
    (file) => `${project.host.name}:${file.startsWith('/') ? file : posix.join(project.dir, file)}`,
  );
}

/** A remote `ao check --json`, or null when it is not one. */
export function parseCheck(text: string, version: string): RemoteTeam | null {
  try {
    const d = JSON.parse(text) as { ok?: unknown; socket?: unknown; session_prefix?: unknown; phases?: Array<{ agents?: unknown[] }> };
    if (d.ok !== true || typeof d.socket !== 'string' || typeof d.session_prefix !== 'string' || !Array.isArray(d.phases)) return null;
    return { agents: d.phases[0]?.agents?.length ?? 0, phases: d.phases.length, socket: d.socket, prefix: d.session_prefix, version };
  } catch {
    return null;
  }
}

/** A remote command's answer as the fleet prints it under the project's name; its exit code (1 when its host was not reached). */
export function replyOutput(reply: Reply): { out: string; err: string; code: number } {
  if (reply.kind === 'answer') return { out: remoteText(reply.stdout), err: remoteText(reply.stderr), code: reply.exitCode };
  return { out: '', err: `${reply.kind === 'unreachable' ? 'unreachable' : 'cannot run there'}: ${reply.reason}`, code: reply.kind === 'unreachable' ? 1 : 2 };
}
