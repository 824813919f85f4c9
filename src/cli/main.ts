import { AoError, ConfigError } from '../errors.js';
import { plainStatus } from './fast.js';
import { processIo } from './io.js';

/** The one place that turns errors into messages and exit codes. */
export async function main(argv: readonly string[]): Promise<number> {
  const io = processIo();
  try {
    // `ao status` is run by scripts and prompts all day: it skips loading the argument parser
    const fast = plainStatus(argv);
    if (fast) return await (await import('./commands/status.js')).status(fast, io);
    return await (await import('./program.js')).runProgram(argv, io);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`ao: config error\n${error.format(io.cwd)}\n`);
      return error.exitCode;
    }
    if (error instanceof AoError) {
      io.err(`ao: ${error.message}\n`);
      return error.exitCode;
    }
    io.err(`ao: ${error instanceof Error ? (io.env.AO_DEBUG ? error.stack : error.message) : String(error)}\n`);
    return 1;
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
