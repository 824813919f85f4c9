/**
 * How ao reaches another host of a fleet: the user's own OpenSSH, run per
 * command. ao never handles a password, a key or a host key: ssh runs in batch
 * mode (a prompt would be a hang), with a connect timeout, over one
 * multiplexed master connection per host whose socket sits in a private
 * folder of ao's, so that repeated commands do not pay the handshake. The
 * remote side is ao itself, on that host, with that host's tmux and state.
 *
 * The argv and the remote command line are pure (unit-tested as they are);
 * `classify` turns what ssh did into what the fleet reports.
 */
import { join } from 'node:path';
import type { FleetHost } from '../config/fleet.js';
import { runtimeDir } from '../state/env-file.js';
import { safeLine } from '../text/safe.js';
import { shellQuote } from '../tmux/client.js';

/** How long an idle master connection stays up after its last command. */
export const CONTROL_PERSIST_S = 300;

/** Keep-alives on the master: one to a host that froze ends by itself within a minute. */
const ALIVE = ['-o', 'ServerAliveInterval=15', '-o', 'ServerAliveCountMax=3'];

/** The 0700 folder of ao's own that holds the master connections' sockets. */
export const controlDir = (env: NodeJS.ProcessEnv): string => join(runtimeDir(env), 'ssh');

export interface SshOptions {
  /** the folder of the control sockets (controlDir) */
  controlDir: string;
  /** the deadline of the call; ssh's connect timeout is within it */
  timeoutMs: number;
  /** a terminal on the remote side (`ssh -t`), for a command a person uses */
  tty?: boolean;
}

/**
 * The argv that runs `remote` (one shell command line, see remoteCommand) on
 * `host`. BatchMode comes before the user's own options, so that none of
 * theirs can turn a prompt on (ssh keeps the first value it is given of an
 * option); the rest come after, so that theirs win.
 */
export function sshArgv(host: FleetHost, remote: string, options: SshOptions): string[] {
  const [program = 'ssh', ...own] = host.ssh;
  return [
    program,
    '-o',
    'BatchMode=yes',
    ...own,
    '-o',
    `ConnectTimeout=${Math.max(1, Math.ceil(options.timeoutMs / 1000))}`,
    '-o',
    'ControlMaster=auto',
    '-o',
    `ControlPath=${join(options.controlDir, '%C')}`,
    '-o',
    `ControlPersist=${CONTROL_PERSIST_S}`,
    ...ALIVE,
    options.tty ? '-t' : '-T',
    '--',
    host.destination,
    remote,
  ];
}

/** The argv that ends the host's master connection (after a deadline, so that nothing of ao's is left waiting). */
export function sshExitArgv(host: FleetHost, options: Pick<SshOptions, 'controlDir'>): string[] {
  const [program = 'ssh', ...own] = host.ssh;
  return [program, '-o', 'BatchMode=yes', ...own, '-o', `ControlPath=${join(options.controlDir, '%C')}`, '-O', 'exit', '--', host.destination];
}

/**
 * The one place a remote command line is made: ssh hands its command to the
 * remote user's shell as one string, so every word is quoted here, and only
 * here. The command runs in `cwd` (when given), with `env` set, as ao.
 */
export function remoteCommand(ao: string, args: readonly string[], options: { cwd?: string; env?: Readonly<Record<string, string>> } = {}): string {
  const env = Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`);
  const run = ['exec', ...(env.length > 0 ? ['env', ...env] : []), ao, ...args].map(shellQuote).join(' ');
  return options.cwd ? `cd ${shellQuote(options.cwd)} && ${run}` : run;
}

/** What one remote call came to. */
export type Reply =
  /** the remote ao ran: its output and exit code */
  | { kind: 'answer'; stdout: string; stderr: string; exitCode: number }
  /** down, refusing connections, or no answer within the deadline: the others go on */
  | { kind: 'unreachable'; reason: string }
  /** a host key that does not match, an authentication that failed, no ssh: a setup problem, nothing ran there */
  | { kind: 'refused'; reason: string }
  /** ssh worked and ao is not there */
  | { kind: 'no-ao'; reason: string };

/** ssh's own words for a failure that no retry mends: the user must see to the host's key or their credentials. */
const SETUP =
  /host key verification failed|remote host identification has changed|permission denied|too many authentication failures|no matching|could not resolve hostname|bad configuration option|unsupported option|ENOENT/i;

/** ssh's own words, shortened: its last lines (a host-key warning is a long banner that ends with the reason). */
export function sshWords(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => safeLine(l).trim())
    .filter((l) => l !== '' && !/^@+$/.test(l) && !/^@/.test(l));
  return lines.slice(-2).join(' ') || 'no message';
}

/**
 * Pure: what a call's result means. `aborted`: the deadline ended it. ssh
 * exits 255 for its own errors; a shell exits 127 for a program it cannot find.
 */
export function classify(
  result: { stdout: string; stderr: string; exitCode: number },
  context: { host: FleetHost; aborted: boolean; timeoutMs: number },
): Reply {
  const { host } = context;
  if (context.aborted) return { kind: 'unreachable', reason: `no answer from host "${host.name}" within ${context.timeoutMs / 1000} s` };
  if (result.exitCode === 255 || (result.exitCode === 127 && /ENOENT/.test(result.stderr) && result.stdout === '')) {
    const words = sshWords(result.stderr);
    return SETUP.test(result.stderr)
      ? { kind: 'refused', reason: `host "${host.name}" (${host.destination}): ${words}` }
      : { kind: 'unreachable', reason: `host "${host.name}" (${host.destination}): ${words}` };
  }
  if (result.exitCode === 127 || result.exitCode === 126)
    return {
      kind: 'no-ao',
      reason: `no ao at "${host.ao}" on host "${host.name}" (set ao = "/path/to/ao" in [hosts.${host.name}]): ${sshWords(result.stderr)}`,
    };
  return { kind: 'answer', ...result };
}
