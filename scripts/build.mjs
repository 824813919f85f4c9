// Bundles the CLI with esbuild: one ESM entry plus lazily loaded chunks.
// A bundle loads in a third of the time the same modules take from
// node_modules, which `ao status` needs (docs/PERFORMANCE.md).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
const common = {
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
// `ao status` as one file of its own: scripts and prompts run it all day, and each
// chunk of the split build it would otherwise load costs a module load
await build({ ...common, entryPoints: { 'status-fast': 'src/cli/status-fast.ts' }, splitting: false, banner: banner() });
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
