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

/** The fields of a /proc/PID/stat text after the command name, from the state (field 3) on. */
const statFields = (stat: string): string[] => stat.slice(stat.lastIndexOf(')') + 2).split(' ');

/** The fields of /proc/PID/stat after the command name, from the state (field 3) on; null when it cannot be read. */
export function procStat(pid: number): string[] | null {
  try {
    // the command name is in parentheses and may hold spaces: count fields after it
    return statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'));
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
  return holderAliveFrom(holder, ...procOf(holder.pid)).alive;
}

/** What this host's /proc says of a process: the text of its stat and its arguments, each null when it cannot be read. */
export function procOf(pid: number): [stat: string | null, args: string[] | null] {
  const read = (name: string): string | null => {
    try {
      return readFileSync(`/proc/${pid}/${name}`, 'utf8');
    } catch {
      return null;
    }
  };
  return [read('stat'), read('cmdline')?.split('\0') ?? null];
}

/**
 * holderAlive from what /proc said of the holder, on this host (procOf) or on
 * another (a fleet's read of it): its stat and its arguments (null: no such
 * process); `parent` gets field 4 of the stat.
 */
export function holderAliveFrom(holder: LockHolder, stat: string | null, args: readonly string[] | null): { alive: boolean; parent: number | null } {
  const fields = stat === null ? null : statFields(stat);
  const parent = fields ? Number(fields[1]) : NaN;
  const alive = fields !== null && fields[0] !== 'Z' && fields[0] !== 'X' && fields[19] === holder.startTime && (args ?? []).some((a) => a.includes(holder.tag));
  return { alive, parent: Number.isInteger(parent) ? parent : null };
}

export function readHolder(file: string): LockHolder | null {
  try {
    // never through a link, never blocking on a FIFO: a bad lock file names no holder
    return parseHolder(readTextCapped(file, 64 * 1024));
  } catch {
    return null;
  }
}

/** A lock file's text (null: none) as the holder it names, or null. */
export function parseHolder(text: string | null): LockHolder | null {
  try {
    const value = JSON.parse(text ?? 'null') as LockHolder | null;
    return value !== null && typeof value.pid === 'number' ? value : null;
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
