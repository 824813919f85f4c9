import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openProjectOrRunning } from '../../../src/cli/context.js';
import type { Io } from '../../../src/cli/io.js';
import { loadProject } from '../../../src/config/load.js';
import { stateDirOf } from '../../../src/config/state-dir.js';
import { ConfigError } from '../../../src/errors.js';
import { layout } from '../../../src/state/layout.js';
import { makeProject, removeProject } from '../../helpers/ao.js';

// The state folder of an agents.toml that does not load: where `ao status` and
// `ao dash` find the config the watchdog still runs.

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) removeProject(dir);
});

const VALID =
  '[defaults]\nstate_dir = "run/ao-state"\n\n[[phases]]\nid = "one"\nplan = "01.md"\n\n[agents.builder]\nkind = "service"\ncommand = "sleep"\nargs = ["1000"]\n';

function project(toml: string): string {
  const dir = makeProject({ 'agents.toml': toml, 'prompts/kickoff.md': '# {role}\n', 'phases/01.md': '# plan\n' });
  made.push(dir);
  return dir;
}

describe('stateDirOf', () => {
  it.each([
    ['a valid config', VALID, 'run/ao-state'],
    ['a config that parses but does not validate', VALID.replace('kind = "service"', 'kind = "nonsense"'), 'run/ao-state'],
    ['a TOML syntax error elsewhere', `${VALID}\n[agents.broken\n`, 'run/ao-state'],
    ['a single-quoted value with a comment, syntax broken', "[defaults]\nstate_dir = 'st' # here\n[agents.x\n", 'st'],
    ['no state_dir', '[[phases]]\nid = "one"\n', 'state'],
    ['state_dir under another table, syntax broken', '[agents.x]\nstate_dir = "elsewhere"\n[oops\n', 'state'],
    ['a state_dir outside the project folder', '[defaults]\nstate_dir = "../outside"\n', 'state'],
  ])('%s', (_what, toml, expected) => {
    const dir = project(toml);
    expect(stateDirOf(join(dir, 'agents.toml'))).toBe(join(dir, expected));
  });

  it('agrees with loadProject on a valid config', () => {
    const dir = project(VALID);
    expect(stateDirOf(join(dir, 'agents.toml'))).toBe(loadProject(join(dir, 'agents.toml'), {}).stateDir);
  });
});

describe('openProjectOrRunning with a custom state_dir', () => {
  it('a broken agents.toml shows the config the watchdog runs, read from the custom state folder', () => {
    const dir = project(VALID);
    const running = loadProject(join(dir, 'agents.toml'), {});
    mkdirSync(running.stateDir, { recursive: true });
    writeFileSync(layout.runningProject(running.stateDir), JSON.stringify(running));
    writeFileSync(join(dir, 'agents.toml'), VALID.replace('kind = "service"', 'kind = "nonsense"'));
    let err = '';
    const io: Io = { out: () => {}, err: (t) => void (err += t), env: {}, cwd: dir, isTTY: false };
    const opened = openProjectOrRunning({}, io);
    expect(opened.project.stateDir).toBe(join(dir, 'run', 'ao-state'));
    expect(opened.project.agents.map((a) => a.name)).toEqual(['builder']);
    expect(opened.configError).toMatch(/kind/);
    expect(err).toMatch(/config error/);
    // quiet: the dashboard shows the error itself
    err = '';
    expect(openProjectOrRunning({}, io, true).configError).toMatch(/kind/);
    expect(err).toBe('');
  });

  it('with no running config the config error stands', () => {
    const dir = project(VALID.replace('kind = "service"', 'kind = "nonsense"'));
    const io: Io = { out: () => {}, err: () => {}, env: {}, cwd: dir, isTTY: false };
    expect(() => openProjectOrRunning({}, io)).toThrow(ConfigError);
  });
});
