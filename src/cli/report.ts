import { AoError, ConfigError } from '../errors.js';
import type { Io } from './io.js';

/** The one place that turns errors into messages and exit codes (main.ts, and the one-file `ao status`). */
export function reportError(error: unknown, io: Io): number {
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
