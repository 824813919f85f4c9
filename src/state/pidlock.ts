import { closeSync, constants, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { layout } from './layout.js';
import { ensureDir, FILE_MODE, readTextCapped } from './safe-fs.js';

/** Who holds a lock: pids get reused, so the process start time and command line are kept too. */
export interface LockHolder {
  pid: number;
  /** field 22 of /proc/PID/stat: start time in clock ticks since boot */
  startTime: string;
  /** a word that must appear in the holder's command line */
  tag: string;
}

/** The fields of /proc/PID/stat after the command name, from the state (field 3) on; null when it cannot be read. */
export function procStat(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name is in parentheses and may hold spaces: count fields after it
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

export function processStartTime(pid: number): string | null {
  return procStat(pid)?.[19] ?? null;
}

/** Whether a process is alive and not a zombie (by /proc). */
export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Alive, the same process that took the lock (start time), and still ao (command line). */
export function holderAlive(holder: LockHolder): boolean {
  if (!processAlive(holder.pid) || processStartTime(holder.pid) !== holder.startTime) return false;
  try {
    return readFileSync(`/proc/${holder.pid}/cmdline`, 'utf8').split('\0').some((arg) => arg.includes(holder.tag));
  } catch {
    return false;
  }
}

export function readHolder(file: string): LockHolder | null {
  try {
    // never through a link, never blocking on a FIFO: a bad lock file names no holder
    const value = JSON.parse(readTextCapped(file, 64 * 1024) ?? 'null') as LockHolder | null;
    if (value === null) return null;
    return typeof value.pid === 'number' ? value : null;
  } catch {
    return null;
  }
}

/**
 * Takes the lock for this process, or reports the live holder. The lock file
 * appears complete or not at all (written aside, then hard-linked into place,
 * which fails if it exists); a dead holder's lock is moved away by rename,
 * which only one contender can win.
 */
export function acquirePidLock(file: string, tag: string): { ok: true } | { ok: false; holder: LockHolder } {
  ensureDir(dirname(file));
  const me: LockHolder = { pid: process.pid, startTime: processStartTime(process.pid) ?? '', tag };
  const temp = layout.pidLockTemp(file, process.pid, Date.now());
  // O_EXCL|O_NOFOLLOW: a file or link planted at the temp's name is never written through
  rmSync(temp, { force: true });
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, FILE_MODE);
  writeSync(fd, JSON.stringify(me));
  closeSync(fd);
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(temp, file);
        return { ok: true };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = readHolder(file);
      if (holder && holderAlive(holder)) return { ok: false, holder };
      try {
        renameSync(file, `${temp}.stale`); // take over a stale lock
        rmSync(`${temp}.stale`, { force: true });
      } catch {
        // someone else took it over first; look again
      }
    }
    const holder = readHolder(file);
    return holder ? { ok: false, holder } : { ok: false, holder: { pid: 0, startTime: '', tag } };
  } finally {
    rmSync(temp, { force: true });
  }
}

/** Releases the lock if this process holds it. */
export function releasePidLock(file: string): void {
  const holder = readHolder(file);
  if (holder?.pid === process.pid) rmSync(file, { force: true });
}
