/**
 * Hosts for fleet tests: each a real OpenSSH server the test starts on a
 * loopback address of its own, with its own host key, config and authorized
 * key, and a HOME, a runtime folder and a tmux socket of its own given to
 * every login through the key's `environment=` options (PermitUserEnvironment).
 * The machine's own sshd and its configuration are never touched; every
 * process here is ended by its pid.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const SSHD = '/usr/sbin/sshd';

/** The client side: one key for every host, one known_hosts with each host's key. */
export interface SshClient {
  key: string;
  knownHosts: string;
}

export interface TestHost {
  name: string;
  address: string;
  port: number;
  /** its file tree: HOME, runtime folder, config, keys */
  dir: string;
  home: string;
  /** the tmux socket its logins get as AO_TMUX_SOCKET */
  socket: string;
  hostKey: string;
  /** the listening sshd; null when stopped */
  process: ChildProcess | null;
}

/** A free TCP port on `address` (the sshd binds it right after). */
async function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, address, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function makeClient(dir: string): SshClient {
  const key = join(dir, 'id_client');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'ao-test', '-f', key]);
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, '');
  return { key, knownHosts };
}

/** Makes a host's files (nothing runs yet); `env` goes to every login's environment too. */
export async function makeHost(name: string, address: string, root: string, client: SshClient, socket: string, env: Record<string, string>): Promise<TestHost> {
  const dir = join(root, name);
  const home = join(dir, 'home');
  mkdirSync(join(dir, 'run'), { recursive: true, mode: 0o700 });
  mkdirSync(home, { recursive: true });
  const hostKey = join(dir, 'host_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', hostKey]);
  const environment = { HOME: home, XDG_RUNTIME_DIR: join(dir, 'run'), AO_TMUX_SOCKET: socket, ...env };
  const options = Object.entries(environment)
    .map(([k, v]) => `environment="${k}=${v}"`)
    .join(',');
  writeFileSync(join(dir, 'authorized_keys'), `${options} ${readFileSync(`${client.key}.pub`, 'utf8')}`, { mode: 0o600 });
  const port = await freePort(address);
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `ListenAddress ${address}:${port}`,
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'PermitUserEnvironment yes',
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'X11Forwarding no',
      'PrintMotd no',
      '',
    ].join('\n'),
  );
  const [type, body] = readFileSync(`${hostKey}.pub`, 'utf8').split(' ');
  writeFileSync(client.knownHosts, `[${address}]:${port} ${type} ${body}\n`, { flag: 'a' });
  return { name, address, port, dir, home, socket, hostKey, process: null };
}

/** Starts the host's sshd and waits (bounded: 10 s) until it listens; its log goes to sshd.log in the host's folder. */
export async function startHost(host: TestHost): Promise<void> {
  // sshd run as root wants its privilege separation folder; made only where it is missing
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });
  const logFile = join(host.dir, 'sshd.log');
  const before = existsSync(logFile) ? readFileSync(logFile, 'utf8').length : 0;
  const child = spawn(SSHD, ['-D', '-E', logFile, '-f', join(host.dir, 'sshd_config')], { stdio: 'ignore' });
  host.process = child;
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  for (let i = 0; i < 200; i++) {
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(before) : '';
    if (/Server listening on/.test(log)) return;
    if (exited !== null) throw new Error(`sshd of ${host.name} exited ${exited}: ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`sshd of ${host.name} did not listen within 10 s`);
}

/** The sshd's per-connection children (the sessions it serves). */
export function sessionsOf(host: TestHost): number[] {
  const pid = host.process?.pid;
  if (!pid) return [];
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return (
          readFileSync(`/proc/${d}/stat`, 'utf8')
            .replace(/^.*\) /, '')
            .split(' ')[1] === String(pid)
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

function signal(pids: readonly number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // gone already
    }
  }
}

/** Kills the host's sshd and the sessions it serves (what a host that goes down does to its connections). */
export async function killHost(host: TestHost): Promise<void> {
  const child = host.process;
  if (!child) return;
  const pids = [child.pid!, ...sessionsOf(host)];
  const exited = new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
  signal(pids, 'SIGCONT');
  signal(pids, 'SIGKILL');
  await exited;
  host.process = null;
}

/** Freezes the host's sshd and its sessions (SIGSTOP): connections stay open and nothing answers. Returns the pids, for thaw. */
export function freezeHost(host: TestHost): number[] {
  const pids = [host.process!.pid!, ...sessionsOf(host)];
  signal(pids, 'SIGSTOP');
  return pids;
}

export function thaw(pids: readonly number[]): void {
  signal(pids, 'SIGCONT');
}

/** The ssh argv a fleet.toml gives for the host: the test's own key and known_hosts, none of the machine's ~/.ssh. */
export function sshOf(host: TestHost, client: SshClient, knownHosts = client.knownHosts): string[] {
  return [
    'ssh',
    '-F',
    '/dev/null',
    '-o',
    `UserKnownHostsFile=${knownHosts}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'StrictHostKeyChecking=yes',
    '-i',
    client.key,
    '-o',
    'IdentitiesOnly=yes',
    '-p',
    String(host.port),
  ];
}

/** The pids of processes whose command line holds `mark` (ssh clients and masters with the test's control folder). */
export function processesWith(mark: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid)
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(mark);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Ends, by pid, the processes whose command line holds `mark`. */
export function endProcessesWith(mark: string): number[] {
  const pids = processesWith(mark);
  signal(pids, 'SIGKILL');
  return pids;
}
