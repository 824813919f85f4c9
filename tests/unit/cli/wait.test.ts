/**
 * `ao up --wait` polls once a second for as long as a boot unit runs it
 * (weeks). Each poll must leave nothing behind on its abort signal: one
 * listener at most, however many polls, and no leak warning.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { getEventListeners } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { waitTeamDown } from '../../../src/cli/wait.js';
import { sleepFor } from '../../../src/sleep.js';
import type { Project } from '../../../src/config/types.js';
import type { Tmux } from '../../../src/tmux/client.js';
import type { PaneInfo } from '../../../src/tmux/snapshot.js';
import { projectOf } from '../../helpers/builders.js';

const POLLS = 1000;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ao-wait-'));
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

const project = (): Project => projectOf({ stateDir: dir, sessionPrefix: 'ao-p-', configFile: join(dir, 'agents.toml') });

const watchdogPane = (p: Project): PaneInfo => ({
  session: `${p.sessionPrefix}watchdog`,
  paneId: '%1',
  pid: 1,
  dead: false,
  deadStatus: null,
  deadSignal: null,
  activity: null,
  created: null,
  owner: p.configFile,
});

describe('waitTeamDown', () => {
  it(`polls ${POLLS} times with at most one abort listener and no warning`, async () => {
    const p = project();
    const stopped = new AbortController();
    const counts: number[] = [];
    let polls = 0;
    // the watchdog runs for POLLS polls, then is gone (no `ao down`): exit 1
    const tmux = {
      snapshot: () => {
        counts.push(getEventListeners(stopped.signal, 'abort').length);
        polls++;
        return Promise.resolve(polls <= POLLS ? [watchdogPane(p)] : []);
      },
    } as unknown as Tmux;
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    try {
      const out: string[] = [];
      const io = { out: (t: string) => void out.push(t), err: () => undefined, env: {}, cwd: dir, isTTY: false };
      const done = waitTeamDown(p, tmux, io, undefined, stopped);
      for (let i = 0; i < POLLS + 5 && polls <= POLLS; i++) await vi.advanceTimersByTimeAsync(1000);
      await expect(done).resolves.toBe(1);
      expect(polls).toBe(POLLS + 1);
      expect(Math.max(...counts)).toBeLessThanOrEqual(1);
      expect(getEventListeners(stopped.signal, 'abort')).toHaveLength(0);
      // a warning is emitted on the next tick
      await vi.advanceTimersByTimeAsync(10);
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
      expect(out.join('')).toMatch(/the watchdog is gone/);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('ends at once, with 0, when the process is told to stop mid-pause', async () => {
    const p = project();
    const stopped = new AbortController();
    const tmux = { snapshot: () => Promise.resolve([watchdogPane(p)]) } as unknown as Tmux;
    const done = waitTeamDown(p, tmux, { out: () => undefined, err: () => undefined, env: {}, cwd: dir, isTTY: false }, undefined, stopped);
    await vi.advanceTimersByTimeAsync(2500);
    stopped.abort();
    await expect(done).resolves.toBe(0);
    expect(getEventListeners(stopped.signal, 'abort')).toHaveLength(0);
  });
});

describe('sleepFor', () => {
  it('removes its listener when the time is up, and resolves at once on an abort', async () => {
    const c = new AbortController();
    const p = sleepFor(1000, c.signal);
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    await p;
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(0);
    const q = sleepFor(60_000, c.signal);
    c.abort();
    await q;
    expect(vi.getTimerCount()).toBe(0);
  });
});
