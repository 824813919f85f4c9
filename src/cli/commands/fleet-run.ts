import { UsageError } from '../../errors.js';
import { Hosts, isRemote } from '../../fleet/hosts.js';
import { spawnInteractive, spawnRunner } from '../../process/run.js';
import { openFleet, projectIo, selectProjects, type FleetOptions } from '../fleet.js';
import type { Io } from '../io.js';

export interface FleetRunOptions extends FleetOptions {
  name: string;
  /** the ao command line to run there */
  args: string[];
}

/**
 * `ao fleet run NAME -- <ao args>`: any ao command in one project, wherever it
 * is. A local project's runs here, with its overrides; a remote one's runs
 * through its host's ao over ssh, with no deadline (`logs -f`, `attach` last
 * as long as the person wants), with a terminal there (`ssh -t`) when this is
 * one. The exit code is the command's (255: ssh's own failure, which it named).
 */
export async function fleetRun(options: FleetRunOptions, io: Io): Promise<number> {
  if (options.args.length === 0)
    throw new UsageError(`nothing to run in "${options.name}": ao fleet run ${options.name} -- <ao command> (e.g. -- status --json)`);
  const fleet = openFleet(options, io);
  const [entry] = selectProjects(fleet, [options.name], () => true);
  if (!entry) throw new UsageError(`unknown project "${options.name}"`);
  if (isRemote(entry)) {
    const tty = io.isTTY && Boolean(process.stdin.isTTY);
    return spawnInteractive(new Hosts(spawnRunner, io.env, fleet.timeoutMs).interactiveArgv(entry, options.args, tty));
  }
  return (await import('../program.js')).runProgram(['-c', entry.configFile, ...options.args], projectIo(entry, io));
}
