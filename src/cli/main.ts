import { safeText } from '../text/safe.js';
import { plainStatus } from './fast.js';

/** The one place that turns errors into messages and exit codes. */
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
