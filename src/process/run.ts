/**
 * The process port: how ao runs a program it waits for (tmux, systemctl, a
 * notify command, doctor's and version's probes, the fleet's ssh), an argv array through
 * node's own spawn, never a shell string. The other places that start
 * processes, each for one reason: tmux/control.ts (tmux's control-mode client,
 * held open), workspace/git.ts (git, through execa, with its timeouts) and
 * stream/run.ts (`ao format-stream` runs the agent CLI as its own child).
 */
import { spawn, spawnSync } from 'node:child_process';

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** A program run to its end: its output and exit code (127: not found; 130: aborted). */
export type Runner = (argv: readonly string[], options?: { input?: string; signal?: AbortSignal }) => Promise<RunResult>;

/**
 * Runs a program with node's own spawn. (execa would cost `ao status` about
 * 25 ms of loading for one short call: docs/PERFORMANCE.md.)
 */
export const spawnRunner: Runner = (argv, options = {}) =>
  new Promise((resolve) => {
    const [file, ...args] = argv;
    if (!file) throw new Error('empty argv');
    // a client started from inside tmux must not talk to the surrounding server
    const child = spawn(file, args, {
      env: { ...process.env, TMUX: '' },
      ...(options.signal ? { signal: options.signal } : {}),
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => resolve({ stdout: '', stderr: error.message, exitCode: error.name === 'AbortError' ? 130 : 127 }));
    child.on('close', (code, signal) =>
      resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), exitCode: code ?? (signal ? 128 : 1) }),
    );
    // a program that exits without reading its stdin must not end ao with an EPIPE
    child.stdin?.on('error', () => undefined);
    if (options.input !== undefined) child.stdin?.end(options.input);
  });

/**
 * The same through spawnSync, for a command that asks tmux once and exits
 * (`ao status`): no pipes, streams or events to set up, about 5 ms of a start
 * (docs/PERFORMANCE.md). It blocks the event loop while tmux answers.
 */
export const syncRunner: Runner = (argv, options = {}) => {
  const [file, ...args] = argv;
  if (!file) throw new Error('empty argv');
  const child = spawnSync(file, args, {
    env: { ...process.env, TMUX: '' },
    encoding: 'utf8',
    // a shared server's snapshot of thousands of panes is more than the 1 MB default
    maxBuffer: 256 * 1024 * 1024,
    ...(options.input !== undefined ? { input: options.input } : { stdio: ['ignore', 'pipe', 'pipe'] }),
  });
  if (child.error) return Promise.resolve({ stdout: '', stderr: child.error.message, exitCode: 127 });
  return Promise.resolve({ stdout: child.stdout, stderr: child.stderr, exitCode: child.status ?? (child.signal ? 128 : 1) });
};

/** Runs a program on this terminal (stdio inherited) until it exits; resolves to its exit code. */
export type Interactive = (argv: readonly string[]) => Promise<number>;

export const spawnInteractive: Interactive = (argv) =>
  new Promise((resolve) => {
    const [file, ...args] = argv;
    if (!file) throw new Error('empty argv');
    // a different tmux server than any surrounding one, so nesting is safe: clear $TMUX
    const child = spawn(file, args, { env: { ...process.env, TMUX: '' }, stdio: 'inherit' });
    child.on('error', () => resolve(1));
    child.on('close', (code) => resolve(code ?? 1));
  });
