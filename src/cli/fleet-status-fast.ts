// The entry of dist/fleet.cjs (scripts/build.mjs), which bin/ao asks first for a plain
// `ao fleet status [NAME...] [--json] [-f FILE]`: the command itself, without the
// argument parser and the ESM loader of dist/ao.js (about 100 ms of a start on a slow
// machine, docs/PERFORMANCE.md). It is also what a host's ao runs when the fleet asks
// it for its projects (fleet-status.ts), so both sides of a remote status take it.
// Anything else, --help included, belongs to dist/ao.js.
import { fleetStatus } from './commands/fleet-status.js';
import { plainFleetStatus } from './fast.js';
import { processIo } from './io.js';
import { reportError } from './report.js';

/** The exit code to come, or null (nothing done) when this is not a plain `ao fleet status`. */
export function fleetStatusFast(argv: readonly string[]): Promise<number> | null {
  const options = plainFleetStatus(argv);
  if (!options) return null;
  const io = processIo();
  return fleetStatus(options, io).catch((error: unknown) => reportError(error, io));
}
