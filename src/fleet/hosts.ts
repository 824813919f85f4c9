/**
 * The remote calls of one fleet command: each runs the host's ao over ssh
 * (the process port's runner), under the fleet's deadline. A host that failed
 * once in a command is not asked again in it (its projects get the same
 * answer at once), so a hanging host costs the timeout once, not per project;
 * after a deadline its master connection is ended, so that no process of
 * ao's is left waiting on it.
 */
import { CONFIG_FILE } from '../config/find.js';
import { fleetOverrides, type FleetHost, type FleetProject } from '../config/fleet.js';
import type { Runner } from '../process/run.js';
import { ensureOwnFolder } from '../state/env-file.js';
import { classify, controlDir, remoteCommand, sshArgv, sshExitArgv, type Reply } from './ssh.js';

/** How long ending a master connection may take (it answers locally). */
const EXIT_MS = 2000;

/**
 * What a start or a stop on a host that has answered may take beyond the
 * deadline: `ao up` of agents whose screens must read ready before their
 * kickoff takes seconds each, and cutting it short would leave half a team.
 */
export const WORK_GRACE_MS = 120_000;

export class Hosts {
  private readonly failed = new Map<string, Promise<Reply>>();
  private readonly dir: string;

  constructor(
    private readonly runner: Runner,
    env: NodeJS.ProcessEnv,
    readonly timeoutMs: number,
  ) {
    this.dir = controlDir(env);
  }

  /** Runs `ao ARGS` on the host, in no folder (`ao --version`), with `input` on its stdin when given. */
  host(host: FleetHost, args: readonly string[], input?: string): Promise<Reply> {
    return this.call(host, remoteCommand(host.ao, args), input);
  }

  /** Runs `command` on the host with `input` on its stdin (a script for the shell it names), under the fleet's deadline. */
  shell(host: FleetHost, command: string, input: string): Promise<Reply> {
    return this.call(host, command, input);
  }

  /**
   * Runs `ao -c <its agents.toml> ARGS` in a remote project's folder, with its
   * socket and prefix overrides; `work`: a start or a stop, whose deadline is
   * the fleet's plus WORK_GRACE_MS.
   */
  project(project: FleetProject & { host: FleetHost }, args: readonly string[], work = false): Promise<Reply> {
    const command = remoteCommand(project.host.ao, ['-c', `${project.dir}/${CONFIG_FILE}`, ...args], { cwd: project.dir, env: fleetOverrides(project) });
    return this.call(project.host, command, undefined, work ? this.timeoutMs + WORK_GRACE_MS : this.timeoutMs);
  }

  /** The argv of an interactive command in a remote project (`ao fleet run`, the dashboard's enter): no deadline, a terminal when asked. */
  interactiveArgv(project: FleetProject & { host: FleetHost }, args: readonly string[], tty: boolean): string[] {
    this.ensureDir();
    const command = remoteCommand(project.host.ao, ['-c', `${project.dir}/${CONFIG_FILE}`, ...args], { cwd: project.dir, env: fleetOverrides(project) });
    return sshArgv(project.host, command, { controlDir: this.dir, timeoutMs: this.timeoutMs, tty });
  }

  private ensureDir(): void {
    ensureOwnFolder(this.dir, "ssh's control sockets");
  }

  private async call(host: FleetHost, command: string, input?: string, timeoutMs = this.timeoutMs): Promise<Reply> {
    const before = this.failed.get(host.name);
    if (before) return before;
    this.ensureDir();
    const deadline = AbortSignal.timeout(timeoutMs);
    const result = await this.runner(sshArgv(host, command, { controlDir: this.dir, timeoutMs: this.timeoutMs }), {
      signal: deadline,
      ...(input !== undefined ? { input } : {}),
    });
    const reply = classify(result, { host, aborted: deadline.aborted, timeoutMs });
    if (reply.kind === 'unreachable' || reply.kind === 'refused') {
      if (!this.failed.has(host.name)) this.failed.set(host.name, Promise.resolve(reply));
      // a master left waiting on a host that hangs would hold a process of ao's until its keep-alives give up
      if (deadline.aborted) await this.runner(sshExitArgv(host, { controlDir: this.dir }), { signal: AbortSignal.timeout(EXIT_MS) });
    }
    return reply;
  }
}

/** The project, typed as remote when it has a host. */
export const isRemote = (p: FleetProject): p is FleetProject & { host: FleetHost } => p.host !== null;

/** The major of a version as `ao --version` prints it (`ao 1.2.3`), or null. */
export function majorOf(text: string): number | null {
  const m = /(\d+)\.\d+\.\d+/.exec(text);
  return m ? Number(m[1]) : null;
}
