/**
 * The one port through which ao runs git (argv arrays through execa, never a
 * shell): no prompt for credentials, always `-C <dir>`, and every call bounded
 * by a timeout. What ao runs here reads, adds a worktree and its branch,
 * checks the adversary's clean worktree out at a claimed commit, or lands a
 * passed commit on the target fast-forward with the old value checked;
 * nothing that resets, cleans, checks out over work or moves a branch by
 * force (DESIGN §4.14).
 */
import { execa } from 'execa';

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** git in `dir` with `args`; exit 127 when git is not there, 124 when it ran out of time. */
export type Git = (dir: string, args: readonly string[], options?: { timeoutMs?: number }) => Promise<GitResult>;

/** a question (rev-parse, status, worktree list) */
export const QUERY_TIMEOUT_MS = 30_000;
/** a checkout of a whole tree (`git worktree add` of a large repository) */
export const CHECKOUT_TIMEOUT_MS = 300_000;

/**
 * git through execa; `program`: another git (a test's missing one). git runs
 * as the leader of a process group of its own, and the whole group is killed
 * at the timeout: a hook it runs (post-checkout) that holds its output open
 * cannot keep the call past its bound.
 */
export const gitAt =
  (program: string): Git =>
  async (dir, args, options = {}) => {
    const child = execa(program, ['-C', dir, ...args], {
      reject: false,
      detached: true,
      stdin: 'ignore',
      stripFinalNewline: false,
      // a GIT_DIR or GIT_WORK_TREE of the caller (a git hook's) would point every call elsewhere than -C says
      env: {
        GIT_TERMINAL_PROMPT: '0',
        GIT_OPTIONAL_LOCKS: '0',
        LC_ALL: 'C',
        GIT_DIR: undefined,
        GIT_WORK_TREE: undefined,
        GIT_INDEX_FILE: undefined,
        GIT_COMMON_DIR: undefined,
      },
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // ended meanwhile
      }
    }, options.timeoutMs ?? QUERY_TIMEOUT_MS);
    const result = await child;
    clearTimeout(timer);
    const missing = (result as { code?: string }).code === 'ENOENT';
    return {
      stdout: String(result.stdout ?? ''),
      stderr: missing
        ? 'git is not installed (not found on PATH)'
        : timedOut
          ? `git ${args[0] ?? ''} took longer than its timeout`
          : String(result.stderr ?? ''),
      exitCode: missing ? 127 : timedOut ? 124 : (result.exitCode ?? 1),
    };
  };

export const execaGit: Git = gitAt('git');

/** git's own complaint, in one line. */
export const gitMessage = (result: GitResult): string =>
  result.stderr
    .split('\n')
    .map((l) => l.replace(/^(fatal|error): /, '').trim())
    .filter(Boolean)
    .join('; ') || `git exited ${result.exitCode}`;
