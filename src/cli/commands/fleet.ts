import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, posix, relative, resolve } from 'node:path';
import { CONFIG_FILE } from '../../config/find.js';
import { findFleet, loadFleet, notAProject, type Fleet, type FleetHost, type FleetProject } from '../../config/fleet.js';
import { AoError, ConfigError, UsageError } from '../../errors.js';
import { Hosts, isRemote } from '../../fleet/hosts.js';
import { spawnRunner } from '../../process/run.js';
import { checkFleet, indented, openFleet, projectIo, projectOptions, selectProjects, type FleetCheck, type FleetOptions } from '../fleet.js';
import { checkRemote, replyOutput, type RemoteProject } from '../fleet-remote.js';
import type { GlobalOptions, Io } from '../io.js';
import { down } from './down.js';
import { up } from './up.js';

export interface FleetSelection extends FleetOptions {
  names: string[];
}

/** Prints a check's problems; true when there were any (then nothing may start). */
function reportProblems(fleet: Fleet, check: FleetCheck, io: Io, what: string): boolean {
  if (check.problems.length === 0) return false;
  io.err(`ao: config error\n${check.problems.join('\n')}\n`);
  io.err(`${basename(fleet.file)}: ${check.problems.length} problem${check.problems.length > 1 ? 's' : ''}; ${what}\n`);
  return true;
}

/** `ao fleet validate`: every project's agents.toml (a remote one by its host's ao), every host's ao and its version, and no two projects in one namespace. Writes nothing. */
export async function fleetValidate(options: FleetOptions, io: Io): Promise<number> {
  const fleet = openFleet(options, io);
  // the hosts are asked first, so that they answer while the local projects load
  const pending = checkRemote(fleet, fleet.projects, hostsOf(fleet, io));
  const check = checkFleet(fleet, io);
  const remote = await pending;
  for (const entry of fleet.projects) {
    const local = check.loaded.get(entry.name);
    const there = remote.loaded.get(entry.name);
    const team = local ? { agents: local.agents.length, phases: local.phases.length, socket: local.tmuxSocket, prefix: local.sessionPrefix } : there;
    if (!team) continue;
    const host = entry.host && there ? `host ${entry.host.name} (ao ${there.version}), ` : '';
    io.out(
      `${entry.name}: ok (${team.agents} agents, ${team.phases} phases, ${host}socket ${team.socket}, prefix ${team.prefix})${entry.enabled ? '' : ' (disabled)'}\n`,
    );
  }
  const problems = { loaded: check.loaded, problems: [...check.problems, ...remote.problems] };
  if (reportProblems(fleet, problems, io, 'nothing was started')) return 2;
  if (reportUnreachable(remote.unreachable, io)) return 1;
  io.out(`${basename(fleet.file)}: ok (${fleet.projects.length} project${fleet.projects.length === 1 ? '' : 's'})\n`);
  return 0;
}

/** The fleet's remote calls for one command, under its deadline. */
const hostsOf = (fleet: Fleet, io: Io): Hosts => new Hosts(spawnRunner, io.env, fleet.timeoutMs);

/** Names the projects whose host did not answer; true when there were any. */
function reportUnreachable(unreachable: ReadonlyMap<string, string>, io: Io, what = 'not reached'): boolean {
  for (const [name, reason] of unreachable) io.err(`${name}: ${what}: ${reason}\n`);
  return unreachable.size > 0;
}

export interface FleetUpOptions extends FleetSelection {
  force?: boolean;
}

/**
 * `ao fleet up [NAME...]`: `ao up` in each enabled project (or the named
 * ones), after the whole fleet checks out; a project whose host does not
 * answer is named and the others start (exit 1).
 */
export async function fleetUp(options: FleetUpOptions, io: Io): Promise<number> {
  const fleet = openFleet(options, io);
  const targets = selectProjects(fleet, options.names, (p) => p.enabled, { start: true, force: options.force ?? false });
  const hosts = hostsOf(fleet, io);
  // every project to start must load (a remote one on its host), and none may share another's sessions, before anything starts
  const pending = checkRemote(fleet, targets, hosts);
  const check = checkFleet(
    fleet,
    io,
    targets.filter((p) => p.host === null),
  );
  const remote = await pending;
  if (reportProblems(fleet, { loaded: check.loaded, problems: [...check.problems, ...remote.problems] }, io, 'nothing was started')) return 2;
  if (targets.length === 0) io.out(`nothing to start: no enabled project in ${basename(fleet.file)}\n`);
  const reachable = targets.filter((p) => !remote.unreachable.has(p.name));
  const code = await eachProject(fleet, reachable, io, hosts, ['up'], (options, each) => up({ ...options, agents: [] }, each));
  return reportUnreachable(remote.unreachable, io, 'not started, its host did not answer') ? Math.max(code, 1) : code;
}

/**
 * Runs a one-project command in each project, under its name, with its Io;
 * a remote project runs `ao ARGS` on its host (every host at once, each
 * answer printed when the local ones are done; a host that answered the
 * check gets more than the deadline for the work itself). A project that fails (a
 * config error, a tmux failure, a host that does not answer) is reported and
 * the others still run. The exit code is the worst of them.
 */
async function eachProject(
  fleet: Fleet,
  targets: readonly FleetProject[],
  io: Io,
  hosts: Hosts,
  args: readonly string[],
  run: (options: GlobalOptions, io: Io) => Promise<number>,
): Promise<number> {
  const remote = targets.filter(isRemote).map((p) => [p, hosts.project(p, args, true)] as const);
  let code = 0;
  for (const entry of targets.filter((p) => p.host === null)) {
    io.out(`${entry.name}:\n`);
    const each = indented(projectIo(entry, io));
    try {
      code = Math.max(code, await run(projectOptions(entry), each));
    } catch (error) {
      if (!(error instanceof AoError)) throw error;
      each.err(`ao: ${error instanceof ConfigError ? `config error\n${error.format(fleet.dir)}` : error.message}\n`);
      code = Math.max(code, error.exitCode);
    }
  }
  for (const [entry, pending] of remote) {
    const reply = replyOutput(await pending);
    io.out(`${entry.name} (host ${entry.host.name}):\n`);
    const each = indented(io);
    if (reply.out) each.out(`${reply.out}\n`);
    if (reply.err) each.err(`${reply.err}\n`);
    code = Math.max(code, reply.code);
  }
  return code;
}

/** `ao fleet down [NAME...]`: `ao down` in every project (or the named ones), disabled ones too; a host that does not answer is named (exit 1). */
export async function fleetDown(options: FleetSelection, io: Io): Promise<number> {
  const fleet = openFleet(options, io);
  // disabled projects too: one started by `fleet up NAME --force` is stopped with the rest
  const targets = selectProjects(fleet, options.names, () => true);
  const hosts = hostsOf(fleet, io);
  // each host asked once within the deadline first: one that does not answer is not waited on for the longer stop
  await Promise.all([...new Map(targets.filter(isRemote).map((p) => [p.host.name, p.host])).values()].map((host) => hosts.host(host, ['--version'])));
  return eachProject(fleet, targets, io, hosts, ['down'], (options, each) => down({ ...options, agents: [] }, each));
}

export interface FleetAddOptions extends FleetOptions {
  path: string;
  name?: string | undefined;
  /** a project on this host of fleet.toml's [hosts] (its path a folder there) */
  host?: string | undefined;
}

/**
 * The fleet file to register in: `-f FILE` or AO_FLEET, created when missing;
 * else the nearest fleet.toml.
 */
export function fleetFileFor(options: FleetOptions, io: Io): string {
  const given = options.file ?? io.env.AO_FLEET;
  if (given && !existsSync(resolve(io.cwd, given))) {
    const file = resolve(io.cwd, given);
    if (!existsSync(dirname(file))) throw new UsageError(`cannot make ${file}: its folder ${dirname(file)} does not exist`);
    return file;
  }
  return findFleet({ file: options.file, cwd: io.cwd, env: io.env });
}

/**
 * What registering `dir` appends to the fleet file, or a usage error when the
 * folder or its name is there already (`project`: it must be a project now).
 */
export function registration(file: string, dir: string, name: string | undefined, project: boolean): string {
  const fleet: Fleet | null = existsSync(file) ? loadFleet(file) : null;
  if (project) {
    const problem = notAProject(dir);
    if (problem) throw new UsageError(`cannot add ${dir}: ${problem}`);
  }
  const as = name ?? basename(dir);
  const same = fleet?.projects.find((p) => p.dir === dir);
  if (same) throw new UsageError(`${dir} is in ${basename(file)} already (as "${same.name}")`);
  if (fleet?.projects.some((p) => p.name === as))
    throw new UsageError(`${basename(file)} has a project named "${as}" already; give this one another with --name`);
  if (!/^[A-Za-z0-9_.-]+$/.test(as)) throw new UsageError(`"${as}" cannot name a project (letters, digits, ".", "_" and "-" only); give one with --name`);
  const rel = relative(resolve(file, '..'), dir);
  const path = rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? dir : rel;
  return `[[projects]]\npath = ${JSON.stringify(path)}\n${name ? `name = ${JSON.stringify(name)}\n` : ''}`;
}

/** Appends a registration, with a blank line before it in a file that has text. */
export function register(file: string, entry: string): void {
  if (!existsSync(file)) writeFileSync(file, `# ao fleet: one [[projects]] per project (ao fleet --help)\n\n${entry}`);
  else appendFileSync(file, `\n${entry}`);
}

/** `ao fleet add PATH`: registers a project; refuses duplicates and folders that are not projects. */
export async function fleetAdd(options: FleetAddOptions, io: Io): Promise<number> {
  if (options.host !== undefined) return fleetAddRemote({ ...options, host: options.host }, io);
  const file = fleetFileFor(options, io);
  const dir = resolve(io.cwd, options.path);
  register(file, registration(file, dir, options.name, true));
  io.out(`added ${options.name ?? basename(dir)} (${dir}) to ${relative(io.cwd, file) || file}\n`);
  return 0;
}

/**
 * `ao fleet add --host NAME PATH`: a project on another host, registered only
 * once that host's ao has checked it as `ao fleet validate` does (reachable,
 * its version, the folder's agents.toml there); nothing is written otherwise.
 * The host must be in the fleet file already: that is where ssh learns how to
 * reach it.
 */
async function fleetAddRemote(options: FleetAddOptions & { host: string }, io: Io): Promise<number> {
  const fleet = openFleet(options, io);
  const host = fleet.hosts.find((h) => h.name === options.host);
  if (!host)
    throw new UsageError(
      `cannot add a project on host "${options.host}": ${basename(fleet.file)} has no [hosts.${options.host}]${fleet.hosts.length > 0 ? ` (it has: ${fleet.hosts.map((h) => h.name).join(', ')})` : ' (add one: [hosts.NAME] destination = "user@host")'}`,
    );
  const { project, text } = remoteRegistration(fleet, host, options.path, options.name);
  const check = await checkRemote(fleet, [project], hostsOf(fleet, io));
  if (reportProblems(fleet, { loaded: new Map(), problems: check.problems }, io, `nothing was added`)) return 2;
  if (reportUnreachable(check.unreachable, io, 'not added, its host did not answer')) return 1;
  register(fleet.file, text);
  const team = check.loaded.get(project.name)!;
  io.out(
    `added ${project.name} (${host.name}:${project.dir}) to ${relative(io.cwd, fleet.file) || fleet.file}: ${team.agents} agents, ${team.phases} phases, host ${host.name} (ao ${team.version}), socket ${team.socket}, prefix ${team.prefix}\n`,
  );
  return 0;
}

/**
 * Pure: a remote project's [[projects]] entry and the project it makes, or a
 * usage error: its path is a folder on that host (absolute, as there is no
 * fleet folder there to be relative to), and neither its folder on that host
 * nor its name may be in the file already.
 */
export function remoteRegistration(fleet: Fleet, host: FleetHost, path: string, name: string | undefined): { project: RemoteProject; text: string } {
  if (!path.startsWith('/')) throw new UsageError(`a project on host "${host.name}" needs an absolute path (a folder on that host), not "${path}"`);
  const dir = path.replace(/(?<=.)\/+$/, '');
  const as = name ?? basename(dir);
  const same = fleet.projects.find((p) => p.host?.name === host.name && p.dir === dir);
  if (same) throw new UsageError(`${host.name}:${dir} is in ${basename(fleet.file)} already (as "${same.name}")`);
  if (fleet.projects.some((p) => p.name === as))
    throw new UsageError(`${basename(fleet.file)} has a project named "${as}" already; give this one another with --name`);
  if (!/^[A-Za-z0-9_.-]+$/.test(as)) throw new UsageError(`"${as}" cannot name a project (letters, digits, ".", "_" and "-" only); give one with --name`);
  const project: RemoteProject = {
    name: as,
    dir,
    configFile: posix.join(dir, CONFIG_FILE),
    enabled: true,
    tmuxSocket: null,
    sessionPrefix: null,
    index: fleet.projects.length,
    host,
  };
  return {
    project,
    text: `[[projects]]\npath = ${JSON.stringify(dir)}\n${name ? `name = ${JSON.stringify(name)}\n` : ''}host = ${JSON.stringify(host.name)}\n`,
  };
}
