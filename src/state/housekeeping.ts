import { chmodSync, lstatSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { layout } from './layout.js';
import { writeAtomic } from './safe-fs.js';

/** A folder's names; none when it cannot be read (gone, not a folder). */
function namesIn(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** An atomic write killed mid-write leaves `<file>.ao-tmp-<random>` behind (layout.isAtomicTemp); sweep old ones, in the state folder and its subfolders. */
export function removeStaleTemps(stateDir: string, olderThanMs = 1_000): number {
  let removed = 0;
  const dirs = [stateDir];
  for (const dir of dirs) {
    for (const name of namesIn(dir)) {
      const file = join(dir, name);
      if (dir === stateDir && layout.isSubfolder(name)) dirs.push(file);
      if (!layout.isAtomicTemp(name)) continue;
      try {
        // lstat: a planted link is removed itself, never followed
        if (Date.now() - lstatSync(file).mtimeMs > olderThanMs) {
          rmSync(file, { force: true });
          removed++;
        }
      } catch {
        // gone already
      }
    }
  }
  return removed;
}

export function writePidFile(stateDir: string): void {
  writeAtomic(layout.watchdogPid(stateDir), `${process.pid}\n`, { fsync: false });
}

/**
 * Takes group and other bits off the state folder and everything in it (an
 * older ao made it 0755 and its files 0644: conversations, keys); links are
 * left as they are, never followed. Returns how many it changed (bounded: the
 * first 20,000 entries).
 */
export function tightenStateModes(stateDir: string): number {
  let changed = 0;
  let seen = 0;
  const tighten = (path: string, mode: number): void => {
    if ((mode & 0o077) === 0) return;
    chmodSync(path, mode & 0o700);
    changed++;
  };
  const walk = (dir: string): void => {
    for (const name of namesIn(dir)) {
      if (++seen > 20_000) return;
      const path = join(dir, name);
      try {
        const st = lstatSync(path);
        if (st.isDirectory()) {
          tighten(path, st.mode);
          // the agents' worktrees hold their work, not ao's files: their private parent is enough
          if (path !== layout.worktrees(stateDir)) walk(path);
        } else if (st.isFile()) tighten(path, st.mode);
      } catch {
        // gone meanwhile
      }
    }
  };
  try {
    tighten(stateDir, statSync(stateDir).mode);
  } catch {
    return 0; // no state folder yet: ao makes it 0700
  }
  walk(stateDir);
  return changed;
}
