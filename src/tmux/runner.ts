import { execa } from 'execa';

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** The one port through which ao runs tmux: an argv array, never a shell string. */
export type Runner = (argv: readonly string[], options?: { input?: string }) => Promise<RunResult>;

export const execaRunner: Runner = async (argv, options = {}) => {
  const [file, ...args] = argv;
  if (!file) throw new Error('empty argv');
  const result = await execa(file, args, {
    reject: false,
    stripFinalNewline: false,
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' }),
    env: { TMUX: '' }, // a client started from inside tmux must not talk to the surrounding server
  });
  return {
    stdout: typeof result.stdout === 'string' ? result.stdout : '',
    stderr: typeof result.stderr === 'string' ? result.stderr : '',
    exitCode: result.exitCode ?? (result.failed ? 127 : 0),
  };
};
