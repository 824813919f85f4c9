import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

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
 * Runs fn while holding a lock on `dir` (a `.lock` folder beside the state),
 * so read-modify-write of shared state from concurrent `ao` calls is serial.
 */
export async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  mkdirSync(dir, { recursive: true });
  const { default: lockfile } = await import('proper-lockfile');
  const release = await lockfile.lock(dir, {
    lockfilePath: `${dir}/.lock`,
    retries: { retries: 100, minTimeout: 20, maxTimeout: 200 },
    stale: 10_000,
  });
  try {
    return await fn();
  } finally {
    await release();
  }
}
