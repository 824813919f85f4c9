/**
 * The sources that wake a sweep, each pushing into the sweep's WakeQueue:
 * tmux's pane-died hook (through the project's wait-for channel), the
 * launchers' exit records (an inotify event on state/exits/), a slow look at
 * the agents' pids in /proc for the one death neither reports (a launcher
 * killed outright, whose exit tmux lost), and the files a person edits
 * (agents.toml, prompts/, phases/) or the agents write (the gate files).
 */
import { dirname, join } from 'node:path';
import { inside } from '../config/find.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Project } from '../config/types.js';
import { layout } from '../state/layout.js';
import { ProcWatch, type ProcExit } from '../state/procwatch.js';
import type { Tmux } from '../tmux/client.js';
import { watchExitRecords } from './exit-watch.js';
import { wakeChannel } from './launch.js';
import type { WakeQueue } from './wake.js';

/** How long the sweeps wait for the file watchers to be ready before they begin without them. */
export const WATCH_READY_MS = 10_000;

/**
 * How often the agents' pids are looked at in /proc when nothing said that one
 * ended: the backstop for the one death that neither tmux's hook nor a
 * launcher's record reports (a launcher killed outright, whose exit tmux lost).
 */
export const LOST_EXIT_POLL_MS = 1000;

export interface WakeSourceDeps {
  project: () => Project;
  tmux: Tmux;
  wakes: WakeQueue;
  /** a source's error, reported once: the sweeps still poll */
  trouble: (what: string, error: unknown) => void;
  log: (level: 'warn', text: string) => void;
}

/**
 * The agents' pids as /proc shows them, and how the ones that ended did
 * (read from a zombie before anyone reaps it). Looked at every
 * `lostExitPollMs`, and quickly after a launcher wrote its exit record.
 */
export class DeathWatch {
  private readonly proc = new ProcWatch();
  /** how zombies among the watched pids ended */
  readonly exits = new Map<number, ProcExit>();

  constructor(private readonly deps: WakeSourceDeps) {}

  /** Watches exactly these pids from now on; forgets the exits of pids no pane shows any more. */
  watch(pids: readonly number[], shown: ReadonlySet<number>): void {
    this.proc.set(pids);
    for (const pid of this.exits.keys()) if (!shown.has(pid)) this.exits.delete(pid);
  }

  /** Starts the slow /proc look and the exit-record watch; returns a function that stops both. */
  start(lostExitPollMs: number): () => void {
    const poll = setInterval(() => this.look(), lostExitPollMs);
    const unwatch = watchExitRecords({
      dir: layout.exits(this.deps.project().stateDir),
      look: () => this.look(),
      wake: () => this.deps.wakes.push({ source: 'exit-record' }),
      trouble: this.deps.trouble,
    });
    return () => {
      clearInterval(poll);
      unwatch();
      this.proc.close();
    };
  }

  /** Looks for ended pids in /proc (wakes a sweep for them); returns the ones it found. */
  private look(): number[] {
    try {
      const dead = this.proc.poll();
      for (const [pid, exit] of dead) if (exit) this.exits.set(pid, exit);
      if (dead.size > 0) this.deps.wakes.push({ source: 'proc', pids: [...dead.keys()] });
      return [...dead.keys()];
    } catch (error) {
      this.deps.trouble('/proc poll', error);
      return [];
    }
  }
}

/**
 * Wakes a sweep whenever a pane dies (its pane-died hook signals the
 * project's wait-for channel) or `ao up` asks, until `abort`. A tmux client
 * that waits on the channel is all it takes: no signal to a pid that might be reused.
 */
export async function listenForHook(deps: WakeSourceDeps, abort: AbortSignal): Promise<void> {
  const channel = wakeChannel(deps.project().stateDir);
  while (!abort.aborted) {
    const woken = await deps.tmux.waitFor(channel, abort).catch(() => false);
    if (abort.aborted) break;
    if (woken) {
      deps.wakes.push({ source: 'hook' });
      // the sweep's tmux client goes first; a signal meanwhile is kept by tmux for the next wait
      await new Promise<void>((resolve) => setImmediate(resolve));
    } else await sleep(1000, undefined, { signal: abort }).catch(() => undefined); // no server yet: do not spin
  }
}

/** Watches agents.toml, prompts/, phases/ and the gate files (chokidar); returns a function that stops watching. */
export async function watchProjectFiles(deps: WakeSourceDeps): Promise<() => Promise<void>> {
  const { watch } = await import('chokidar');
  const project = deps.project();
  const phases = join(project.dir, 'phases');
  const watcher = watch([project.configFile, join(project.dir, 'prompts'), phases], {
    ignoreInitial: true,
    awaitWriteFinish: { stabilityThreshold: 100, pollInterval: 50 },
  });
  watcher.on('all', (_event, file) => {
    if (file === project.configFile) deps.wakes.push({ source: 'config' });
    else if (file.startsWith(phases)) deps.wakes.push({ source: 'plan', file });
  });
  // a claim or a verdict is acted on at once, not at the next sweep; so is a sandboxed agent's message
  const outboxes = join(project.stateDir, 'outbox');
  const gate = watch(project.stateDir, {
    ignoreInitial: true,
    depth: 2,
    ignored: (path: string) => path !== project.stateDir && !(layout.isGateFile(path) && dirname(path) === project.stateDir) && !inside(outboxes, path),
  });
  gate.on('all', (_event, file) => deps.wakes.push({ source: inside(outboxes, file) ? 'outbox' : 'gate' }));
  // a watcher error (inotify limits, EIO) must not end the watchdog: the sweeps still poll
  for (const w of [watcher, gate]) w.on('error', (error: unknown) => deps.trouble('file watcher', error));
  // a folder removed while chokidar scans it may never report ready: the sweeps do not wait for it past WATCH_READY_MS
  const ready = Promise.all([new Promise<void>((r) => watcher.once('ready', () => r())), new Promise<void>((r) => gate.once('ready', () => r()))]);
  let timer: NodeJS.Timeout | undefined;
  const late = await Promise.race([ready.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), WATCH_READY_MS)))]);
  clearTimeout(timer);
  if (late) deps.log('warn', `the file watchers were not ready after ${WATCH_READY_MS / 1000} s; sweeping without waiting for them`);
  return async () => {
    await watcher.close();
    await gate.close();
  };
}
