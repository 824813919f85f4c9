/** Pure parsing of what git prints for machines (`-z` forms: any file name, spaces and newlines included). */

export interface WorktreeEntry {
  path: string;
  head: string | null;
  /** `refs/heads/...` with the prefix taken off, or null when detached (or bare) */
  branch: string | null;
  /** git's reason when it would prune the entry (its folder is gone), else null */
  prunable: string | null;
  locked: boolean;
}

/** `git worktree list --porcelain -z`: one entry per worktree, the main one first. */
export function parseWorktreeList(text: string): WorktreeEntry[] {
  const entries: WorktreeEntry[] = [];
  let entry: WorktreeEntry | null = null;
  for (const field of text.split('\0')) {
    if (field === '') {
      entry = null;
      continue;
    }
    const space = field.indexOf(' ');
    const key = space < 0 ? field : field.slice(0, space);
    const value = space < 0 ? '' : field.slice(space + 1);
    if (key === 'worktree') {
      entry = { path: value, head: null, branch: null, prunable: null, locked: false };
      entries.push(entry);
      continue;
    }
    if (!entry) continue;
    if (key === 'HEAD') entry.head = value;
    else if (key === 'branch') entry.branch = value.replace(/^refs\/heads\//, '');
    else if (key === 'prunable') entry.prunable = value || 'its folder is gone';
    else if (key === 'locked') entry.locked = true;
  }
  return entries;
}

export interface StatusFiles {
  /** changed in the index or the working tree (staged, modified, deleted, renamed, in conflict) */
  uncommitted: string[];
  untracked: string[];
}

/** `git status --porcelain -z`: `XY path`, a rename's or copy's source after it as a field of its own. */
export function parseStatus(text: string): StatusFiles {
  const files: StatusFiles = { uncommitted: [], untracked: [] };
  const fields = text.split('\0');
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    if (field.length < 4) continue;
    const xy = field.slice(0, 2);
    const path = field.slice(3);
    if (xy === '??') files.untracked.push(path);
    else if (xy !== '!!') files.uncommitted.push(path);
    // the source of a rename or copy is the next field: skipped, the new name stands for both
    if (xy[0] === 'R' || xy[0] === 'C') i++;
  }
  return files;
}

/** `git rev-list --left-right --count A...B`: `<left>\t<right>`. */
export function parseCounts(text: string): { left: number; right: number } | null {
  const m = /^(\d+)\s+(\d+)\s*$/.exec(text);
  return m ? { left: Number(m[1]), right: Number(m[2]) } : null;
}

/** A `.git` file of a linked worktree: `gitdir: <path>`; null when it is not one. */
export function parseGitFile(text: string): string | null {
  const m = /^gitdir: (.+?)\r?\n?$/.exec(text);
  return m?.[1] ?? null;
}
