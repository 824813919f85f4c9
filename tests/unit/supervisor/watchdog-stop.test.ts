import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Watchdog } from '../../../src/supervisor/watchdog.js';
import type { Tmux } from '../../../src/tmux/client.js';
import { project } from '../ui/fixtures.js';

it('a stop asked before the run began (SIGTERM while the watchers start) ends the run at once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ao-wd-stop-'));
  try {
    const calls: string[] = [];
    const tmux = {
      snapshot: async () => (calls.push('snapshot'), []),
      waitFor: async () => (calls.push('waitFor'), false),
    } as unknown as Tmux;
    const dog = new Watchdog({
      project: project([], { dir, stateDir: join(dir, 'state'), configFile: join(dir, 'agents.toml') }),
      tmux,
      aoEntry: '/ao',
      env: {},
      log: () => undefined,
    });
    dog.stop();
    const ran = await Promise.race([dog.run().then(() => 'returned'), new Promise((r) => setTimeout(() => r('still running'), 2000))]);
    expect(ran).toBe('returned');
    expect(calls).toEqual([]); // no sweep, no wait on tmux
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
