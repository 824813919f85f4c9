import { safeText } from '../text/safe.js';

/** What a command may touch of the outside world, injected so tests need no mocks. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** whether stdout is a terminal (colour, progress) */
  isTTY: boolean;
  /** what a command reads as input (`ao send` without a message) */
  stdin?: NodeJS.ReadableStream;
}

let quietOnEpipe = false;

export function processIo(): Io {
  // `ao check | head -1`: a reader that went away ends the command quietly, as it does for cat
  if (!quietOnEpipe) {
    quietOnEpipe = true;
    for (const stream of [process.stdout, process.stderr]) {
      stream.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE') throw error;
        process.exit(0);
      });
    }
  }
  // the one output boundary of every command: whatever a printer missed, no escape sequence or control reaches the terminal
  return {
    out: (text) => process.stdout.write(safeText(text)),
    err: (text) => process.stderr.write(safeText(text)),
    env: process.env,
    cwd: process.cwd(),
    isTTY: Boolean(process.stdout.isTTY),
    // a getter: opening process.stdin has side effects that commands which never read it should not pay for
    get stdin() {
      return process.stdin;
    },
  };
}

/** Options every command accepts. */
export interface GlobalOptions {
  config?: string | undefined;
}
