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
// `ao status` as a build of its own: scripts and prompts run it all day, and each
// chunk of the split build it would otherwise load costs a module load. What it
// needs only when its copy of the config misses (the TOML parser, the schema,
// the backends) is one chunk of its own (`status-*.js`), loaded only then.
await build({
  ...common,
  entryPoints: { 'status-fast': 'src/cli/status-fast.ts' },
  splitting: true,
  chunkNames: 'status-[hash]',
  // status never writes: the write and lock libraries stay packages, loaded (from node_modules) only by a write
  external: [...common.external, 'write-file-atomic', 'proper-lockfile'],
  banner: banner(),
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
