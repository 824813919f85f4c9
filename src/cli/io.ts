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

export function processIo(): Io {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
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
