import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TmuxError } from '../errors.js';
import { spawnInteractive, spawnRunner, type Interactive, type Runner } from '../process/run.js';
import { OWNER_OPTION, parseSnapshot, SNAPSHOT_FORMAT, type PaneInfo } from './snapshot.js';

export interface SessionSpec {
  name: string;
  cwd: string;
  /**
   * the pane's own program and arguments: executed directly, not typed into a shell.
   * No environment goes with them: a command line is readable by every local user,
   * and the tmux server keeps its first one for life (the pane's program reads a file)
   */
  argv: readonly string[];
  /** file that receives everything the pane prints */
  logFile?: string;
  /**
   * a tmux wait-for channel signalled when the pane dies: wakes the watchdog.
   * A tmux command, no shell and no pid: it can reach nothing but a waiter on this server.
   */
  wakeChannel?: string;
  /** the owning project (its absolute config path), kept as the session's @ao_project option */
  owner?: string;
  /**
   * tmux itself respawns the pane when its program dies of a signal or a
   * non-zero exit (exit 0 is a stop on purpose), with this `NAME=value` added
   * to its environment so the program knows. A hook, so lossy on tmux 3.3a
   * (DESIGN §5): a second line of defence, never the only one.
   */
  respawnOnCrash?: string;
  width?: number;
  height?: number;
}

/** Exact-match target of a session's active pane: `=builder:` never matches `builder-2`. */
export const target = (session: string): string => `=${session}:`;

/** Quotes a word for /bin/sh (used only for pipe-pane, whose argument tmux hands to a shell). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./=:@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * What tmux's pipe-pane runs to append a pane's output to its log: GNU dd,
 * which appends each chunk as it arrives and, unlike `cat >>`, refuses a link
 * planted at the log's name (oflag=nofollow). ao creates the log (0600) first.
 */
export const pipeToLog = (file: string): string => `exec dd of=${shellQuote(file)} oflag=append,nofollow conv=notrunc bs=65536 status=none`;

let pasteCount = 0;

/** wait-for channel names ao makes: one word tmux's parser leaves alone */
const CHANNEL = /^[A-Za-z0-9_-]+$/;

/**
 * The only code in ao that runs tmux. Every call carries `-L socket`, so ao
 * only ever talks to its own server.
 */
/** Every way tmux says "nothing there", including a server that exits under a racing `ao down`: an empty answer, not an error. */
export const NOTHING_THERE =
  /no server running|error connecting|can't find (session|window|pane)|no such (file|window)|no current target|server exited unexpectedly|lost server/i;

export class Tmux {
  constructor(
    readonly socket: string,
    private readonly runner: Runner = spawnRunner,
    private readonly interactive: Interactive = spawnInteractive,
    /** false: every command carries tmux's `-N`, so none starts a server where there is none */
    readonly startsServer = true,
  ) {}

  /**
   * The same client, whose commands never start a server. The watchdog lives in
   * the server, in a session of its own: a server that dies under it ends its
   * work, and a start it was making then must fail, not start a new server of
   * agents that nothing supervises.
   */
  neverStartingServer(): Tmux {
    return new Tmux(this.socket, this.runner, this.interactive, false);
  }

  /** tmux's socket file for `-L socket` (what tmux itself computes). */
  get socketPath(): string {
    // tmux's own rule: TMUX_TMPDIR, else /tmp (it ignores TMPDIR)
    const base = process.env.TMUX_TMPDIR || '/tmp';
    return join(base, `tmux-${process.getuid?.() ?? 0}`, this.socket);
  }

  /**
   * Whether a server may be listening, by looking for its socket file. Read-only
   * commands use it to avoid running tmux at all when there is no server.
   */
  serverMayRun(): boolean {
    return existsSync(this.socketPath);
  }

  argv(args: readonly string[]): string[] {
    return ['tmux', '-L', this.socket, ...(this.startsServer ? [] : ['-N']), ...args];
  }

  async run(args: readonly string[], options: { input?: string } = {}): Promise<string> {
    const argv = this.argv(args);
    const result = await this.runner(argv, options);
    if (result.exitCode !== 0) throw new TmuxError(argv, result.exitCode, result.stderr);
    return result.stdout;
  }

  /** Like run, but a missing server or session is an empty answer, not an error. */
  private async query(args: readonly string[]): Promise<string | null> {
    const argv = this.argv(args);
    const result = await this.runner(argv);
    if (result.exitCode === 0) return result.stdout;
    if (NOTHING_THERE.test(result.stderr)) return null;
    throw new TmuxError(argv, result.exitCode, result.stderr);
  }

  /** Every pane on the server in one call; [] when no server runs. */
  async snapshot(): Promise<PaneInfo[]> {
    if (!this.serverMayRun()) return [];
    const out = await this.query(['list-panes', '-a', '-F', SNAPSHOT_FORMAT]);
    return out === null ? [] : parseSnapshot(out);
  }

  /** The tmux command lines that start a session, chained so that nothing can run in between. */
  newSessionArgs(spec: SessionSpec): string[] {
    const args = [
      'new-session',
      '-d',
      '-s',
      spec.name,
      '-x',
      String(spec.width ?? 200),
      '-y',
      String(spec.height ?? 50),
      ...programArgs(spec),
      // remain-on-exit in the same command list: a pane that dies at once still reads dead
      ';',
      'set-option',
      '-w',
      '-t',
      target(spec.name),
      'remain-on-exit',
      'on',
    ];
    // the owner in the same command list too: no snapshot ever shows this session without it
    if (spec.owner !== undefined) args.push(';', 'set-option', '-t', target(spec.name), OWNER_OPTION, spec.owner);
    if (spec.logFile) args.push(';', 'pipe-pane', '-t', target(spec.name), '-o', pipeToLog(spec.logFile));
    if (spec.wakeChannel && CHANNEL.test(spec.wakeChannel)) args.push(';', 'set-hook', '-t', target(spec.name), 'pane-died', `wait-for -S ${spec.wakeChannel}`);
    if (spec.respawnOnCrash !== undefined) args.push(';', 'set-hook', '-t', target(spec.name), 'pane-died', respawnHook(spec.name, spec.respawnOnCrash));
    return args;
  }

  /** Removes a session's pane-died hook (before a stop on purpose that its respawn must not undo); false when the session is gone. */
  async unhook(name: string): Promise<boolean> {
    return (await this.query(['set-hook', '-u', '-t', target(name), 'pane-died'])) !== null;
  }

  /** Restarts the program of a session's pane in place (the log pipe and hooks stay). */
  respawnArgs(spec: SessionSpec): string[] {
    return ['respawn-pane', '-k', '-t', target(spec.name), ...programArgs(spec)];
  }

  async respawn(spec: SessionSpec): Promise<void> {
    await this.run(this.respawnArgs(spec));
  }

  /** `beforeRetry`: what the second try needs made again (the environment file the first try's launcher may have read and removed). */
  async newSession(spec: SessionSpec, beforeRetry?: () => void): Promise<void> {
    try {
      await this.run(this.newSessionArgs(spec));
    } catch (error) {
      // the server ended under this command (a racing `ao down` stopped its last session): the next
      // command starts a new server, so the session is created once more; any other failure stands
      if (!(error instanceof TmuxError) || !/server exited unexpectedly|lost server/i.test(error.stderr)) throw error;
      beforeRetry?.();
      await this.run(this.newSessionArgs(spec));
    }
  }

  async killSession(name: string): Promise<boolean> {
    return (await this.query(['kill-session', '-t', `=${name}`])) !== null;
  }

  /** The visible screen of a session's pane as plain text, or null when it is gone. */
  async capture(name: string, options: { history?: number } = {}): Promise<string | null> {
    const args = ['capture-pane', '-p', '-J', '-t', target(name)];
    if (options.history) args.push('-S', String(-options.history));
    return this.query(args);
  }

  async sendKeys(name: string, keys: readonly string[]): Promise<void> {
    await this.run(['send-keys', '-t', target(name), ...keys]);
  }

  /**
   * Pastes text through a tmux buffer, bracketed when the program asked for
   * it, so none of it is read as key names or typed keystrokes. Nothing is
   * submitted: the delivery module decides whether Enter may follow.
   */
  async pasteBuffer(name: string, text: string): Promise<void> {
    // one buffer per paste: concurrent pastes (several kickoffs at once) must not share one
    const buffer = `ao-paste-${process.pid}-${++pasteCount}`;
    await this.run(['load-buffer', '-b', buffer, '-'], { input: text });
    await this.run(['paste-buffer', '-p', '-d', '-b', buffer, '-t', target(name)]);
  }

  /**
   * Blocks until the channel is signalled (true), or the wait ends otherwise:
   * no server, or the signal aborted (false).
   */
  async waitFor(channel: string, signal: AbortSignal): Promise<boolean> {
    if (!CHANNEL.test(channel)) throw new Error(`bad wait-for channel ${channel}`);
    const result = await this.runner(this.argv(['wait-for', channel]), { signal });
    return result.exitCode === 0 && !signal.aborted;
  }

  /** Wakes whoever waits on the channel (or the next one to wait); false when no server runs. */
  async signalChannel(channel: string): Promise<boolean> {
    if (!CHANNEL.test(channel) || !this.serverMayRun()) return false;
    return (await this.query(['wait-for', '-S', channel])) !== null;
  }

  /** Hands this terminal to a session until the person detaches; resolves to tmux's exit code. */
  async attach(name: string): Promise<number> {
    return this.interactive(this.argv(['attach-session', '-t', `=${name}`]));
  }

  async killServer(): Promise<void> {
    await this.query(['kill-server']);
  }
}

/** words tmux's command parser takes as they are, inside the hook's quotes */
const HOOK_WORD = /^[A-Za-z0-9_.=-]+$/;

/** The pane-died hook that respawns a pane whose program died of a signal or a non-zero exit (pane_dead_status is empty for a signal). */
export function respawnHook(session: string, mark: string): string {
  if (!HOOK_WORD.test(session) || !HOOK_WORD.test(mark)) throw new Error(`cannot name ${session} or ${mark} in a tmux hook`);
  return `if-shell -F '#{!=:#{pane_dead_status},0}' 'respawn-pane -e ${mark} -t =${session}:'`;
}

/** The folder and program of a pane, as new-session and respawn-pane both take them. */
function programArgs(spec: SessionSpec): string[] {
  return ['-c', spec.cwd, ...launchArgv(spec.argv)];
}

/**
 * tmux runs a one-word command through `sh -c`; two or more words are exec'd
 * directly. `env --` keeps a lone program out of the shell as well.
 */
export function launchArgv(argv: readonly string[]): string[] {
  if (argv.length === 0) throw new Error('empty command');
  return argv.length === 1 ? ['env', '--', ...argv] : [...argv];
}
