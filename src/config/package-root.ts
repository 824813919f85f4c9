import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder that holds ao's package (bin/ao, package.json). */
export function packageRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'bin', 'ao')) && existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error('cannot find the ao package folder');
  }
}

/** ao's own entry (bin/ao), as the watchdog's pane and the `[web]` service run it. */
export const aoEntry = (): string => join(packageRoot(), 'bin', 'ao');
