/**
 * The watchdog's fast ear for deaths tmux's hook may miss: each launcher
 * writes how its agent's run ended to state/exits/ just before it exits
 * itself, and an inotify event on that folder starts quick looks at the pids.
 */
import { watch } from 'node:fs';
import { layout } from '../state/layout.js';
import { ensureDir } from '../state/safe-fs.js';

/**
 * A launcher's record is written just before its process exits: from then on
 * the pids are looked at this often until it is found ended, for at most
 * ENDING_WINDOW_MS (then a sweep looks anyway).
 */
const ENDING_POLL_MS = 5;
const ENDING_WINDOW_MS = 500;

export interface ExitWatchDeps {
  /** state/exits/ */
  dir: string;
  /** looks for ended pids in /proc (and wakes a sweep for them); returns the ones it found */
  look: () => number[];
  wake: () => void;
  trouble: (what: string, error: unknown) => void;
}

/**
 * Watches state/exits/, where each launcher writes how its agent's run ended
 * just before it exits itself: a death tmux's hook may miss, told by an event
 * rather than found by polling. After a record the pids are looked at every
 * ENDING_POLL_MS until as many have ended as agents wrote records, for at most
 * ENDING_WINDOW_MS. Returns a function that stops watching.
 */
export function watchExitRecords(deps: ExitWatchDeps): () => void {
  let hurry: NodeJS.Timeout | null = null;
  let until = 0;
  const wrote = new Set<string>();
  const ended = new Set<number>();
  const done = (): void => {
    if (hurry) clearInterval(hurry);
    hurry = null;
    wrote.clear();
    ended.clear();
  };
  const look = (): boolean => {
    for (const pid of deps.look()) ended.add(pid);
    return ended.size >= wrote.size;
  };
  const ending = (_event: string, file: string | null): void => {
    if (file !== null && layout.isAtomicTemp(file)) return; // the launcher's temp, renamed into place next
    wrote.add(file ?? '');
    // real time, whatever clock the sweeps are given: this is about processes exiting now
    until = Date.now() + ENDING_WINDOW_MS;
    if (look()) return done();
    hurry ??= setInterval(() => {
      if (look()) return done();
      if (Date.now() < until) return;
      // a record of a pid no look knew (a run started since the last sweep): the sweep reads it
      deps.wake();
      done();
    }, ENDING_POLL_MS);
  };
  try {
    const { dir } = deps;
    ensureDir(dir);
    const watcher = watch(dir, ending);
    watcher.on('error', (error) => deps.trouble('exit records watch', error));
    return () => {
      watcher.close();
      done();
    };
  } catch (error) {
    // the slow /proc look still finds every death
    deps.trouble('exit records watch', error);
    return () => undefined;
  }
}
