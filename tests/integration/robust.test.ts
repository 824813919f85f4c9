import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventsOf, killServer, onePhaseFiles, sleepersTeam, statusOf, team, waitFor, type Team } from '../helpers/ao.js';
import { layout } from '../../src/state/layout.js';

/** Two shell agents and two phases, watchdog timings scaled down, torn down when the test ends. */
function project(tag: string): Team {
  return sleepersTeam(tag, ['alpha', 'beta'], '', { teardown: 'afterTest' });
}

const watchdogPid = (dir: string): number =>
  existsSync(join(dir, 'state', 'watchdog.pid')) ? Number(readFileSync(join(dir, 'state', 'watchdog.pid'), 'utf8').trim()) : 0; // not written yet: no watchdog yet
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function running(ao: Team['ao'], names: string[]): Promise<Record<string, number>> {
  return waitFor(async () => {
    const { agents } = await statusOf(ao);
    return names.every((n) => agents[n]?.state === 'running' && agents[n]?.pid) ? Object.fromEntries(names.map((n) => [n, agents[n]!.pid!])) : undefined;
  }, 10_000);
}

/** A new watchdog (another pid than `old`, alive) that holds the lock and has reported its start. */
async function newWatchdog(dir: string, old: number, timeoutMs: number): Promise<number> {
  return waitFor(
    async () => {
      const pid = watchdogPid(dir);
      if (pid === old || !alive(pid)) return undefined;
      const lock = JSON.parse(readFileSync(join(dir, 'state', 'watchdog.lock'), 'utf8')) as { pid: number };
      const started = readFileSync(join(dir, 'state', 'events.jsonl'), 'utf8').includes(`"reason":"pid ${pid}`);
      return lock.pid === pid && started ? pid : undefined;
    },
    timeoutMs,
    50,
  );
}

describe('the watchdog is supervised', () => {
  it('kill -9 of the watchdog: a new one within 5 s without ao up; agents keep their pids and are still healed', async () => {
    const { ao, dir } = project('sup');
    expect((await ao('up')).stdout).toMatch(/watchdog: started/);
    const pids = await running(ao, ['alpha', 'beta']);
    let dog = await newWatchdog(dir, 0, 5000);
    for (let round = 0; round < 3; round++) {
      process.kill(dog, 'SIGKILL');
      dog = await newWatchdog(dir, dog, 5000);
    }
    expect(await running(ao, ['alpha', 'beta'])).toEqual(pids);
    // the new watchdog heals
    process.kill(pids.alpha!, 'SIGKILL');
    const healed = await waitFor(async () => {
      const a = (await statusOf(ao)).agents.alpha;
      return a?.state === 'running' && a.pid !== pids.alpha ? a.pid : undefined;
    }, 5000);
    expect(healed).not.toBe(pids.alpha);
    const restarted = (await eventsOf(ao)).filter((e) => e.event === 'watchdog-restarted');
    expect(restarted).toHaveLength(3);
    expect(restarted[0]!.reason).toMatch(/exit 137 .*1 in a row/);
    // the watchdog's own log: one JSON object per line, one "time" key in each, the death said once
    const lines = readFileSync(layout.watchdogLog(join(dir, 'state')), 'utf8')
      .split('\n')
      .filter(Boolean);
    for (const line of lines) {
      expect(line.match(/"time":/g), line).toHaveLength(1);
      expect(() => JSON.parse(line) as unknown, line).not.toThrow();
    }
    const died = lines.map((l) => (JSON.parse(l) as { msg?: string }).msg ?? '').find((m) => m.startsWith('alpha: died'));
    // status's pid is the launcher's: tmux's word (signal 9) when it reaped the pane first, else the watchdog's
    // own sight of the launcher gone without the record it would have written
    expect(died).toMatch(/^alpha: died \((killed by signal 9|exit 137|killed with its launcher \(no exit record\))\)$/);
  });

  it('its tmux server killed under it, the project folder removed: the watchdog process ends by itself', async () => {
    const { ao, dir, socket } = project('gone');
    await ao('up');
    await running(ao, ['alpha', 'beta']);
    const dog = await newWatchdog(dir, 0, 5000);
    await killServer(socket);
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    // SIGHUP from the closed terminal, or the sweep that finds its session gone, stops it; nothing may keep it alive
    await waitFor(async () => !alive(dog), 15_000, 200);
  });

  it('the same with agents.toml broken: the restarted watchdog runs the last good config', async () => {
    const { ao, dir } = project('supbad');
    await ao('up');
    const pids = await running(ao, ['alpha', 'beta']);
    const dog = await newWatchdog(dir, 0, 5000);
    writeFileSync(join(dir, 'agents.toml'), '[agents.alpha\nkind = ');
    process.kill(dog, 'SIGKILL');
    await newWatchdog(dir, dog, 5000);
    process.kill(pids.beta!, 'SIGKILL');
    const healed = await waitFor(async () => {
      const b = (await statusOf(ao)).agents.beta;
      return b?.state === 'running' && b.pid !== pids.beta ? b.pid : undefined;
    }, 5000);
    expect(healed).toBeGreaterThan(0);
    expect((await statusOf(ao)).agents.alpha?.pid).toBe(pids.alpha);
    expect((await eventsOf(ao)).some((e) => e.event === 'config-error')).toBe(true);
  });

  it('ao up never waits on a state lock whose holder is dead', async () => {
    const { ao, dir } = project('stalelock');
    await ao('up', 'alpha', '--no-watchdog');
    const child = spawn('sleep', ['0.01']);
    await new Promise((r) => child.on('exit', r));
    // what a watchdog killed inside its sweep leaves behind
    symlinkSync(`${child.pid}:1`, join(dir, 'state', '.lock.pid'));
    const started = Date.now();
    const up = await ao('up');
    expect(up.code).toBe(0);
    // a functional bound: the old stale timeout alone was 10 s
    expect(Date.now() - started).toBeLessThan(9000);
    // the dead holder's lock was taken over, not left beside the new one
    expect(readdirSync(join(dir, 'state')).filter((f) => f.includes('.stale-'))).toEqual([]);
  });
});

/** Mounts a small tmpfs (root only); false when the machine refuses. */
function mountTmpfs(dir: string, size: string): boolean {
  mkdirSync(dir, { recursive: true });
  return spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]).status === 0;
}

/** Fills a filesystem to the last byte; returns the filler's path. */
function fill(dir: string): string {
  const file = join(dir, 'filler');
  spawnSync('dd', ['if=/dev/zero', `of=${file}`, 'bs=64k'], { stdio: 'ignore' });
  // and the last partial block
  spawnSync('sh', ['-c', `head -c 65536 /dev/zero >> ${file}`], { stdio: 'ignore' });
  return file;
}

const canMount = (() => {
  if (process.getuid?.() !== 0) return false;
  const probe = join('/tmp', `ao-tmpfs-probe-${process.pid}`);
  const ok = mountTmpfs(probe, '64k');
  if (ok) spawnSync('umount', [probe]);
  rmSync(probe, { recursive: true, force: true });
  return ok;
})();

describe('a full state filesystem', () => {
  // a real full disk: a 2 MB tmpfs mounted as the project's state folder (root only)
  it.runIf(canMount)('the watchdog stays alive, reports once, keeps its logs in bounds, and heals once space returns', async () => {
    const { ao, dir, socket } = project('enospc');
    const state = join(dir, 'state');
    expect(mountTmpfs(state, '2m')).toBe(true);
    try {
      expect((await ao('up')).code).toBe(0);
      const pids = await running(ao, ['alpha', 'beta']);
      const dog = await newWatchdog(dir, 0, 5000);
      const filler = fill(state);
      expect(() => writeFileSync(join(state, 'probe'), 'x'.repeat(8192))).toThrow(/ENOSPC/);
      process.kill(pids.alpha!, 'SIGKILL');
      // a while of full disk: many sweeps' worth (stall_check_s = 1, wakes from the death)
      await new Promise((r) => setTimeout(r, 4000));
      expect(alive(dog)).toBe(true);
      const logSize = statSync(layout.watchdogLog(state)).size;
      rmSync(filler);
      const healed = await waitFor(
        async () => {
          const a = (await statusOf(ao)).agents.alpha;
          return a?.state === 'running' && a.pid !== pids.alpha ? a.pid : undefined;
        },
        40_000,
        200,
      );
      expect(healed).toBeGreaterThan(0);
      expect(alive(dog)).toBe(true);
      expect(watchdogPid(dir)).toBe(dog);
      expect((await statusOf(ao)).agents.beta?.pid).toBe(pids.beta);
      const events = await eventsOf(ao);
      // a state folder that refuses writes is its own episode (issue 20): reported once, ended once
      expect(events.filter((e) => e.event === 'state-unwritable')).toHaveLength(1);
      expect(events.filter((e) => e.event === 'state-unwritable')[0]!.reason).toMatch(/ENOSPC/);
      expect(events.filter((e) => e.event === 'state-writable')).toHaveLength(1);
      // one report, not a line per sweep: the log grew by a few lines at most while full
      const log = readFileSync(layout.watchdogLog(state), 'utf8');
      expect(log.split('\n').filter((l) => l.includes('state-unwritable'))).toHaveLength(1);
      expect(logSize).toBeLessThan(64 * 1024);
    } finally {
      await ao('down');
      await killServer(socket);
      // the panes' log pipes may take a moment to let go of the mount
      for (let i = 0; i < 50 && spawnSync('umount', [state]).status !== 0; i++) await new Promise((r) => setTimeout(r, 100));
    }
  });
});

describe('corrupt state files while the team runs', () => {
  it('truncated, {}, null and binary agents.json and phase.json: healing continues, the phase is kept, one event each', async () => {
    const { ao, dir } = project('corrupt');
    await ao('up');
    expect((await ao('phase', 'next')).code).toBe(0);
    let pids = await running(ao, ['alpha', 'beta']);
    const bad: Array<string | Buffer> = ['{"version": 1, "agents": {"alpha": {"up": tr', '{}', 'null', Buffer.from([0, 0xff, 0x13, 0x37, 0x89])];
    let corruptEvents = 0;
    for (const content of bad) {
      for (const file of ['agents.json', 'phase.json']) {
        writeFileSync(join(dir, 'state', file), content);
        // read-only: status reads around it, moves nothing
        const status = await ao('status', '--json');
        expect(JSON.parse(status.stdout).phase.id).toBe('two');
        // the watchdog heals a death meanwhile
        process.kill(pids.alpha!, 'SIGKILL');
        const healed = await waitFor(async () => {
          const a = (await statusOf(ao)).agents.alpha;
          return a?.state === 'running' && a.pid !== pids.alpha ? a.pid : undefined;
        }, 10_000);
        pids = { ...pids, alpha: healed };
        corruptEvents++;
        await waitFor(async () => ((await eventsOf(ao)).filter((e) => e.event === 'state-corrupt').length >= corruptEvents ? true : undefined), 5000);
        expect((await statusOf(ao)).agents.beta?.pid).toBe(pids.beta);
      }
    }
    const events = (await eventsOf(ao)).filter((e) => e.event === 'state-corrupt');
    expect(events).toHaveLength(8);
    expect(events.filter((e) => /^agents\.json was corrupt/.test(e.reason))).toHaveLength(4);
    expect(events.filter((e) => /^phase\.json was corrupt .*restored from its last good copy/.test(e.reason))).toHaveLength(4);
    expect(readdirSync(join(dir, 'state')).filter((f) => /\.corrupt-/.test(f))).toHaveLength(8);
    expect(JSON.parse((await ao('phase', 'status', '--json')).stdout)).toMatchObject({ id: 'two' });
  });
});

describe('racing up and down', () => {
  it('10 rounds of 5 ao up and 5 ao down at once, interleaved: no command fails', async () => {
    const { ao } = project('race');
    const failed: string[] = [];
    for (let round = 0; round < 10; round++) {
      const runs = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 'up' : 'down')).map(async (verb) => {
        const result = await ao(verb);
        if (result.code !== 0) failed.push(`round ${round} ${verb}: exit ${result.code}: ${result.stderr.trim()} ${result.stdout.trim()}`);
      });
      await Promise.all(runs);
    }
    expect(failed).toEqual([]);
    // and the team still comes up whole
    expect((await ao('up')).code).toBe(0);
    await running(ao, ['alpha', 'beta']);
  }, 240_000);
});

describe('small lies', () => {
  it('ao check into a pipe whose reader is gone ends quietly, exit 0', async () => {
    const { dir, socket } = project('epipe');
    const { execa } = await import('execa');
    const { AO } = await import('../helpers/ao.js');
    // the reader (true) exits at once: every write of ao check meets a closed pipe; the subshell prints ao's own status
    const result = await execa('sh', ['-c', `exec 3>&1; ( "${process.execPath}" "${AO}" check; echo $? >&3 ) | true`], {
      cwd: dir,
      env: { AO_TMUX_SOCKET: socket, AO_CONFIG: '', TMUX: '' },
      reject: false,
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('0');
  });

  it('ao restart AGENT on a stopped team brings the watchdog too', async () => {
    const { ao, dir } = project('restartwd');
    const out = await ao('restart', 'alpha');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/watchdog: started/);
    const pid = (await running(ao, ['alpha'])).alpha!;
    await newWatchdog(dir, 0, 5000);
    process.kill(pid, 'SIGKILL');
    await waitFor(async () => {
      const a = (await statusOf(ao)).agents.alpha;
      return a?.state === 'running' && a.pid !== pid ? true : undefined;
    }, 5000);
  });

  it('an edit of prompts/kickoff.md alone reaches the next start', async () => {
    const { ao, dir } = project('kickoff');
    await ao('up', 'alpha');
    writeFileSync(join(dir, 'prompts', 'kickoff.md'), 'second version for {agent}\n');
    expect((await ao('restart', 'alpha')).code).toBe(0);
    expect(readFileSync(join(dir, 'state', 'kickoff', 'alpha.md'), 'utf8')).toBe('second version for alpha\n');
  });

  it('ao up on a complete project says so and brings it back as it ran: its loops stopped, the rest and the watchdog running', async () => {
    const t = team(
      'complete',
      onePhaseFiles(
        '[defaults]\nbackend = "shell"\n\n[agents.alpha]\nkind = "persistent"\ncommand = "sleep"\nargs = ["1000"]\n\n' +
          '[agents.looper]\nkind = "loop"\ncommand = "sleep"\nargs = ["1000"]\n\n[[phases]]\nid = "one"\nplan = "one.md"\n',
      ),
      { teardown: 'afterTest' },
    );
    expect((await t.ao('phase', 'next')).code).toBe(0);
    const up = await t.ao('up');
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/the project is complete \(all 1 phases passed\): its loops stay stopped/);
    expect(up.stdout).not.toMatch(/looper: started/);
    const { agents } = await statusOf(t.ao);
    expect([agents.alpha?.state, agents.looper?.state, agents.watchdog?.state]).toEqual(['running', 'stopped', 'running']);
    // and the watchdog leaves the loop stopped
    await new Promise((r) => setTimeout(r, 1500));
    expect((await statusOf(t.ao)).agents.looper?.state).toBe('stopped');
  });

  it('ao check exits 2 on what ao up would refuse', async () => {
    const t = team(
      'checkaider',
      onePhaseFiles('[agents.pair]\nkind = "persistent"\nbackend = "aider"\nkickoff = "arg"\n\n[[phases]]\nid = "one"\nplan = "one.md"\n'),
      { teardown: 'afterTest' },
    );
    const check = await t.ao('check');
    expect(check.code).toBe(2);
    expect(check.stderr).toMatch(/agents\.pair: ao up would refuse it/);
  });
});
