// Bundles the CLI with esbuild: one ESM entry plus lazily loaded chunks.
// A bundle loads in a third of the time the same modules take from
// node_modules, which `ao status` needs (docs/PERFORMANCE.md).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
// names this build: the project copy `ao status` reads (src/config/cache.ts) is kept per build
const buildId = `${Date.now().toString(36)}-${process.pid}`;
const common = {
  define: { __AO_BUILD__: JSON.stringify(buildId) },
  outdir: 'dist',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // loaded only by the dashboard and the watchdog's logger; kept as packages
  external: ['ink', 'react', 'pino', 'ink-*'],
  logLevel: 'warning',
};
// A plain `ao status` answered from the project's validated copy, as a CommonJS file
// of its own that bin/ao requires first: scripts and prompts run it all day, and
// node's CommonJS loader has it answered sooner than its ESM loader would. It holds
// none of the config loader (a copy that misses goes to dist/ao.js).
// `ao fleet status`, on this machine and on every host it asks, the same way: a CommonJS
// file of the command alone (dist/fleet.cjs), without the argument parser.
await build({
  ...common,
  entryPoints: { status: 'src/cli/status-copy.ts', fleet: 'src/cli/fleet-status-fast.ts' },
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  // a module that finds ao's package from its own place (config/package-root.ts) finds it from the .cjs file
  define: { ...common.define, 'import.meta.url': '__aoImportMetaUrl' },
  banner: { js: "const __aoImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  // status never writes: the lock library stays a package, never loaded by it
  external: [...common.external, 'proper-lockfile'],
});
await build({
  ...common,
  entryPoints: { ao: 'src/cli/main.ts' },
  splitting: true,
  // bundled CommonJS packages expect require, __filename and __dirname
  banner: banner(),
});

function banner() {
  return {
    js: [
      "import { createRequire as __aoCreateRequire } from 'node:module';",
      "import { fileURLToPath as __aoFileURLToPath } from 'node:url';",
      'const require = __aoCreateRequire(import.meta.url);',
      'const __filename = __aoFileURLToPath(import.meta.url);',
      "const __dirname = __aoFileURLToPath(new URL('.', import.meta.url));",
    ].join(' '),
  };
}
