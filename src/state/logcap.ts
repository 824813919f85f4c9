import { closeSync, existsSync, openSync, readdirSync, readSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { layout } from './layout.js';

/**
 * Caps a log that another process appends to (tmux's pipe-pane `cat >>`):
 * the newest quarter of the cap is copied to `<file>.1`, then the file is
 * truncated in place, which O_APPEND writers follow. A week-long run cannot
 * fill the disk, and the latest output survives the cut.
 */
export function capLog(file: string, maxBytes: number): boolean {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return false;
  }
  if (size <= maxBytes) return false;
  const keep = Math.min(size, Math.floor(maxBytes / 4));
  const buffer = Buffer.alloc(keep);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, keep, size - keep);
  } finally {
    closeSync(fd);
  }
  writeFileSync(`${file}.1`, buffer);
  truncateSync(file, 0);
  return true;
}

/** Caps every log in the state folder: agents' pane logs and ao's own. */
export function capLogs(stateDir: string, maxBytes: number): string[] {
  const capped: string[] = [];
  const dirs = [layout.logs(stateDir)];
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (name.endsWith('.log') && capLog(join(dir, name), maxBytes)) capped.push(name);
    }
  }
  return capped;
}
