import { execa } from 'execa';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';
import type { CliHome } from './standin-env.js';
import { onePhaseFiles, sleepersFiles, writeProject } from './project-files.js';

export { onePhaseFiles, sleepersFiles, writeProject };

export const REPO = join(import.meta.dirname, '..', '..');
export const AO = join(REPO, 'bin', 'ao');

export interface AoResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A tmux socket name no other test (or person) uses. */
export function uniqueSocket(tag: string): string {
  return `ao-test-${tag}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Runs the built CLI as a user would, on the given private socket. */
export async function runAo(args: string[], options: { cwd: string; socket: string; env?: Record<string, string>; input?: string }): Promise<AoResult> {
  const result = await execa(process.execPath, [AO, ...args], {
    cwd: options.cwd,
    reject: false,
    env: { AO_TMUX_SOCKET: options.socket, AO_CONFIG: '', TMUX: '', ...options.env },
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' }),
  });
  return { code: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** Runs tmux on the test's own socket. */
export async function tmux(socket: string, args: string[]): Promise<AoResult> {
  const result = await execa('tmux', ['-L', socket, ...args], { reject: false, env: { TMUX: '' } });
  return { code: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

export async function serverRunning(socket: string): Promise<boolean> {
  return (await tmux(socket, ['list-sessions'])).code === 0;
}

/** Kills the test's own tmux server (never the default one). */
export async function killServer(socket: string): Promise<void> {
  await tmux(socket, ['kill-server']);
}

/** Kills the test's own tmux server and removes the socket file a killed tmux 3.3a server can leave behind. */
export async function killServerAndSocket(socket: string): Promise<void> {
  await killServer(socket);
  if ((await tmux(socket, ['list-sessions'])).code !== 0)
    rmSync(join(process.env.TMUX_TMPDIR || tmpdir(), `tmux-${process.getuid?.() ?? 0}`, socket), { force: true });
}

/** A fresh copy of the repository's demo project: at `dir` (made where missing, as a fleet's project), or in a temp folder. */
export function demoProject(dir = mkdtempSync(join(tmpdir(), 'ao-test-'))): string {
  for (const path of ['agents.toml', 'prompts', 'phases']) cpSync(join(REPO, path), join(dir, path), { recursive: true });
  return dir;
}

/** A temp project from a map of relative path -> content. */
export function makeProject(files: Record<string, string>): string {
  return writeProject(mkdtempSync(join(tmpdir(), 'ao-test-')), files);
}

/**
 * Removes a test's project folder. A launcher whose tmux server was just killed
 * can still be writing its exit record while the folder goes (ENOTEMPTY), so the
 * removal is retried a few times.
 */
export function removeProject(dir: string): void {
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}

export async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 10_000, stepMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export type Ao = (...args: string[]) => Promise<AoResult>;

export interface Team {
  dir: string;
  socket: string;
  /** runs the built CLI in the project on its socket */
  ao: Ao;
  /** `ao down`, the test's tmux server killed (and the socket file it can leave), the folder removed (with retries) */
  cleanup: () => Promise<void>;
}

export interface TeamOptions {
  /** what every `ao` of the team runs with, over runAo's own environment */
  env?: Record<string, string>;
  /** a socket shared with other teams of the test (several projects on one tmux server); default: one of its own */
  socket?: string;
  /**
   * Who calls cleanup: `afterTest`, the team itself when the test that made it
   * ends, passed or failed (make it inside the test); `afterAll`, the team itself
   * after the tests of the file or describe that made it (make it while they are
   * collected: at the top of the file or in the describe); left out, the caller.
   */
  teardown?: 'afterTest' | 'afterAll';
  /** what cleanup removes where the project is a subfolder of a folder the test made (a repository's); default the project folder */
  folder?: string;
  /** cleanup also ends, by pid, what still carries the socket's name after the server is killed (endLeftovers): agents whose server was killed under them */
  leftovers?: boolean;
}

/** A temp project from a map of files, on a socket of its own. */
export function team(tag: string, files: Record<string, string>, options: TeamOptions = {}): Team {
  return teamIn(tag, makeProject(files), options);
}

/** A team in a project folder made already (demoProject, a folder for `ao init`), on a socket of its own; cleanup removes the folder. */
export function teamIn(tag: string, dir: string, options: TeamOptions = {}): Team {
  const socket = options.socket ?? uniqueSocket(tag);
  const env = options.env ?? {};
  const t: Team = {
    dir,
    socket,
    ao: (...args: string[]) => runAo(args, { cwd: dir, socket, env }),
    cleanup: async () => {
      await runAo(['down'], { cwd: dir, socket, env });
      await killServerAndSocket(socket);
      if (options.leftovers) endLeftovers(socket);
      removeProject(options.folder ?? dir);
    },
  };
  if (options.teardown === 'afterTest') onTestFinished(t.cleanup);
  else if (options.teardown === 'afterAll') afterAll(t.cleanup);
  return t;
}

/**
 * Shell agents that sleep (persistent), plus `extra` agents.toml text, in two
 * phases, with the watchdog's timings scaled down: the team the supervision
 * tests kill things under.
 */
export function sleepersTeam(tag: string, names: readonly string[], extra = '', options: TeamOptions = {}): Team {
  return team(tag, sleepersFiles(names, { extra }), options);
}

/** An agent as `ao status --json` reports it (the fields the tests read). */
export interface StatusAgent {
  name: string;
  state: string;
  pid: number | null;
  /** the watchdog only: the sh in its pane that restarts it */
  supervisor_pid?: number | null;
  restarts: number;
  iteration: number;
  detail: string | null;
  /** the model it runs on, and whether that is its fallback model */
  model: string | null;
  fallback: boolean;
}

export async function statusOf(ao: Ao): Promise<{ code: number; agents: Record<string, StatusAgent> }> {
  const result = await ao('status', '--json');
  const json = JSON.parse(result.stdout) as { agents: StatusAgent[] };
  return { code: result.code, agents: Object.fromEntries(json.agents.map((a) => [a.name, a])) };
}

export interface EventLine {
  time: string;
  agent: string;
  event: string;
  reason: string;
  details?: Record<string, unknown>;
}

/** Every event in the project's log (`ao events --json`). */
export async function eventsOf(ao: Ao): Promise<EventLine[]> {
  const result = await ao('events', '--json', '-n', '1000');
  return result.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as EventLine);
}

/**
 * Ends, by pid, what still carries this test's unique socket name after `ao down`
 * (a CLI's daemon that detached from its pane's process group, a TUI that ignores
 * SIGTERM). Returns the pids it signalled.
 */
export function endLeftovers(socket: string): number[] {
  const mark = `AO_TMUX_SOCKET=${socket}\0`;
  const pids = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid)
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/environ`, 'latin1').includes(mark);
      } catch {
        return false; // gone, or not ours to read
      }
    })
    .map(Number);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return pids;
}

/**
 * The end of a test of a CLI against its stand-in (tests/helpers/standin-env.ts, which the soak bundles and so imports
 * no vitest): `ao down`, the test's tmux server and what outlived it (a TUI that ignores SIGHUP and SIGTERM, as Gemini
 * CLI's), the stand-in, the HOME, the project.
 */
export async function endStandInTeam(t: { dir: string; socket: string; server: { close(): Promise<void> }; home: CliHome }): Promise<void> {
  await runAo(['down'], { cwd: t.dir, socket: t.socket });
  await killServer(t.socket);
  endLeftovers(t.socket);
  await t.server.close();
  t.home.remove();
  removeProject(t.dir);
}
