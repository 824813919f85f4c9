/**
 * The real-CLI tests' usual team: one loop `builder` of a real CLI against its
 * loopback stand-in, in a project of its own on a tmux socket of its own, with
 * its teardown (ao down, the server, the stand-in, the CLI's home) queued.
 */
import { realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StandIn } from '../fixtures/standins/common.js';
import { endStandInTeam, makeProject, runAo, uniqueSocket } from './ao.js';
import type { CliName } from './clis.js';
import { cliHome, tomlPairs, type CliHome } from './standin-env.js';

export interface CliLoopOptions {
  tag: string;
  cli: CliName;
  /** the CLI's program ('' when its install failed: the tests that need it are skipped) */
  bin: string;
  server: StandIn;
  /** the agent's `args` */
  args?: readonly string[];
  /** its environment beyond what points the CLI at the stand-in */
  env?: Readonly<Record<string, string>>;
  /** lines of [defaults] after its session_prefix */
  defaults?: readonly string[];
  /** lines of the agent's table after `min_iteration_s = 1` */
  agent?: readonly string[];
  /** lines after the phase's `plan` (its own keys, then other tables such as [watchdog]) */
  after?: readonly string[];
  /** the environment of every `ao` the test runs */
  aoEnv?: Readonly<Record<string, string>>;
}

export interface CliLoop {
  dir: string;
  socket: string;
  home: CliHome;
  ao: (...args: string[]) => ReturnType<typeof runAo>;
}

/** Writes the project and returns its `ao`; its teardown goes into `cleanups`. */
export function cliLoop(o: CliLoopOptions, cleanups: Array<() => Promise<void>>): CliLoop {
  const socket = uniqueSocket(o.tag);
  const dir = realpathSync(makeProject({ 'prompts/kickoff.md': 'Work on {phase_id}.\n', 'prompts/builder.md': 'unused\n', 'phases/one.md': '# one\n' }));
  const home = cliHome(o.cli, { url: o.server.url, trusted: [dir] });
  writeFileSync(
    join(dir, 'agents.toml'),
    [
      '[defaults]',
      `session_prefix = "${o.tag}-"`,
      ...(o.defaults ?? []),
      '[agents.builder]',
      'kind = "loop"',
      `backend = "${o.cli}"`,
      `command = ${JSON.stringify(o.bin)}`,
      ...(o.args ? [`args = [${o.args.map((a) => JSON.stringify(a)).join(', ')}]`] : []),
      `env = { ${tomlPairs({ ...home.env, ...o.env })} }`,
      'min_iteration_s = 1',
      ...(o.agent ?? []),
      '[[phases]]',
      'id = "one"',
      'plan = "one.md"',
      ...(o.after ?? []),
      '',
    ].join('\n'),
  );
  const ao = (...args: string[]) => runAo(args, { cwd: dir, socket, env: { ...o.aoEnv } });
  cleanups.push(() => endStandInTeam({ dir, socket, server: o.server, home }));
  return { dir, socket, home, ao };
}
