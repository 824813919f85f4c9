import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { endRun, runProcesses } from '../../../src/supervisor/stop.js';

// The processes of a run are found by the AO_RUN_ID in their environment, one
// pass over /proc for every run asked about at once.

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function sleeper(env: Record<string, string>): ChildProcess {
  const c = spawn('sleep', ['30'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: 'ignore' });
  children.push(c);
  return c;
}
const ended = (c: ChildProcess): Promise<string | null> => new Promise((resolve) => c.once('exit', (_code, signal) => resolve(signal)));
const id = (tag: string): string => `test-${process.pid}-${tag}-${Math.random().toString(36).slice(2)}`;

describe('runProcesses', () => {
  it('finds each run by its own variable, first in the environment or after others, and nothing that only looks like it', async () => {
    const [x, y, z] = [id('x'), id('y'), id('z')];
    const first = sleeper({ AO_RUN_ID: x });
    const later = sleeper({ A: '1', AO_RUN_ID: y, B: '2' });
    sleeper({ XAO_RUN_ID: x, NOTE: `AO_RUN_ID=${z}` });
    await new Promise((r) => setTimeout(r, 100));
    const found = runProcesses(new Set([x, y, z]));
    expect(found.get(x)).toEqual([first.pid]);
    expect(found.get(y)).toEqual([later.pid]);
    expect(found.has(z)).toBe(false);
  });
});

describe('endRun', () => {
  it('ends the processes of several runs asked about together, and only theirs', async () => {
    const [a, b, c] = [id('a'), id('b'), id('c')];
    const pa = sleeper({ AO_RUN_ID: a });
    const pb = sleeper({ AO_RUN_ID: b });
    const pc = sleeper({ AO_RUN_ID: c });
    await new Promise((r) => setTimeout(r, 100));
    const gone = [ended(pa), ended(pb)];
    expect(await Promise.all([endRun(a, 2000), endRun(b, 2000), endRun('no-such-run', 2000)])).toEqual([1, 1, 0]);
    expect(await Promise.all(gone)).toEqual(['SIGTERM', 'SIGTERM']);
    expect(pc.exitCode).toBeNull();
    expect(pc.signalCode).toBeNull();
  });
});
