import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { lock, unlock } from './dirlock.js';
import { layout } from './layout.js';

// The lock and atomic-write libraries load on first use: read-only commands
// (`ao status`) never pay for them.
const writeFileAtomic = async (file: string, data: string, options: { fsync: boolean }): Promise<void> => {
  const { default: write } = await import('write-file-atomic');
  await write(file, data, options);
};

/** Reads a JSON state file; null when it does not exist. A corrupt file throws with its path. */
export function readJson<T>(file: string): T | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
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
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { status: 'missing' };
    if (code === 'EISDIR') return { status: 'corrupt', reason: 'it is a directory' };
    throw error;
  }
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

export function keepGoodCopy(file: string): void {
  const temp = `${layout.goodCopy(file)}.${process.pid}.tmp`;
  try {
    copyFileSync(file, temp);
    renameSync(temp, layout.goodCopy(file));
  } catch (error) {
    rmSync(temp, { force: true }); // a copy a full disk cut short is no good copy
    throw error;
  }
}

/** Temp file, fsync, rename: a crash leaves the old content or the new, never a torn file. */
export async function writeJsonAtomic(file: string, data: unknown): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  await writeFileAtomic(file, JSON.stringify(data, null, 2) + '\n', { fsync: true });
}

export async function writeTextAtomic(file: string, text: string): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  await writeFileAtomic(file, text, { fsync: true });
}

/**
 * Runs fn while holding the lock of `dir` (state/.lock.pid), so
 * read-modify-write of shared state from concurrent `ao` calls is serial.
 * A holder that died (a killed watchdog) never makes anyone wait.
 */
export async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  mkdirSync(dir, { recursive: true });
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
