import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** ao's own package.json, found from this file upwards (dist/ in a package, src/cli/commands/ in a checkout). */
export function aoVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    try {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'ao-agent-supervisor' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not ours: look further up
    }
  }
  return 'unknown';
}
