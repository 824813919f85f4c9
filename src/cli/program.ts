import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { processIo, type Io } from './io.js';
import { fleetCommands } from './program-fleet.js';
import { aoVersion } from './package-version.js';

/** The exit code a command returned; commander's own parse errors become 2. */
export type Outcome = number;

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

/**
 * Parses arguments and dispatches; each command lives in its own module,
 * loaded only when it runs (`ao status` must not pay for `ao dash`).
 */
export function buildProgram(io: Io = processIo(), done: (code: Outcome) => void): Command {
  const program = new Command('ao')
    .description('ao: a supervisor for teams of coding agents, each in its own tmux session')
    .option('-c, --config <file>', 'the agents.toml to use (default: found by walking up; env AO_CONFIG)')
    .version(`ao ${aoVersion()}`, '-V, --version', "print ao's version (ao version --verbose: node's, tmux's and the agent CLIs' too)")
    .showHelpAfterError('(run with --help for usage)')
    // every subcommand's --help shows -c too (the settings are inherited)
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride();
  const globals = (): { config?: string } => program.opts<{ config?: string }>();
  const run = (action: () => Promise<number>) => async () => done(await action());

  program
    .command('version')
    .description("print ao's version; --verbose adds node's, tmux's and each agent CLI's on PATH")
    .option('--verbose', "node's, tmux's and the agent CLIs' versions too")
    .option('--json', 'print them as a JSON object')
    .action(async (opts: { verbose?: boolean; json?: boolean }) => run(async () => (await import('./commands/version.js')).version(opts, io))());

  program
    .command('init')
    .description('scaffold a working demo project (agents.toml, prompts/, phases/); never overwrites')
    .argument('[dir]', 'folder to create it in', '.')
    .option('--fleet <file>', 'register it in this fleet.toml too (created when missing)')
    .option('--name <name>', 'its name in the fleet (default: the folder name)')
    .option('--worktrees', 'builder and adversary each in its own git worktree, the gate bound to commits (the folder must be a git repository by `ao up`)')
    .action(async (dir: string, opts: { fleet?: string; name?: string; worktrees?: boolean }) =>
      run(async () => (await import('./commands/init.js')).init({ dir, ...opts }, io))(),
    );

  program
    .command('check')
    .description('validate agents.toml and its files; print the team each phase resolves to (writes nothing)')
    .option('--json', 'print the resolved team as JSON')
    .action(async (opts: { json?: boolean }) => run(async () => (await import('./commands/check.js')).check({ ...globals(), ...opts }, io))());

  program
    .command('up')
    .description('start the team, or the named agents; running agents are left alone')
    .argument('[agents...]', 'agents to start (default: every enabled agent but tasks)')
    .option('--dry-run', 'print the exact tmux commands instead of running them')
    .option('--no-watchdog', 'do not start the watchdog (nothing will heal the agents)')
    .option('--wait', 'stay in the foreground until the team is down (`ao down`: exit 0; its tmux server lost: exit 1); what a boot unit runs')
    .addOption(
      new Option(
        '--ready-timeout <seconds>',
        'seconds from the start of ao up to report on pasted kickoffs (default 4.5; the watchdog pastes them however late); with --no-watchdog, how long to wait for a ready screen (default 60)',
      ).argParser(integer),
    )
    .action(async (agents: string[], opts: { dryRun?: boolean; readyTimeout?: number; watchdog?: boolean; wait?: boolean }) =>
      run(async () => (await import('./commands/up.js')).up({ ...globals(), agents, ...opts }, io))(),
    );

  program
    .command('down')
    .description("stop the team, or the named agents (only this project's own sessions)")
    .argument('[agents...]', 'agents to stop (default: all, the watchdog last)')
    .action(async (agents: string[]) => run(async () => (await import('./commands/down.js')).down({ ...globals(), agents }, io))());

  program
    .command('restart')
    .description('stop and start an agent with a fresh kickoff; clears a failed state')
    .argument('<agent>', 'the agent')
    .option('--fresh', 'begin a new conversation instead of continuing the kept one (agent key `resume`)')
    .action(async (agent: string, o: { fresh?: boolean }) =>
      run(async () => (await import('./commands/restart.js')).restart({ ...globals(), agent, ...(o.fresh ? { fresh: true } : {}) }, io))(),
    );

  program
    .command('status')
    .description('where the phase and every agent stand (read-only); exit 3 when an agent that should run does not')
    .option('--json', 'print one JSON object')
    .action(async (opts: { json?: boolean }) => run(async () => (await import('./commands/status.js')).status({ ...globals(), ...opts }, io))());

  program
    .command('attach')
    .description("attach the terminal to an agent's tmux session (detach with C-b d)")
    .argument('<agent>', 'the agent')
    .action(async (agent: string) => run(async () => (await import('./commands/attach.js')).attach({ ...globals(), agent }, io))());

  program
    .command('send')
    .description("append a message to an agent's inbox; works whether or not the team runs")
    .argument('<agent>', 'the recipient')
    .argument('[message...]', 'the message, its words joined by spaces (none, or -, reads stdin; put -- before text that starts with -)')
    .option('--json', 'print the message sent as JSON')
    .action(async (agent: string, message: string[], opts: { json?: boolean }) =>
      run(async () => (await import('./commands/send.js')).send({ ...globals(), agent, message, ...opts }, io))(),
    );

  program
    .command('logs')
    .description("print what an agent's pane printed, escape sequences removed; without an agent, the whole team's, each line after its agent's name")
    .argument('[agent]', 'the agent (default: every enabled agent)')
    .option('-f, --follow', 'keep printing new output')
    .option('--raw', "the current iteration's raw JSON stream instead (one-shot agents)")
    .addOption(new Option('-n, --lines <n>', 'how many lines to show').argParser(integer).default(50))
    .action(async (agent: string | undefined, opts: { follow?: boolean; raw?: boolean; lines: number }) =>
      run(async () => (await import('./commands/logs.js')).logs({ ...globals(), ...(agent === undefined ? {} : { agent }), ...opts }, io))(),
    );

  program
    .command('cost')
    .description('tokens and cost per phase and agent, with totals, from state/usage.jsonl (read-only); a cost ao priced from [models.prices] is marked *')
    .option('--json', 'print one JSON object: rows per phase and agent, phases, agents, total')
    .action(async (opts: { json?: boolean }) => run(async () => (await import('./commands/cost.js')).cost({ ...globals(), ...opts }, io))());

  program
    .command('doctor')
    .description('what on this machine would stop the run: tmux, each agent CLI and its flags, credentials, disk, sessions, the boot unit')
    .option('--json', 'print one JSON object: { project, ok, checks: [ { check, status, detail, fix } ] }')
    .action(async (opts: { json?: boolean }) => run(async () => (await import('./commands/doctor.js')).doctor({ ...globals(), ...opts }, io))());

  program
    .command('service')
    .description('a systemd user unit that starts the team at boot: install [--print], uninstall, status')
    .argument('<action>', 'install, uninstall or status')
    .option('--print', 'install: print the unit and write nothing')
    .option('--json', 'status: print one JSON object')
    .action(async (action: string, opts: { print?: boolean; json?: boolean }) =>
      run(async () => (await import('./commands/service.js')).service({ ...globals(), action, ...opts }, io))(),
    );

  program
    .command('format-stream', { hidden: true })
    .description("a one-shot agent's JSON stream made readable (what a loop's pane runs around the CLI)")
    .requiredOption('--backend <backend>', 'whose stream: claude, codex or gemini')
    .option('--raw <file>', 'keep the raw stream here (the last one rotated to FILE.1)')
    .option('--signals <file>', "append the CLI's retries of its provider here, for the watchdog")
    .addOption(new Option('--max-raw-bytes <n>', 'cap of the raw file').argParser(integer))
    .argument('[command...]', 'the agent to run (after --); none: format stdin')
    .action(async (command: string[], opts: { backend: string; raw?: string; signals?: string; maxRawBytes?: number }) =>
      run(async () => (await import('./commands/format-stream.js')).formatStreamCommand({ ...opts, command }))(),
    );

  program
    .command('events')
    .description("the watchdog's decisions: one line per start, death, restart, nudge or failure")
    .argument('[agents...]', 'only these agents (or phase, config, watchdog, notify); default: all')
    .option('-f, --follow', 'keep printing new events')
    .option('--json', 'one JSON object per line')
    .addOption(new Option('-n, --lines <n>', 'how many past events to show').argParser(integer).default(50))
    .action(async (agents: string[], opts: { follow?: boolean; json?: boolean; lines: number }) =>
      run(async () => (await import('./commands/events.js')).events({ ...globals(), agents, ...opts }, io))(),
    );

  program
    .command('verify')
    .description('whether the ledger (events.jsonl, hash-chained) is intact: exit 0, or 1 naming the file, line and seq of the first break')
    .option('--json', 'print the result as one JSON object')
    .option('--head <seq:hash>', 'also check that the ledger still holds this entry (a head kept elsewhere: ao status --json, a notification)')
    .action(async (opts: { json?: boolean; head?: string }) => run(async () => (await import('./commands/verify.js')).verify({ ...globals(), ...opts }, io))());

  program
    .command('bundle')
    .description("one .tar.gz of the project's state for someone else: config, status, ledger, logs' tails; secrets redacted; MANIFEST.sha256")
    .option('--out <file>', 'where to write it (default: ao-bundle-<project>-<time>.tar.gz here)')
    .option('--streams', "also each loop's raw stream of its last iteration")
    .option('--json', 'print the path, size and what was redacted as JSON')
    .action(async (opts: { out?: string; streams?: boolean; json?: boolean }) =>
      run(async () => (await import('./commands/bundle.js')).bundle({ ...globals(), ...opts }, io))(),
    );

  program
    .command('inbox')
    .description("print an agent's messages, oldest first (read-only)")
    .argument('<agent>', 'the agent')
    .option('--json', 'print a JSON array of messages')
    .addOption(new Option('-n, --lines <n>', 'show only the latest n messages (default: all)').argParser(integer))
    // the earlier name of -n, kept working
    .addOption(new Option('--last <n>').argParser(integer).hideHelp())
    .action(async (agent: string, opts: { json?: boolean; lines?: number; last?: number }) =>
      run(async () => (await import('./commands/inbox.js')).inbox({ ...globals(), agent, json: opts.json, last: opts.lines ?? opts.last }, io))(),
    );

  program
    .command('run')
    .description('run a task agent now (kind = "task"); it is done when it exits 0')
    .argument('<task>', 'the task')
    .action(async (task: string) => run(async () => (await import('./commands/run.js')).run({ ...globals(), task }, io))());

  const workspacesCommand = program
    .command('workspaces')
    .description("each worktree agent's worktree: path, branch, head, commits ahead of and behind the base, uncommitted and untracked files (reads only)")
    .option('--json', 'print one JSON object')
    .action(async (opts: { json?: boolean }) => run(async () => (await import('./commands/workspaces.js')).workspaces({ ...globals(), ...opts }, io))());
  workspacesCommand
    .command('remove')
    .description(
      "remove a stopped agent's worktree (plain `git worktree remove`; its branch deleted only when the base holds all its commits); refuses while it has uncommitted or untracked files or commits not on the base",
    )
    .argument('<agent>', 'the agent')
    .option('--force', 'remove it with its uncommitted and untracked files (only this worktree; a branch with commits not on the base is kept)')
    .action(async (agent: string, opts: { force?: boolean }) =>
      run(async () => (await import('./commands/workspaces.js')).workspaceRemove({ ...globals(), agent, ...opts }, io))(),
    );

  program
    .command('phase')
    .description('show the phase, its plan, claims and verdicts; or move it by hand (next, set ID)')
    .argument('[action]', 'status (default), next, or set', 'status')
    .argument('[id]', 'the phase id, for set')
    .option('--json', 'print one JSON object (status)')
    .action(async (action: string, id: string | undefined, opts: { json?: boolean }) =>
      run(async () => (await import('./commands/phase.js')).phase({ ...globals(), action, id, ...opts }, io))(),
    );

  program
    .command('notify')
    .description('notifications: `ao notify test` sends one to each [notify] target, says how it went')
    .argument('<action>', 'test')
    .option('--json', 'print the notification and each attempt as JSON')
    .action(async (action: string, opts: { json?: boolean }) =>
      run(async () => (await import('./commands/notify.js')).notify({ ...globals(), action, ...opts }, io))(),
    );

  program
    .command('dash')
    .description('the team, live: phase, agents, screens, journal, review, inboxes, events; keys to act (needs a terminal)')
    .option('--fleet [file]', "every project of the fleet.toml (default: found by walking up; env AO_FLEET); enter opens one's dashboard")
    .action(async (opts: { fleet?: string | boolean }) =>
      run(async () => {
        if (opts.fleet === undefined) return (await import('./commands/dash.js')).dash(globals(), io);
        return (await import('./commands/dash-fleet.js')).dashFleet(typeof opts.fleet === 'string' ? { file: opts.fleet } : {}, io);
      })(),
    );

  program
    .command('web')
    .description('serve the team to a browser or a phone: pages, a JSON API and live events, behind a token (foreground; Ctrl-C stops it, the team runs on)')
    .option(
      '--listen <host:port>',
      'where to listen (default: [web] listen of agents.toml, else 127.0.0.1:7420; port 0 picks a free one); beyond loopback put TLS in front',
    )
    .option('--open', 'print the URL to open (with its token) as the thing to do next')
    .option('--json', 'print the URLs as one JSON line')
    .option('--url', 'print the URL to open, with its token, and serve nothing (for the ao web that [web] listen keeps)')
    .option(
      '--fleet [file]',
      "every project of the fleet.toml (default: found by walking up; env AO_FLEET) on one server and one token: the fleet's page at /, each project under /p/NAME/ (a remote one through its host)",
    )
    .action(async (opts: { listen?: string; open?: boolean; json?: boolean; url?: boolean; fleet?: string | boolean }) =>
      run(async () => (await import('./commands/web.js')).web({ ...globals(), ...opts }, io))(),
    );

  fleetCommands(program.command('fleet'), io, run);

  program
    .command('watchdog')
    .description('run the watchdog in the foreground (what `ao up` starts in its own tmux session)')
    .action(async () => run(async () => (await import('./commands/watchdog.js')).watchdog(globals(), io))());

  program
    .command('demo-agent', { hidden: true })
    .description("the demo backend's agent (what a demo agent's pane runs)")
    .requiredOption('--name <name>')
    .requiredOption('--kind <kind>')
    .requiredOption('--kickoff-file <file>')
    .option('--model <model>')
    .option('--pace <seconds>', 'seconds between steps', Number)
    .action(async (opts: { name: string; kind: string; kickoffFile: string; model?: string; pace?: number }) =>
      run(async () => {
        const { runDemoAgent } = await import('../demo/agent.js');
        return runDemoAgent({ ...opts, ...(opts.pace !== undefined ? { paceS: opts.pace } : {}), stdin: process.stdin, stdout: process.stdout });
      })(),
    );

  program
    .command('explain')
    .description("which signals decided an agent's state, and when each was last seen (reads only)")
    .argument('<agent>', 'the agent')
    .option('--json', 'print one JSON object')
    .action(async (agent: string, opts: { json?: boolean }) =>
      run(async () => (await import('./commands/explain.js')).explain({ ...globals(), agent, ...opts }, io))(),
    );

  program
    .command('schema')
    .description("print the JSON Schema of agents.toml (for editors; ao init's #:schema line names the shipped copy)")
    .action(async () => run(async () => (await import('./commands/schema.js')).schema(io))());

  program
    .command('completion')
    .description('print a completion script for bash, zsh or fish (commands, options, the current project’s agents)')
    .argument('<shell>', 'bash, zsh or fish')
    .action(async (shell: string) =>
      run(async () => {
        io.out((await import('./commands/completion.js')).completionScript(shell));
        return 0;
      })(),
    );

  // internal: what the completion scripts ask at each TAB
  program
    .command('__complete', { hidden: true })
    .argument('[words...]', 'the words typed after ao')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (words: string[]) =>
      run(async () => {
        io.out(`${(await import('./commands/completion.js')).completions(program, words, globals(), io).join('\n')}\n`);
        return 0;
      })(),
    );

  // internal: what a Claude Code hook runs (the settings ao passes with --settings)
  program
    .command('hook-signal', { hidden: true })
    .argument('<file>', 'the agent’s signal file')
    .action(async (file: string) => run(async () => (await import('./commands/hook-signal.js')).hookSignal({ file }))());

  return program;
}

/** Parses and runs one command line; commander's own rejections become exit 2 (help and version 0). */
export async function runProgram(argv: readonly string[], io: Io): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version' ? 0 : 2;
  }
}
