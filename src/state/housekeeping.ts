import { readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { layout } from './layout.js';

/** write-file-atomic leaves `<file>.<digits>` behind when killed mid-write; sweep old ones. */
export function removeStaleTemps(stateDir: string, olderThanMs = 1_000): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(stateDir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!layout.isAtomicTemp(name)) continue;
    const file = join(stateDir, name);
    try {
      if (Date.now() - statSync(file).mtimeMs > olderThanMs) {
        rmSync(file, { force: true });
        removed++;
      }
    } catch {
      // gone already
    }
  }
  return removed;
}

export function writePidFile(stateDir: string): void {
  writeFileSync(layout.watchdogPid(stateDir), `${process.pid}\n`);
}
