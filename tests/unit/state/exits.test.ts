import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newRunId, readExit } from '../../../src/state/exits.js';
import { wrapKickoff } from '../../../src/supervisor/launch.js';
import { layout } from '../../../src/state/layout.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ao-exits-'));
  mkdirSync(join(dir, 'exits'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the launcher as the pane would (its real sh), with an agent argv. */
function launch(argv: string[], runId: string, mode: 'arg' | 'stdin' | 'none' = 'none') {
  const [file, ...args] = wrapKickoff(argv, mode);
  writeFileSync(join(dir, 'kickoff.md'), 'the $(touch pwned) `touch pwned` kickoff');
  return spawnSync(file!, args, { cwd: dir, env: { PATH: process.env.PATH, AO_RUN_ID: runId, AO_EXIT_FILE: layout.exit(dir, 'a'), AO_KICKOFF_FILE: join(dir, 'kickoff.md') }, encoding: 'utf8', timeout: 10_000 });
}

describe('the launcher and its exit record', () => {
  it('records exit 0, a non-zero exit and a death by signal, and exits as the agent did', () => {
    const ok = launch(['true'], 'r1');
    expect(ok.status).toBe(0);
    expect(readExit(dir, 'b', 'r1')).toBeNull(); // another agent's file
    const read = (runId: string) => readExit(dir, 'a', runId);
    expect(read('r1')).toEqual({ status: 0, signal: null });
    expect(launch(['sh', '-c', 'exit 3'], 'r2').status).toBe(3);
    expect(read('r2')).toEqual({ status: 3, signal: null });
    expect(launch(['sh', '-c', 'kill -9 $$'], 'r3').status).toBe(137);
    expect(read('r3')).toEqual({ status: null, signal: 9 });
    // a missing program is a failure too (sh says 127)
    expect(launch(['no-such-program-ao'], 'r4').status).toBe(127);
    expect(read('r4')).toEqual({ status: 127, signal: null });
  });

  it('never reads a record of an earlier run as the current one', () => {
    launch(['true'], 'old');
    expect(readExit(dir, 'a', 'old')).toEqual({ status: 0, signal: null });
    expect(readExit(dir, 'a', 'new')).toBeNull();
    expect(newRunId()).not.toBe(newRunId());
  });

  it('hands the kickoff over as an argument or on stdin without a shell parsing it', () => {
    const arg = launch(['printf', '%s'], 'a', 'arg');
    expect(arg.stdout).toBe('the $(touch pwned) `touch pwned` kickoff');
    const stdin = launch(['cat'], 'b', 'stdin');
    expect(stdin.stdout).toBe('the $(touch pwned) `touch pwned` kickoff');
    // an argument is data too
    launch(['printf', '%s', '$(touch pwned)'], 'c');
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  });

  it('reads the file state/exits/AGENT', () => {
    expect(layout.exit('/p/state', 'builder')).toBe('/p/state/exits/builder');
  });
});
