import type { Command } from 'commander';
import type { Io } from './io.js';

/** `ao fleet validate|up|down|status|run|add`: the projects of a fleet.toml, each through its own one-project command. */
export function fleetCommands(fleet: Command, io: Io, run: (action: () => Promise<number>) => () => Promise<void>): void {
  fleet.description('many projects from one fleet.toml, here and on other hosts: validate, up, down, status, run, add').addHelpText(
    'after',
    `
fleet.toml (found by walking up from here, or -f FILE, or env AO_FLEET):
  [[projects]]
  path = "web"              # the project folder, relative to fleet.toml
  name = "web"              # default: the folder name
  enabled = true            # false: only "fleet up NAME --force" starts it
  tmux_socket = "ao-web"    # optional: over agents.toml's and AO_TMUX_SOCKET
  session_prefix = "web-"   # optional: over agents.toml's
  host = "gpu-box"          # optional: a project on another machine (its path absolute there)

  [fleet]
  timeout_s = 10            # the deadline of every call to another host

  [hosts.gpu-box]
  destination = "me@gpu-box"                    # anything ssh accepts
  ssh = ["ssh", "-o", "ServerAliveInterval=15"] # optional: the ssh argv
  ao = "/home/me/.local/bin/ao"                 # optional: ao there (default: on its PATH)

Another host is reached through your own OpenSSH (batch mode, one multiplexed
connection per host) and runs its own ao, tmux and state: see docs/SCALE.md.`,
  );
  // `ao fleet` alone, or with a word that is no subcommand: usage, exit 2
  fleet.action(() =>
    run(async () => {
      io.err(fleet.helpInformation());
      return 2;
    })(),
  );
  const file = (c: Command): Command => c.option('-f, --file <file>', 'the fleet.toml (default: found by walking up; env AO_FLEET)');
  const load = () => import('./commands/fleet.js');
  file(fleet.command('validate'))
    .description("check fleet.toml and every project's agents.toml, and that no two projects share sessions (writes nothing)")
    .action(async (opts: { file?: string }) => run(async () => (await load()).fleetValidate(opts, io))());
  file(fleet.command('up'))
    .description('ao up in every enabled project, or the named ones; nothing starts unless the whole fleet checks out')
    .argument('[names...]', 'projects to start (default: every enabled one)')
    .option('--force', 'start a disabled project that is named')
    .action(async (names: string[], opts: { file?: string; force?: boolean }) => run(async () => (await load()).fleetUp({ ...opts, names }, io))());
  file(fleet.command('down'))
    .description('ao down in every project of the fleet, or the named ones')
    .argument('[names...]', 'projects to stop (default: all)')
    .action(async (names: string[], opts: { file?: string }) => run(async () => (await load()).fleetDown({ ...opts, names }, io))());
  file(fleet.command('status'))
    .description('each project: its phase and one line of agents and cost (read-only); exit 3 when an enabled one is unhealthy')
    .argument('[names...]', 'projects to show (default: all)')
    .option('--json', "a JSON array: each project's ao status --json object, with a fleet field")
    .action(async (names: string[], opts: { file?: string; json?: boolean }) =>
      run(async () => (await import('./commands/fleet-status.js')).fleetStatus({ ...opts, names }, io))(),
    );
  file(fleet.command('run'))
    .description('any ao command in one project, wherever it is: ao fleet run web -- logs builder -f (a remote one through ssh, -t on a terminal)')
    .argument('<name>', 'the project')
    .argument('[args...]', 'the ao command line to run there, after --')
    .action(async (name: string, args: string[], opts: { file?: string }) =>
      run(async () => (await import('./commands/fleet-run.js')).fleetRun({ ...opts, name, args }, io))(),
    );
  file(fleet.command('add'))
    .description(
      'register a project folder in fleet.toml; refuses duplicates and folders without an agents.toml (on another host: checked by its ao first, as fleet validate does)',
    )
    .argument('<path>', 'the project folder (with --host: an absolute path on that host)')
    .option('--name <name>', 'its name in the fleet (default: the folder name)')
    .option('--host <name>', "a project on that host of fleet.toml's [hosts]")
    .action(async (path: string, opts: { file?: string; name?: string; host?: string }) => run(async () => (await load()).fleetAdd({ ...opts, path }, io))());
}
