/**
 * The repository around a folder, found as git finds it (the nearest `.git`
 * up from the folder) without running git: a start plans its command line
 * synchronously (supervisor/launch.ts) and a sandbox's mounts are facts of
 * that plan (sandbox/host.ts). What git itself says is asked when the
 * worktree is prepared (workspace/worktree.ts), and a start whose plan
 * disagrees with it fails (supervisor/start.ts).
 */
import { lstatSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseGitFile } from './porcelain.js';

export interface RepoFolders {
  /** the folder the repository's files are checked out in */
  top: string;
  /** where its commits, refs, hooks and config live (a linked worktree's: the repository's common folder) */
  gitDir: string;
}

/** The repository `dir` is in, or null when none is found above it (or it cannot be read). */
export function discoverRepo(dir: string): RepoFolders | null {
  let here: string;
  try {
    here = realpathSync(dir);
  } catch {
    return null;
  }
  for (;;) {
    const dotGit = join(here, '.git');
    const kind = kindOf(dotGit);
    if (kind === 'dir') return { top: here, gitDir: dotGit };
    if (kind === 'file') {
      const gitDir = linkedGitDir(here, dotGit);
      return gitDir === null ? null : { top: here, gitDir };
    }
    if (dirname(here) === here) return null;
    here = dirname(here);
  }
}

function kindOf(path: string): 'dir' | 'file' | null {
  try {
    const st = lstatSync(path);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : null;
  } catch {
    return null;
  }
}

/** A `.git` file's repository: its `gitdir:`, then that folder's `commondir` where it has one (a linked worktree's). */
function linkedGitDir(top: string, dotGit: string): string | null {
  try {
    const named = parseGitFile(readFileSync(dotGit, 'utf8'));
    if (named === null) return null;
    const gitDir = resolve(top, named);
    const common = kindOf(join(gitDir, 'commondir')) === 'file' ? readFileSync(join(gitDir, 'commondir'), 'utf8').trim() : '';
    return common === '' ? gitDir : resolve(gitDir, common);
  } catch {
    return null;
  }
}
