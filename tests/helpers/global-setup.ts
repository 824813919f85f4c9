import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Integration tests drive the built CLI, as a user would; make sure it exists. */
export default function setup(): void {
  if (!existsSync(join(import.meta.dirname, '..', '..', 'dist', 'ao.js'))) {
    throw new Error('dist/ao.js is missing: run `npm run build` before the tests (npm test does not build)');
  }
}
