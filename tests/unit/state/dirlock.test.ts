import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readlinkSync, symlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lock, tryLock, unlock } from '../../../src/state/dirlock.js';
import { withLock } from '../../../src/state/files.js';
import { processStartTime } from '../../../src/state/pidlock.js';
import { layout } from '../../../src/state/layout.js';
import { scratchDir } from '../../helpers/scratch.js';

const temp = (): string => scratchDir('ao-lock-');

async function deadPid(): Promise<number> {
  const child = spawn('sleep', ['0.01']);
  await new Promise((r) => child.on('exit', r));
  return child.pid!;
}

describe('the state folder lock', () => {
  it('is a symlink naming its holder (pid, start time, the script its command line runs), taken once and released', () => {
    const file = layout.dirLock(temp());
    expect(tryLock(file)).toBe(true);
    // (a process that renamed itself, as vitest's workers do, is named by its program)
    const args = readFileSync('/proc/self/cmdline', 'utf8').split('\0').filter(Boolean);
    const script = args.slice(1).find((a) => !a.startsWith('-')) ?? args[0];
    expect(readlinkSync(file)).toBe(`${process.pid}:${processStartTime(process.pid)}:${script}`);
    // this very process holds it: another of its callers waits
    expect(tryLock(file)).toBe(false);
    unlock(file);
    expect(existsSync(file)).toBe(false);
  });

  it('a dead holder’s lock is taken over at once, not after a stale timeout', async () => {
    const file = layout.dirLock(temp());
    symlinkSync(`${await deadPid()}:12345`, file);
    expect(tryLock(file)).toBe(true);
    unlock(file);
    // a reused pid: this very process, but another start time
    symlinkSync(`${process.pid}:1`, file);
    expect(tryLock(file)).toBe(true);
    unlock(file);
    // the old lock folder of proper-lockfile, or any other junk, is nobody's lock
    mkdirSync(file);
    expect(tryLock(file)).toBe(true);
    unlock(file);
  });

  it('a live process that is not the one that wrote the lock holds nothing: its lock is taken over at once', async () => {
    const file = layout.dirLock(temp());
    const sleeper = spawn('sleep', ['30']);
    await new Promise((r) => setTimeout(r, 50));
    try {
      const start = processStartTime(sleeper.pid!);
      // planted the old way (no command), naming another command, or a command under another start time
      for (const planted of [`${sleeper.pid}:${start}`, `${sleeper.pid}:${start}:`, `${sleeper.pid}:${start}:/usr/bin/ao`, `${sleeper.pid}:1:sleep`, '1:1:init']) {
        symlinkSync(planted, file);
        expect(tryLock(file), planted).toBe(true);
        unlock(file);
        expect(existsSync(file)).toBe(false);
      }
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('a live holder makes others wait until it releases; a timeout names the holder', async () => {
    const dir = temp();
    const sleeper = spawn('sleep', ['30']);
    await new Promise((r) => setTimeout(r, 50));
    const file = layout.dirLock(dir);
    // its start time and a word of its command line: as an ao process that took the lock would write it
    symlinkSync(`${sleeper.pid}:${processStartTime(sleeper.pid!)}:sleep`, file);
    try {
      expect(tryLock(file)).toBe(false);
      await expect(lock(file, 200)).rejects.toThrow(new RegExp(`pid ${sleeper.pid}`));
    } finally {
      sleeper.kill('SIGKILL');
    }
    await new Promise((r) => sleeper.on('exit', r));
    await lock(file, 1000);
    unlock(file);
  });

  it('withLock runs concurrent callers one at a time', async () => {
    const dir = temp();
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        withLock(dir, async () => {
          inside++;
          most = Math.max(most, inside);
          await new Promise((r) => setTimeout(r, 2));
          order.push(i);
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(order).toHaveLength(20);
    expect(existsSync(layout.dirLock(dir))).toBe(false);
  });
});
