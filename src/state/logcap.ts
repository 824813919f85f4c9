import { closeSync, constants, fstatSync, ftruncateSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { layout } from './layout.js';
import { isBadFile, openSafe, writeAtomic } from './safe-fs.js';

/**
 * Caps a log that another process appends to (tmux's pipe-pane, the
 * watchdog's pino log): the newest quarter of the cap is written to `<file>.1`
 * (an atomic write, so a planted `.1` link is replaced, never written
 * through), then the file is truncated in place through the descriptor ao
 * opened without following a link, which O_APPEND writers follow. A week-long
 * run cannot fill the disk, and the latest output survives the cut.
 */
export function capLog(file: string, maxBytes: number): boolean {
  let fd: number;
  try {
    fd = openSafe(file, constants.O_RDWR);
  } catch {
    return false; // missing, or a bad file (reported by the watchdog)
  }
  try {
    const size = fstatSync(fd).size;
    if (size <= maxBytes) return false;
    const keep = Math.min(size, Math.floor(maxBytes / 4));
    const buffer = Buffer.alloc(keep);
    const read = readSync(fd, buffer, 0, keep, size - keep);
    writeAtomic(`${file}.1`, buffer.subarray(0, read), { fsync: false });
    ftruncateSync(fd, 0);
    return true;
  } finally {
    closeSync(fd);
  }
}

/** Caps every log in the state folder: agents' pane logs and ao's own. */
export function capLogs(stateDir: string, maxBytes: number): string[] {
  const capped: string[] = [];
  let names: string[];
  try {
    names = readdirSync(layout.logs(stateDir));
  } catch {
    return capped;
  }
  for (const name of names) {
    try {
      if (name.endsWith('.log') && capLog(join(layout.logs(stateDir), name), maxBytes)) capped.push(name);
    } catch (error) {
      // a `.1` that cannot be replaced (a folder planted there): this log waits for the next sweep
      if (!isBadFile(error) && (error as NodeJS.ErrnoException).code !== 'EISDIR') throw error;
    }
  }
  return capped;
}
