import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findConfig } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/errors.js';
import { scratchDir } from '../../helpers/scratch.js';

const AO = join(import.meta.dirname, '..', '..', '..', 'bin', 'ao');

/** A parent project with a child folder whose own agents.toml is broken in some way. */
function nested(makeChild: (file: string) => void): { parent: string; child: string } {
  const parent = scratchDir('ao-find-');
  writeFileSync(join(parent, 'agents.toml'), '[agents.a]\nkind = "loop"\n');
  const child = join(parent, 'child');
  mkdirSync(child);
  makeChild(join(child, 'agents.toml'));
  return { parent, child };
}

function errorOf(cwd: string): ConfigError {
  try {
    findConfig({ cwd, env: {} });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('findConfig found a config');
}

describe('config discovery stops at the first agents.toml that exists', () => {
  const cases: Array<[string, (file: string) => void, RegExp]> = [
    ['a symlink loop', (file) => symlinkSync(file, file), /symlink loop/],
    ['a directory', (file) => mkdirSync(file), /is a directory/],
    ['a dangling symlink', (file) => symlinkSync('elsewhere.toml', file), /symlink to elsewhere\.toml, which does not exist/],
  ];
  for (const [what, make, message] of cases) {
    it(`${what}: says what is wrong and never walks up to the parent project`, () => {
      const { child } = nested(make);
      const error = errorOf(child);
      expect(error.file).toBe(join(child, 'agents.toml'));
      expect(error.message).toMatch(message);
      expect(error.exitCode).toBe(2);
    });
  }

  it('an unreadable file: permission denied', () => {
    const { parent, child } = nested((file) => {
      writeFileSync(file, '');
      chmodSync(file, 0o000);
    });
    if (process.getuid?.() !== 0) {
      expect(errorOf(child).message).toMatch(/permission denied/);
      return;
    }
    // root reads every file whatever its mode: the built ao runs as `nobody`, for whom the file is unreadable
    chmodSync(parent, 0o755);
    chmodSync(child, 0o755);
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, AO, 'check'], {
      cwd: child,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: child },
      encoding: 'utf8',
    });
    expect(r.error, 'setpriv (util-linux) runs').toBeUndefined();
    expect(r.stderr + r.stdout).toMatch(/agents\.toml.*permission denied/s);
    expect(r.stderr + r.stdout).not.toMatch(/\[agents\.a\]|parent/);
    expect(r.status).toBe(2);
  });

  it('a readable one is found from a folder below it', () => {
    const { parent } = nested(() => {});
    const below = join(parent, 'child');
    expect(findConfig({ cwd: below, env: {} })).toBe(join(parent, 'agents.toml'));
  });
});
