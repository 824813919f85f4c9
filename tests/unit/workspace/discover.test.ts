import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverRepo } from '../../../src/workspace/discover.js';
import { git, initRepo } from '../../helpers/git.js';

// The repository a start plans with, found without git: it must be the one git itself finds.

const root = realpathSync(mkdtempSync(join(tmpdir(), 'ao-discover-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('discoverRepo', () => {
  it('finds the repository of its top folder, of a subfolder, and of a linked worktree, as git does', async () => {
    const repo = join(root, 'repo');
    mkdirSync(join(repo, 'app', 'src'), { recursive: true });
    writeFileSync(join(repo, 'app', 'src', 'x.txt'), 'x\n');
    await initRepo(repo);
    expect(discoverRepo(repo)).toEqual({ top: repo, gitDir: join(repo, '.git') });
    expect(discoverRepo(join(repo, 'app', 'src'))).toEqual({ top: repo, gitDir: join(repo, '.git') });
    expect((await git(join(repo, 'app'), 'rev-parse', '--show-toplevel')).trim()).toBe(repo);

    const linked = join(root, 'linked');
    await git(repo, 'worktree', 'add', '-q', '-b', 'side', linked);
    // a linked worktree commits into the repository's common folder, not its own .git file's
    expect(discoverRepo(join(linked, 'app'))).toEqual({ top: linked, gitDir: join(repo, '.git') });
    expect((await git(linked, 'rev-parse', '--path-format=absolute', '--git-common-dir')).trim()).toBe(join(repo, '.git'));
  });

  it('finds none above a folder outside any repository, or for a folder that is not there', () => {
    const plain = join(root, 'plain');
    mkdirSync(plain);
    // a tmp folder is in no repository here; a `.git` that is not a git file is none either
    expect(discoverRepo(join(root, 'missing'))).toBeNull();
    writeFileSync(join(plain, '.git'), 'not a gitdir line\n');
    expect(discoverRepo(plain)).toBeNull();
  });
});
