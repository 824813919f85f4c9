import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { spawnRunner, type RunResult, type Runner } from '../process/run.js';

/**
 * One long-lived control-mode client (`tmux -C`, man tmux: CONTROL MODE) that
 * answers the questions a process would otherwise be spawned for. It attaches
 * to a session that exists while its user runs (the watchdog's own), with
 * `no-output` (no %output lines for that pane) and `ignore-size` (it never
 * shapes a window), so it makes no session of its own and a snapshot sees
 * nothing new. Each command line is answered by one block, `%begin T N 1` …
 * `%end T N 1` (or `%error`), in the order the lines were written; the lines
 * in a block are the command's output as is (only %output escapes anything).
 */

/** What the control client will not carry: it goes to a spawned process as before. */
export function controlLine(args: readonly string[], options: { input?: string; signal?: AbortSignal } = {}): string | null {
  // stdin and aborts belong to a process; `;` would make one line answer in several blocks, fewer if one fails
  if (options.input !== undefined || options.signal || args.length === 0) return null;
  // a blocking wait-for would hold every command behind it
  if (args[0] === 'wait-for' && !args.includes('-S')) return null;
  // a line is one command: a newline or another control character cannot be written inside it
  // eslint-disable-next-line no-control-regex
  if (args.some((a) => a === ';' || /[\x00-\x08\x0a-\x1f\x7f]/.test(a))) return null;
  return args.map(tmuxQuote).join(' ');
}

/** One word for tmux's own parser: single quotes keep `$`, `~`, `#`, `;` and `\` as they are. */
export function tmuxQuote(word: string): string {
  return /^[A-Za-z0-9_./=:@,+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

interface Pending {
  resolve: (result: RunResult) => void;
}

const LOST = 'lost server (the control client ended)\n';
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 30_000;

export interface ControlOptions {
  socket: string;
  /** the session the client attaches to (it must exist while the client is wanted) */
  session: string;
  /** where commands go while the client is not up: a process each, as before */
  fallback?: Runner;
  now?: () => number;
}

export class ControlClient {
  private child: ChildProcessWithoutNullStreams | null = null;
  private ready = false;
  private readonly queue: Pending[] = [];
  /** the block being read: its %begin's "T N F" and its lines */
  private block: { key: string; ours: boolean; lines: string[] } | null = null;
  private attachSeen = false;
  private partial = '';
  private backoff = BACKOFF_MIN_MS;
  private nextAttempt = 0;
  private closed = false;
  /** how many clients were started (tests and benches read it) */
  started = 0;
  private readonly fallback: Runner;
  private readonly now: () => number;

  constructor(private readonly options: ControlOptions) {
    this.fallback = options.fallback ?? spawnRunner;
    this.now = options.now ?? Date.now;
  }

  /** A Runner for `Tmux`: argv `tmux -L socket ...args` through the client when it can carry it. */
  readonly runner: Runner = (argv, options = {}) => {
    // a `-N` (start no server) means nothing to a client attached to the server
    const args = argv[0] === 'tmux' && argv[1] === '-L' && argv[2] === this.options.socket ? argv.slice(argv[3] === '-N' ? 4 : 3) : null;
    const line = args ? controlLine(args, options) : null;
    if (line === null || !this.usable()) return this.fallback(argv, options);
    return this.send(line);
  };

  /** Whether commands go through the client now; starts one (never two) when none runs and the backoff allows. */
  usable(): boolean {
    if (this.ready && this.child) return true;
    if (!this.child && !this.closed && this.now() >= this.nextAttempt) this.connect();
    return false;
  }

  get connected(): boolean {
    return this.ready && this.child !== null;
  }

  /** The client's pid, while one runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private send(line: string): Promise<RunResult> {
    return new Promise((resolve) => {
      this.queue.push({ resolve });
      this.child?.stdin.write(`${line}\n`);
    });
  }

  private connect(): void {
    this.started++;
    const child = spawn('tmux', ['-L', this.options.socket, '-C', 'attach-session', '-f', 'no-output,ignore-size', '-t', `=${this.options.session}`], {
      env: { ...process.env, TMUX: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    this.ready = false;
    this.attachSeen = false;
    this.block = null;
    this.partial = '';
    const decoder = new StringDecoder('utf8');
    child.stdout.on('data', (chunk: Buffer) => this.read(decoder.write(chunk)));
    child.stderr.resume();
    child.stdin.on('error', () => undefined);
    child.on('error', () => this.ended(child));
    child.on('close', () => this.ended(child));
    // the watchdog's event loop must not wait on it
    child.unref();
    for (const s of [child.stdin, child.stdout, child.stderr] as const) (s as unknown as { unref?: () => void }).unref?.();
  }

  private read(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  private line(line: string): void {
    if (this.block) {
      const { key, ours, lines } = this.block;
      const end = line === `%end ${key}`;
      if (!end && line !== `%error ${key}`) {
        lines.push(line);
        return;
      }
      this.block = null;
      if (!this.attachSeen) {
        // the first block is the attach command's (flags 0: it came from the command line, not from stdin)
        this.attachSeen = true;
        this.ready = end;
        if (end) this.backoff = BACKOFF_MIN_MS;
        return;
      }
      // blocks of commands this client did not write (flags 0) answer nobody here
      if (!ours) return;
      const text = lines.length ? `${lines.join('\n')}\n` : '';
      this.queue.shift()?.resolve(end ? { stdout: text, stderr: '', exitCode: 0 } : { stdout: '', stderr: text, exitCode: 1 });
      return;
    }
    const begin = /^%begin (\d+ \d+ (\d+))$/.exec(line);
    if (begin) this.block = { key: begin[1] ?? '', ours: begin[2] === '1', lines: [] };
    // anything else outside a block is a notification (%session-changed, %exit, ...): nothing the answers need
  }

  private ended(child: ChildProcessWithoutNullStreams): void {
    if (this.child !== child) return;
    this.child = null;
    this.ready = false;
    this.block = null;
    // every command still waiting gets what a spawned client gets from a server that goes away
    for (const pending of this.queue.splice(0)) pending.resolve({ stdout: '', stderr: LOST, exitCode: 1 });
    this.nextAttempt = this.now() + this.backoff;
    this.backoff = Math.min(BACKOFF_MAX_MS, this.backoff * 2);
  }

  /** Ends the client (its stdin closed: tmux detaches it); later calls spawn a process each. */
  close(): void {
    this.closed = true;
    const child = this.child;
    if (!child) return;
    child.stdin.end();
    this.ended(child);
  }
}

/**
 * Whether the watchdog and `ao dash` ask tmux through one control client each:
 * yes, unless AO_TMUX_CONTROL=0 (a process per question, as before, for
 * comparison or as a way out). The watchdog heals faster and idles lower, the
 * dashboard forks nothing each tick (docs/PERFORMANCE.md).
 */
export function controlWanted(env: NodeJS.ProcessEnv): boolean {
  return env.AO_TMUX_CONTROL !== '0';
}
