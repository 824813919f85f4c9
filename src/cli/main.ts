import { safeText } from '../text/safe.js';
import { plainStatus } from './fast.js';

/**
 * ao's entry: a plain `ao status` (whose project copy missed) straight to the
 * status command, everything else through the argument parser; an error of
 * either goes to report.ts, which turns it into a message and an exit code.
 * The ways into status: bin/ao asks dist/status.cjs (cli/status-copy.ts)
 * first; a miss comes here, to fast.ts's plain form or the parser.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [{ processIo }, { reportError }] = await Promise.all([import('./io.js'), import('./report.js')]);
  const io = processIo();
  try {
    // a plain `ao status` whose project copy missed (bin/ao asked dist/status.cjs first) skips the argument parser
    const fast = plainStatus(argv);
    if (fast) return await (await import('./commands/status.js')).status(fast, io);
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
    // what no handler caught may still carry text from a file: through the same rule as every other message
    process.stderr.write(`ao: ${safeText(String(error))}\n`);
    process.exitCode = 1;
  },
);
