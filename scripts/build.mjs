// Bundles the CLI with esbuild: one ESM entry plus lazily loaded chunks.
// A bundle loads in a third of the time the same modules take from
// node_modules, which `ao status` needs (docs/PERFORMANCE.md).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: { ao: 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // loaded only by the dashboard and the watchdog's logger; kept as packages
  external: ['ink', 'react', 'pino', 'ink-*'],
  // bundled CommonJS packages expect require, __filename and __dirname
  banner: {
    js: [
      "import { createRequire as __aoCreateRequire } from 'node:module';",
      "import { fileURLToPath as __aoFileURLToPath } from 'node:url';",
      'const require = __aoCreateRequire(import.meta.url);',
      'const __filename = __aoFileURLToPath(import.meta.url);',
      "const __dirname = __aoFileURLToPath(new URL('.', import.meta.url));",
    ].join(' '),
  },
  logLevel: 'warning',
});
