import { basename, relative } from 'node:path';
import type { Fleet, FleetProject } from '../../config/fleet.js';
import { ConfigError, UsageError } from '../../errors.js';
import { Hosts, isRemote } from '../../fleet/hosts.js';
import { spawnRunner } from '../../process/run.js';
import { isHealthy, type StatusReport } from '../../supervisor/status.js';
import { phaseHeader, teamSummary } from '../../supervisor/labels.js';
import { openFleet, projectIo, projectOptions, selectProjects, type FleetOptions } from '../fleet-open.js';
import { onHost, type RemoteProject } from '../fleet-remote.js';
import { HOST_READ_COMMAND, hostReadScript, newBoundary, parseHostRead } from '../../fleet/host-read.js';
import { statusFromRead } from '../../fleet/remote-view.js';
import { statusJson } from '../format.js';
import type { Io } from '../io.js';
import { projectStatus } from './status.js';
import { jsonText, safeText } from '../../text/safe.js';

export interface FleetStatusOptions extends FleetOptions {
  names: string[];
  json?: boolean;
}

/** One project of the fleet as `ao fleet status` and the fleet dashboard see it. */
export interface FleetEntryStatus {
  entry: FleetProject;
  /** its `ao status`; null: neither its agents.toml nor a running team's config could be read, or its host did not answer */
  report: StatusReport | null;
  /** why it could not be read, or its config error, or why its host did not answer */
  error: string | null;
  healthy: boolean;
  /** false: its host did not answer (down, refusing, no answer within the deadline, a key or login refused) */
  reachable: boolean;
  /** how a remote project's status was read: one read of its host's files, built here ('files'), or its host's ao ('ao'); null here */
  via?: 'files' | 'ao' | null;
}

/**
 * Each project's `ao status`, read-only: a disabled or broken project is shown,
 * never started or written to. The projects of a host are asked through its
 * ao at once, every host at the same time, each call under the fleet's deadline.
 */
export async function readFleetStatus(
  fleet: Fleet,
  entries: readonly FleetProject[],
  io: Io,
  hosts = new Hosts(spawnRunner, io.env, fleet.timeoutMs),
): Promise<FleetEntryStatus[]> {
  // the remote calls start first, so that they run while the local reads block on tmux
  const byHost = new Map<string, RemoteProject[]>();
  for (const entry of entries.filter(isRemote)) byHost.set(entry.host.name, [...(byHost.get(entry.host.name) ?? []), entry]);
  const remote = new Map<string, Promise<FleetEntryStatus[]>>([...byHost].map(([name, projects]) => [name, hostStatus(projects, hosts)]));
  return Promise.all(
    entries.map(async (entry) => (entry.host ? (await remote.get(entry.host.name)!).find((s) => s.entry === entry)! : localStatus(entry, io, fleet.dir))),
  );
}

/**
 * The status of a host's projects from one call that reads their files there
 * and builds each status here, as that host's `ao status` would
 * (fleet/host-read.ts, fleet/remote-view.ts): no node starts on the host. A
 * project the read cannot vouch for is asked of the host's ao (askHost).
 */
async function hostStatus(projects: readonly RemoteProject[], hosts: Hosts): Promise<FleetEntryStatus[]> {
  const host = projects[0]!.host;
  const boundary = newBoundary();
  const reply = await hosts.shell(host, HOST_READ_COMMAND, hostReadScript(host.ao, projects, boundary));
  if (reply.kind === 'unreachable' || reply.kind === 'refused')
    return projects.map((entry) => ({ entry, report: null, error: reply.reason, healthy: false, reachable: false }));
  // a host without bash, or whose ao is missing, is asked as before (and says why)
  const read = reply.kind === 'answer' && reply.exitCode === 0 ? parseHostRead(reply.stdout, boundary) : null;
  const now = Date.now();
  const built = projects.map((entry, i) => {
    const report = read && statusFromRead(entry.dir, read, i, now);
    return report ? { ...answered(entry, report), via: 'files' as const } : null;
  });
  const missed = projects.filter((_, i) => !built[i]);
  const asked = missed.length > 0 ? await askHost(missed, hosts) : [];
  return projects.map((entry, i) => built[i] ?? asked.find((s) => s.entry === entry)!);
}

/**
 * The status of a host's projects from its ao: its own `fleet status
 * --json` of a fleet file made of just those projects, given on its stdin (one
 * ssh channel and one ao process for the host, however many projects it has).
 * A host of one project is asked its plain `ao status --json`, which ao
 * answers from the project's copy, sooner than a fleet command. When the file
 * does not load there (a folder missing), each project is asked alone, so
 * that each gets its own answer.
 */
async function askHost(projects: readonly RemoteProject[], hosts: Hosts): Promise<FleetEntryStatus[]> {
  const host = projects[0]!.host;
  if (projects.length === 1) return [await remoteStatus(projects[0]!, hosts)];
  const reply = await hosts.host(host, ['fleet', 'status', '--json', '-f', '/dev/stdin'], hostFleetToml(projects));
  if (reply.kind === 'unreachable' || reply.kind === 'refused' || reply.kind === 'no-ao')
    return projects.map((entry) => ({ entry, report: null, error: reply.reason, healthy: false, reachable: reply.kind === 'no-ao' }));
  const answers = reply.exitCode === 0 || reply.exitCode === 3 ? parseFleetAnswer(reply.stdout) : null;
  if (!answers) return Promise.all(projects.map((entry) => remoteStatus(entry, hosts)));
  return projects.map((entry) => {
    const report = answers.get(entry.name) ?? `on host "${host.name}": no answer for this project`;
    if (typeof report === 'string') return { entry, report: null, error: safeText(report), healthy: false, reachable: true };
    return answered(entry, report);
  });
}

/** A fleet file of a host's projects as its ao reads them: absolute paths, their names and overrides. */
export function hostFleetToml(projects: readonly FleetProject[]): string {
  return projects
    .map((p) =>
      [
        '[[projects]]',
        `path = ${JSON.stringify(p.dir)}`,
        `name = ${JSON.stringify(p.name)}`,
        ...(p.tmuxSocket ? [`tmux_socket = ${JSON.stringify(p.tmuxSocket)}`] : []),
        ...(p.sessionPrefix ? [`session_prefix = ${JSON.stringify(p.sessionPrefix)}`] : []),
        '',
      ].join('\n'),
    )
    .join('\n');
}

/** A remote `ao fleet status --json`: each project's report (or the error it could not be read for) by its name, or null when it is not one. */
export function parseFleetAnswer(text: string): Map<string, StatusReport | string> | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(data)) return null;
  const answers = new Map<string, StatusReport | string>();
  for (const item of data as Array<{ fleet?: { name?: unknown }; config_error?: unknown }>) {
    if (typeof item?.fleet?.name !== 'string') continue;
    const report = asReport(item);
    if (report) answers.set(item.fleet.name, report);
    else if (typeof item.config_error === 'string') answers.set(item.fleet.name, item.config_error);
  }
  return answers;
}

async function localStatus(entry: FleetProject, io: Io, relativeTo: string): Promise<FleetEntryStatus> {
  try {
    const status = await projectStatus(projectOptions(entry), projectIo(entry, io), true);
    return { entry, report: status.report, error: status.configError, healthy: !status.configError && isHealthy(status.report), reachable: true };
  } catch (error) {
    if (!(error instanceof ConfigError) && !(error instanceof UsageError)) throw error;
    return { entry, report: null, error: error instanceof ConfigError ? error.format(relativeTo) : error.message, healthy: false, reachable: true };
  }
}

async function remoteStatus(entry: RemoteProject, hosts: Hosts): Promise<FleetEntryStatus> {
  const reply = await hosts.project(entry, ['status', '--json']);
  const failed = (error: string, reachable = true): FleetEntryStatus => ({ entry, report: null, error, healthy: false, reachable });
  if (reply.kind === 'unreachable' || reply.kind === 'refused') return failed(reply.reason, false);
  if (reply.kind === 'no-ao') return failed(reply.reason);
  // `ao status` exits 0 when healthy and 3 when not; either way it printed the object
  const report = reply.exitCode === 0 || reply.exitCode === 3 ? parseReport(reply.stdout) : null;
  if (!report) return failed(`on host "${entry.host.name}": ${safeText(reply.stderr.trim()) || `ao status exited ${reply.exitCode}`}`);
  return answered(entry, report);
}

/** A remote project whose host answered with its status: healthy when it is and its config loads. */
function answered(entry: RemoteProject, report: StatusReport): FleetEntryStatus {
  return {
    entry,
    report,
    error: report.config_error && onHost(report.config_error, entry),
    healthy: !report.config_error && isHealthy(report),
    reachable: true,
    via: 'ao',
  };
}

/** A remote `ao status --json`, or null when it is not one (an older or a broken ao). */
export function parseReport(text: string): StatusReport | null {
  try {
    return asReport(JSON.parse(text));
  } catch {
    return null;
  }
}

/** The parsed object as a status report, when it has the shape of one. */
function asReport(data: unknown): StatusReport | null {
  const d = data as Partial<StatusReport> | null;
  if (!d || typeof d !== 'object' || typeof d.project !== 'string' || !Array.isArray(d.agents) || !d.phase || typeof d.phase.id !== 'string') return null;
  return d as StatusReport;
}

/** The JSON of one project: `ao status --json`'s object, with the fleet's own fields under `fleet`. */
export function fleetStatusJson({ entry, report, error, healthy, reachable, via }: FleetEntryStatus): object {
  const fleet = { name: entry.name, host: entry.host?.name ?? null, dir: entry.dir, enabled: entry.enabled, healthy, reachable, error, read: via ?? null };
  if (report) return { ...statusJson(report), fleet };
  return { project: entry.name, complete: false, phase: null, server: false, config_error: reachable ? error : null, agents: [], fleet };
}

/** Where a project is, as a person reads it: its folder relative to here, or `host:/path`. */
export const whereOf = (entry: FleetProject, cwd: string): string => (entry.host ? `${entry.host.name}:${entry.dir}` : relative(cwd, entry.dir) || '.');

/** `ao fleet status [NAME...] [--json]`: a header and a one-line summary per project; exit 3 when an enabled one is unhealthy or unreachable. */
export async function fleetStatus(options: FleetStatusOptions, io: Io): Promise<number> {
  const fleet = openFleet(options, io);
  const seen = await readFleetStatus(
    fleet,
    selectProjects(fleet, options.names, () => true),
    io,
  );
  if (options.json) io.out(`${jsonText(seen.map(fleetStatusJson), 2)}\n`);
  else {
    const blocks = seen.map(({ entry, report, error, reachable }) => {
      const lines = [`${entry.name} (${whereOf(entry, io.cwd)})${entry.enabled ? '' : ' disabled'}`];
      if (report) lines.push(`  ${phaseHeader(report.phase)}`, `  ${teamSummary(report)}`);
      if (error) lines.push(...`${!reachable ? 'unreachable' : entry.host && !report ? 'error' : 'config error'}: ${error}`.split('\n').map((l) => `  ${l}`));
      return lines.join('\n');
    });
    io.out(blocks.length > 0 ? `${blocks.join('\n\n')}\n` : `no projects in ${basename(fleet.file)} (ao fleet add PATH)\n`);
  }
  return seen.some((s) => s.entry.enabled && !s.healthy) ? 3 : 0;
}
