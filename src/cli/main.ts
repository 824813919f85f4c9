import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { plainStatus } from './fast.js';

/**
 * The status command: from its own build beside this one (dist/status-fast.js, a
 * dozen module loads fewer than the split build's chunks), or from the sources.
 * This file imports nothing else up front, so that `ao status` loads no chunk of
 * the split build.
 */
async function loadStatus(): Promise<typeof import('./status-fast.js')> {
  const bundled = new URL('./status-fast.js', import.meta.url);
  // in dist/ the one-file build; from the sources (tests) there is no .js beside this file
  if (bundled.pathname.endsWith('/dist/status-fast.js') && existsSync(fileURLToPath(bundled)))
    return (await import(bundled.href)) as typeof import('./status-fast.js');
  return import('./status-fast.js');
}

/** The one place that turns errors into messages and exit codes. */
export async function main(argv: readonly string[]): Promise<number> {
  // `ao status` is run by scripts and prompts all day: it skips loading the argument parser,
  // and its build makes its own io and reports its own errors
  const fast = plainStatus(argv);
  if (fast) return (await loadStatus()).runStatus(fast);
  const [{ processIo }, { reportError }] = await Promise.all([import('./io.js'), import('./report.js')]);
  const io = processIo();
  try {
    return await (await import('./program.js')).runProgram(argv, io);
  } catch (error) {
    return reportError(error, io);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`ao: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
