import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ProcWatch } from '../../../src/state/procwatch.js';

describe('ProcWatch', () => {
  it('reports a watched pid once it is gone, and nothing while it lives', async () => {
    const child = spawn('sleep', ['100']);
    const other = spawn('sleep', ['100']);
    const watch = new ProcWatch();
    watch.set([child.pid!, other.pid!]);
    expect(watch.poll().size).toBe(0);
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    await new Promise((r) => setTimeout(r, 20));
    expect([...watch.poll().keys()]).toEqual([child.pid]);
    // a pid no longer watched is not reported
    watch.set([other.pid!]);
    expect(watch.poll().size).toBe(0);
    watch.close();
    other.kill('SIGKILL');
  });
});
