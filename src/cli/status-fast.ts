// The entry of dist/status-fast.js: `ao status` built on its own (scripts/build.mjs), which
// main.ts loads for a plain `ao status`. It carries its own copy of ao's error classes, so it reports its errors itself.
import { status, type StatusOptions } from './commands/status.js';
import { processIo, type Io } from './io.js';
import { reportError } from './report.js';

export async function runStatus(options: StatusOptions, io: Io = processIo()): Promise<number> {
  try {
    return await status(options, io);
  } catch (error) {
    return reportError(error, io);
  }
}
