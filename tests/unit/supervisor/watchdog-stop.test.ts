import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAgentsState, writeAgentsState } from '../../../src/state/agents.js';
import type { ScreenPatch } from '../../../src/supervisor/screens.js';
import { Watchdog } from '../../../src/supervisor/watchdog.js';
import type { Tmux } from '../../../src/tmux/client.js';
import { project } from '../ui/fixtures.js';
import { agentSpec, record } from '../../helpers/builders.js';

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

describe("the screen watch's outcomes", () => {
  function dogOf(dir: string): { dog: Watchdog; record: (patches: readonly ScreenPatch[]) => Promise<number> } {
    const tmux = { snapshot: async () => [], waitFor: async () => false } as unknown as Tmux;
    const dog = new Watchdog({
      project: project([agentSpec({ name: 'a', session: 'ao-a', kind: 'persistent' })], {
        dir,
        stateDir: join(dir, 'state'),
        configFile: join(dir, 'agents.toml'),
      }),
      tmux,
      aoEntry: '/ao',
      env: {},
      log: () => undefined,
    });
    const screens = (dog as unknown as { screens: { deps: { record: (patches: readonly ScreenPatch[]) => Promise<number> } } }).screens;
    return { dog, record: (patches) => screens.deps.record(patches) };
  }

  it('go into agents.json with the next sweep, which is its one writer; a start they no longer describe is left alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ao-wd-screens-'));
    try {
      const startedAt = '2026-12-07T10:00:00.000Z';
      await writeAgentsState(join(dir, 'state'), { version: 1, agents: { a: record({ up: false, startedAt }) } });
      const { dog, record: submit } = dogOf(dir);
      const now = submit([{ agent: 'a', startedAt, apply: (r) => void (r.waitingOn = 'folder trust') }]);
      const stale = submit([{ agent: 'a', startedAt: '2026-12-07T09:00:00.000Z', apply: (r) => void (r.waitingOn = 'stale') }]);
      // nothing is written before the sweep
      expect(readAgentsState(join(dir, 'state')).agents.a?.waitingOn ?? null).toBeNull();
      await dog.tick();
      expect(await now).toBe(1);
      expect(await stale).toBe(0);
      expect(readAgentsState(join(dir, 'state')).agents.a?.waitingOn).toBe('folder trust');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('waiting when the watchdog stops fail, so the screen watch never waits on a sweep that will not come', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ao-wd-screens-'));
    try {
      const { dog, record: submit } = dogOf(dir);
      const waiting = submit([{ agent: 'a', startedAt: null, apply: () => undefined }]);
      dog.stop();
      await expect(waiting).rejects.toThrow(/stopping/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
