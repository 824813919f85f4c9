import { renameSync, statSync, type Stats } from 'node:fs';
import { lock, unlock } from './dirlock.js';
import { layout } from './layout.js';
import { ensureDir, isBadFile, JSON_CAP, readBytesCapped, readTextCapped, writeAtomic } from './safe-fs.js';

/** Reads a JSON state file; null when it does not exist. A corrupt or bad file (a link, a FIFO, past JSON_CAP) throws with its path. */
export function readJson<T>(file: string): T | null {
  const text = readTextCapped(file, JSON_CAP);
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`state file ${file} is corrupt: ${(error as Error).message}`);
  }
}

/** What reading a validated state file found. */
export type StateRead<T> = { status: 'missing' } | { status: 'ok'; value: T } | { status: 'corrupt'; reason: string };

/**
 * Reads a state file and checks its shape (`check` returns the value, or why
 * it is wrong). Truncated, binary, `{}`, `null` or wrong-shaped content is
 * `corrupt`, never thrown; an unreadable disk (EIO, EACCES) still throws.
 */
export function readStateFile<T>(file: string, check: (value: unknown) => T | { problem: string }): StateRead<T> {
  let text: string | null;
  try {
    text = readTextCapped(file, JSON_CAP);
  } catch (error) {
    // a link, a FIFO, a folder or a file past the cap is moved aside and recovered like a corrupt one
    if (isBadFile(error)) return { status: 'corrupt', reason: error.reason };
    throw error;
  }
  return parseStateText(text, check);
}

/** A state file's text (null: missing) as readStateFile judges it: JSON of the shape `check` accepts, or corrupt and why. */
export function parseStateText<T>(text: string | null, check: (value: unknown) => T | { problem: string }): StateRead<T> {
  if (text === null) return { status: 'missing' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { status: 'corrupt', reason: `not JSON (${(error as Error).message})` };
  }
  const checked = check(value);
  if (typeof checked === 'object' && checked !== null && 'problem' in checked) return { status: 'corrupt', reason: checked.problem };
  return { status: 'ok', value: checked as T };
}

/** An issue list (state/shape.ts) in a few words: `agents.builder.up: expected boolean, received string`. */
export function describeIssues(issues: ReadonlyArray<{ path: readonly PropertyKey[]; message: string }>): string {
  const first = issues.slice(0, 3).map((i) => `${i.path.map(String).join('.') || '(top level)'}: ${i.message}`);
  return `wrong shape (${first.join('; ')}${issues.length > 3 ? '; …' : ''})`;
}

/** Moves a corrupt state file aside (`<file>.corrupt-<time>`) for a person to look at; returns the new name. */
export function moveAside(file: string, now = new Date()): string {
  const aside = layout.corruptCopy(file, now);
  renameSync(file, aside);
  return aside;
}

/** The recovery copy of a state file just written, through the safe atomic write (no fsync: the file itself was synced). */
export function keepGoodCopy(file: string): void {
  const bytes = readBytesCapped(file, JSON_CAP);
  if (bytes !== null) writeAtomic(layout.goodCopy(file), bytes, { fsync: false });
}

/** Temp file, fsync, rename (state/safe-fs.ts writeAtomic): a crash leaves the old content or the new, never a torn file. */
export async function writeJsonAtomic(file: string, data: unknown): Promise<void> {
  writeAtomic(file, JSON.stringify(data, null, 2) + '\n');
  return Promise.resolve();
}

export async function writeTextAtomic(file: string, text: string): Promise<void> {
  writeAtomic(file, text);
  return Promise.resolve();
}

/**
 * Runs fn while holding the lock of `dir` (state/.lock.pid), so
 * read-modify-write of shared state from concurrent `ao` calls is serial.
 * A holder that died (a killed watchdog) never makes anyone wait.
 */
export async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  ensureDir(dir);
  const file = layout.dirLock(dir);
  await lock(file);
  try {
    return await fn();
  } finally {
    unlock(file);
  }
}

/** A stat's identity and version (inode, size, mtime): a changed stamp means read the file again. */
export const stampOf = (st: Stats): string => `${st.ino}:${st.size}:${st.mtimeMs}`;

/** A file's stamp (stampOf), or null when it cannot be read. */
export function fileStamp(file: string): string | null {
  try {
    // a missing file is the common case (most inboxes, the review before it is written): no error object for it
    const st = statSync(file, { throwIfNoEntry: false });
    return st ? stampOf(st) : null;
  } catch {
    return null;
  }
}
