import { readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { holderAlive, processStartTime } from './pidlock.js';

/**
 * The lock that serialises read-modify-write of a state folder. It is a
 * symlink whose target names the holder (`pid:starttime:command`): made in one
 * step, it needs no data block (so it works on a full disk), and a holder that
 * died is seen dead at once by /proc instead of after a stale timeout. The
 * command (the holder's script, as its command line names it) is checked as the
 * watchdog's lock checks its holder: a live pid that is not the process that
 * wrote the lock (a reused pid, or a lock planted naming any live process) is
 * nobody's lock.
 */

let command: string | undefined;

/** This process's script as its command line names it (what holderAlive looks for), else its program. */
function ownCommand(): string {
  if (command === undefined) {
    try {
      const args = readFileSync('/proc/self/cmdline', 'utf8').split('\0').filter(Boolean);
      command = args.slice(1).find((a) => !a.startsWith('-')) ?? args[0] ?? '';
    } catch {
      command = '';
    }
  }
  return command;
}

let self: string | undefined;
/** This process as a lock names it; its start time does not change, so it is read from /proc once. */
const me = (): string => (self ??= `${process.pid}:${processStartTime(process.pid) ?? ''}:${ownCommand()}`);

function holderLives(holder: string): boolean {
  const first = holder.indexOf(':');
  const second = holder.indexOf(':', first + 1);
  if (first < 0 || second < 0) return false;
  const pid = Number(holder.slice(0, first));
  const tag = holder.slice(second + 1);
  // a lock without a command names no ao process
  return Number.isInteger(pid) && pid > 0 && tag !== '' && holderAlive({ pid, startTime: holder.slice(first + 1, second), tag });
}

let moves = 0;

/** One attempt: true when this process now holds the lock. */
export function tryLock(file: string): boolean {
  const mine = me();
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      symlinkSync(mine, file);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder: string;
    try {
      holder = readlinkSync(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue; // released meanwhile
      if (code !== 'EINVAL') throw error;
      holder = ''; // not a symlink: nobody's lock
    }
    if (holder && holderLives(holder)) return false;
    // the holder is dead: move its lock away; of several contenders only one rename wins
    const moved = `${file}.stale-${process.pid}-${++moves}`;
    try {
      renameSync(file, moved);
    } catch {
      continue;
    }
    let took = '';
    try {
      took = readlinkSync(moved);
    } catch {
      // not a symlink
    }
    if (took !== holder && took && holderLives(took)) {
      // a live lock was taken in between and moved by mistake: put it back
      try {
        symlinkSync(took, file);
      } catch {
        // someone locked meanwhile; their lock stands
      }
      rmSync(moved, { force: true });
      return false;
    }
    rmSync(moved, { force: true, recursive: true });
  }
  return false;
}

export function unlock(file: string): void {
  try {
    // unlink, not rm: the lock is one symlink, and an append takes and drops it every time
    if (readlinkSync(file) === me()) unlinkSync(file);
  } catch {
    // not held
  }
}

/** Waits for the lock while its holder lives; a dead holder's lock is taken over at once. */
export async function lock(file: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (tryLock(file)) return;
    if (Date.now() > deadline) {
      let holder = '?';
      try {
        holder = readlinkSync(file);
      } catch {
        // gone
      }
      throw new Error(`the state lock ${file} is held by a live process (pid ${holder.split(':')[0]}) for over ${timeoutMs / 1000} s`);
    }
    await sleep(5 + Math.random() * 20);
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * lock() for a synchronous caller (an append to events.jsonl, whose writers
 * are synchronous): the wait sleeps the thread a few ms at a time. Holds are
 * short (one read and one write), so a wait is short too.
 */
export function lockSync(file: string, timeoutMs = 10_000): void {
  const deadline = Date.now() + timeoutMs;
  while (!tryLock(file)) {
    if (Date.now() > deadline) throw new Error(`the lock ${file} is held by a live process (pid ${holderPid(file)}) for over ${timeoutMs / 1000} s`);
    Atomics.wait(pause, 0, 0, 1 + Math.random() * 4);
  }
}

function holderPid(file: string): string {
  try {
    return readlinkSync(file).split(':')[0] ?? '?';
  } catch {
    return '?';
  }
}
