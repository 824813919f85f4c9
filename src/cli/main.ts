import { CommanderError } from 'commander';
import { AoError, ConfigError } from '../errors.js';
import { processIo } from './io.js';
import { buildProgram } from './program.js';

/** The one place that turns errors into messages and exit codes. */
export async function main(argv: readonly string[]): Promise<number> {
  const io = processIo();
  let code = 0;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version are not errors; everything else commander rejects is usage
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version' ? 0 : 2;
    }
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
