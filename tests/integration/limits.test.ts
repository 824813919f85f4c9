/**
 * Small limits (issue 21, item 5), through the built CLI: a message is at most
 * 1 MB and stdin is never read past it; no unit is written from a path holding
 * a control character; a state lock naming a live process that is not the ao
 * process that wrote it is taken over instead of stalling every locked write.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processStartTime } from '../../src/state/pidlock.js';
import { AO, runAo, team, uniqueSocket, type Team } from '../helpers/ao.js';

const CAP = 1024 * 1024;
const FILES = {
  'agents.toml':
    '[defaults]\nbackend = "shell"\n\n[agents.builder]\nkind = "persistent"\ncommand = "sleep"\nargs = ["100000"]\n\n[[phases]]\nid = "one"\nplan = "one.md"\n\n[[phases]]\nid = "two"\nplan = "two.md"\n',
  'prompts/kickoff.md': 'go\n',
  'phases/one.md': '# one\n',
  'phases/two.md': '# two\n',
};

const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

const limitsTeam = (tag: string): Team => team(tag, FILES, { teardown: 'afterTest' });

const inboxHash = (dir: string): string | null => {
  const file = join(dir, 'state', 'inbox', 'builder.md');
  return existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : null;
};

/** Words that `ao send` joins with spaces into exactly `bytes` bytes (each under Linux's 128 kB for one argument). */
function words(bytes: number): string[] {
  const count = Math.ceil((bytes + 1) / 65_537);
  const letters = bytes - (count - 1);
  return Array.from({ length: count }, (_, i) => 'a'.repeat(Math.floor(letters / count) + (i < letters % count ? 1 : 0)));
}

describe('ao send caps a message at 1 MB', () => {
  it('1 MB + 1 byte, as arguments or on stdin, is refused (exit 2) and the inbox is unchanged; exactly 1 MB arrives', async () => {
    const { ao, dir, socket } = limitsTeam('cap');
    expect((await ao('send', 'builder', 'first')).code).toBe(0);
    const before = inboxHash(dir);
    expect(before).not.toBeNull();
    expect(words(CAP + 1).join(' ')).toHaveLength(CAP + 1);

    const overArgs = await ao('send', 'builder', ...words(CAP + 1));
    expect(overArgs.code).toBe(2);
    expect(overArgs.stderr).toContain(`the message is ${CAP + 1} bytes; ao send takes at most ${CAP} (1 MB): nothing sent`);
    const overStdin = await runAo(['send', 'builder'], { cwd: dir, socket, input: 'b'.repeat(CAP + 1) });
    expect(overStdin.code).toBe(2);
    expect(overStdin.stderr).toContain(`at most ${CAP} (1 MB)`);
    // counted in UTF-8: 349,526 three-byte characters are 1,048,578 bytes
    expect((await runAo(['send', 'builder'], { cwd: dir, socket, input: '€'.repeat(349_526) })).code).toBe(2);
    expect(inboxHash(dir)).toBe(before);

    expect((await ao('send', 'builder', ...words(CAP))).code).toBe(0);
    expect((await runAo(['send', 'builder'], { cwd: dir, socket, input: `${'c'.repeat(CAP - 1)}\n` })).code).toBe(0);
    const inbox = JSON.parse((await ao('inbox', 'builder', '--json')).stdout) as { text: string }[];
    expect(inbox.map((m) => m.text.length)).toEqual([5, CAP, CAP - 1]);
  });

  it('an endless stdin is read no further than the cap: exit 2 at once, not a process that grows until it dies', async () => {
    const { dir, socket } = limitsTeam('endless');
    const zero = openSync('/dev/zero', 'r');
    try {
      const started = Date.now();
      // the child reads /dev/zero itself: nothing between it and the stream stops early for it
      const child = spawn(process.execPath, [AO, 'send', 'builder'], {
        cwd: dir,
        stdio: [zero, 'ignore', 'pipe'],
        env: { ...process.env, AO_TMUX_SOCKET: socket, AO_CONFIG: '', TMUX: '' },
      });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const [code, signal] = (await new Promise((r) => child.on('exit', (...a) => r(a)))) as [number | null, string | null];
      clearTimeout(timer);
      expect(signal).toBeNull();
      expect(code).toBe(2);
      expect(stderr).toContain(`the message is over ${CAP} bytes; ao send takes at most ${CAP} (1 MB): nothing sent`);
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      closeSync(zero);
    }
    expect(inboxHash(dir)).toBeNull();
  });
});

describe('ao service install', () => {
  it('refuses a project folder whose name holds a newline (exit 2), --print or not, and writes nothing', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ao-unit-'));
    temps.push(root);
    const home = join(root, 'home');
    mkdirSync(home);
    const dir = join(root, 'team\nExecStartPre=/bin/touch /tmp/ao-pwned');
    for (const [path, content] of Object.entries(FILES)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    for (const args of [
      ['service', 'install', '--print'],
      ['service', 'install'],
    ]) {
      const result = await runAo(args, { cwd: dir, socket: uniqueSocket('unit'), env: { HOME: home } });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /ao service install: the project folder ".*team\\x0aExecStartPre=\/bin\/touch \/tmp\/ao-pwned" holds a control character: no unit is written from it/,
      );
    }
    expect(readdirSync(home)).toEqual([]);
  });
});

describe('the state lock', () => {
  it('planted naming a live process that is not ao (a sleep) is taken over: locked writes go on at once', async () => {
    const { ao, dir } = limitsTeam('lock');
    mkdirSync(join(dir, 'state'), { recursive: true });
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const start = await (async () => {
        for (let i = 0; i < 50; i++) {
          const found = processStartTime(sleeper.pid!);
          if (found) return found;
          await new Promise((r) => setTimeout(r, 20));
        }
        throw new Error('the sleep never showed in /proc');
      })();
      symlinkSync(`${sleeper.pid}:${start}`, join(dir, 'state', '.lock.pid'));
      const started = Date.now();
      const moved = await ao('phase', 'next');
      expect(moved.code, moved.stderr).toBe(0);
      const sent = await ao('send', 'builder', 'through the lock');
      expect(sent.code, sent.stderr).toBe(0);
      // the lock's wait was 30 s: every write above waited it out before
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(JSON.parse((await ao('phase', 'status', '--json')).stdout)).toMatchObject({ id: 'two' });
      expect((JSON.parse((await ao('inbox', 'builder', '--json')).stdout) as { text: string }[]).map((m) => m.text)).toEqual(['through the lock']);
      // the planted lock went, and the writer's own was released
      expect(existsSync(join(dir, 'state', '.lock.pid'))).toBe(false);
      expect(readdirSync(join(dir, 'state')).filter((f) => f.includes('.stale-'))).toEqual([]);
    } finally {
      process.kill(sleeper.pid!, 'SIGKILL');
    }
  });
});
