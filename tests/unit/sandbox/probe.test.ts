import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bwrapProblem } from '../../../src/sandbox/host.js';

// The probe of bubblewrap, with a stand-in program that counts its runs: a success stands for a while, across processes
// too (through the user's own runtime folder); a failure is never kept.

const dir = mkdtempSync(join(tmpdir(), 'ao-probe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const runs = join(dir, 'runs');
const fake = join(dir, 'bwrap');
const program = (exit: number): void => {
  writeFileSync(fake, `#!/bin/sh\necho run >> "$PROBE_RUNS"\nexit ${exit}\n`);
  chmodSync(fake, 0o755);
};
const count = (): number => {
  try {
    return readFileSync(runs, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
};
const env = { PATH: process.env.PATH, AO_BWRAP: fake, PROBE_RUNS: runs, XDG_RUNTIME_DIR: join(dir, 'run') };
const T0 = 1_900_000_000_000;
const MIN = 60_000;

describe('the bubblewrap probe', () => {
  it('runs once; its success stands in this process for a minute, then from the runtime folder for ten, 0600 there', () => {
    program(0);
    expect(bwrapProblem(env, T0)).toBeNull();
    expect(count()).toBe(1);
    expect(bwrapProblem(env, T0 + 30_000)).toBeNull();
    expect(bwrapProblem(env, T0 + 2 * MIN)).toBeNull(); // as a new process would: the kept file answers
    expect(count()).toBe(1);
    expect(statSync(join(dir, 'run', 'ao', 'bwrap-probe.json')).mode & 0o777).toBe(0o600);
    expect(bwrapProblem(env, T0 + 13 * MIN)).toBeNull(); // ten minutes past the kept one, and past the process's own
    expect(count()).toBe(2);
  });

  it('a changed program is probed again, and a failure is said every time, never kept', () => {
    program(1); // another size: another key
    expect(bwrapProblem(env, T0 + 15 * MIN)).toMatch(/--ro-bind \/ \/ true` failed \(exit 1\)/);
    expect(bwrapProblem(env, T0 + 15 * MIN + 1000)).toMatch(/failed \(exit 1\)/);
    expect(count()).toBe(4);
  });
});
