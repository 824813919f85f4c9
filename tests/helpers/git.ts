/** Real git for the workspace tests: the test's own identity, no prompts. */
import { execa } from 'execa';

export async function git(dir: string, ...args: string[]): Promise<string> {
  const r = await execa('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
    env: { GIT_TERMINAL_PROMPT: '0' },
    stripFinalNewline: false,
  });
  return r.stdout;
}

/** What the maintainer's checkout is: its branch, HEAD and status, byte for byte. */
export async function checkout(dir: string): Promise<string[]> {
  return [await git(dir, 'symbolic-ref', 'HEAD'), await git(dir, 'rev-parse', 'HEAD'), await git(dir, 'status', '--porcelain', '--untracked-files=all')];
}

/** A fresh repository of what is in `dir`, on branch `branch`, one commit; its HEAD. */
export async function initRepo(dir: string, branch = 'trunk'): Promise<string> {
  await git(dir, 'init', '-q', '-b', branch);
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'the project');
  return (await git(dir, 'rev-parse', 'HEAD')).trim();
}
