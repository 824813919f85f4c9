import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventsOf, killServer, REPO, serverRunning, statusOf, team, tmux, waitFor, type Team } from '../helpers/ao.js';

/** A project of shell agents on its own socket, with watchdog timings scaled down. */
function project(agents: string, watchdog: string): Team {
  return team(
    'wd',
    {
      'agents.toml': `[defaults]\nbackend = "shell"\nsession_prefix = "wd-"\n\n${agents}\n[[phases]]\nid = "one"\nplan = "one.md"\n\n[watchdog]\n${watchdog}\n`,
      'prompts/kickoff.md': 'go\n',
      'phases/one.md': '# one\n',
    },
    { teardown: 'afterTest' },
  );
}

const agents = statusOf;
const events = eventsOf;

const spawnTimes = (file: string): number[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number) : []);

describe('the watchdog heals', () => {
  it('kill -9 of an agent: a new one runs, twenty times in a row without backoff, lost hooks included', async () => {
    const { ao, socket } = project(
      '[agents.worker]\nkind = "persistent"\ncommand = "sleep"\nargs = ["100000"]\n',
      'healthy_after_s = 0.3\nrestart_limit = 100\nstall_check_s = 1\n',
    );
    expect((await ao('up')).code).toBe(0);
    let pid = (await waitFor(async () => ((await agents(ao)).agents.worker?.state === 'running' ? agents(ao) : undefined))).agents.worker!.pid!;
    const healMs: number[] = [];
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 400)); // longer than healthy_after_s: no backoff
      const killed = Date.now();
      process.kill(pid, 'SIGKILL');
      const next = await waitFor(
        async () => {
          const out = await tmux(socket, ['list-panes', '-t', '=wd-worker:', '-F', '#{pane_pid} #{pane_dead}']);
          const [p, dead] = out.stdout.trim().split(' ');
          return Number(p) !== pid && dead === '0' ? Number(p) : undefined;
        },
        3000,
        5,
      );
      healMs.push(Date.now() - killed);
      pid = next;
    }
    // how fast is bench/watchdog's to say (median 287 ms in the soak); here only that no heal waited out a backoff or hung
    expect(Math.max(...healMs), `heal times ${healMs.join(', ')} ms`).toBeLessThan(3000);
    const status = await agents(ao);
    expect(status.agents.worker).toMatchObject({ state: 'running', restarts: 20 });
    // every restart came after a healthy run: no backoff ever
    const died = (await events(ao)).filter((e) => e.event === 'died');
    expect(died).toHaveLength(20);
    expect(died.map((e) => e.details)).toEqual(died.map(() => expect.objectContaining({ healthy: true, backoff_ms: 0 })));
  });

  it('an agent that exits at once: backoff gaps, exactly crash_limit spawns, then failed for good', async () => {
    const { ao, dir } = project(
      '[agents.crasher]\nkind = "persistent"\ncommand = "sh"\nargs = ["-c", "date +%s.%N >> spawns; exit 3"]\n',
      'backoff_initial_s = 0.25\nbackoff_max_s = 10\nhealthy_after_s = 5\ncrash_limit = 4\ncrash_window_s = 60\n',
    );
    await ao('up');
    const file = join(dir, 'spawns');
    await waitFor(async () => ((await agents(ao)).agents.crasher?.state === 'failed' ? true : undefined), 15_000);
    await new Promise((r) => setTimeout(r, 2000));
    const times = spawnTimes(file);
    expect(times).toHaveLength(4);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // 0.25, 0.5, 1 s: the watchdog decided each backoff, doubling, and no start came before its backoff was over.
    // How much later it came is the machine's load (CI once saw 4.2 s for a 1 s backoff), so the decision is read from
    // the record and the spawns are held only to their lower bound.
    const died = (await events(ao)).filter((e) => e.event === 'died' && e.agent === 'crasher');
    expect(died.slice(0, 3).map((e) => e.details?.backoff_ms)).toEqual([250, 500, 1000]);
    [0.25, 0.5, 1].forEach((backoff, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(backoff - 0.02);
      expect(gaps[i]).toBeLessThan(backoff + 10); // and it did come: a start stuck behind something else would not
    });
    const status = await agents(ao);
    expect(status.code).toBe(3);
    expect(status.agents.crasher?.detail).toMatch(/4 failed starts/);
    const text = await ao('status');
    expect(text.stdout).toMatch(/^crasher\s+.*FAILED/m);
    // ao restart gives it a fresh budget
    await ao('restart', 'crasher');
    await waitFor(async () => (spawnTimes(file).length >= 5 ? true : undefined));
  });

  it('an agent that dies after healthy runs again and again: failed at the restart limit', async () => {
    const { ao, dir } = project(
      '[agents.flaky]\nkind = "persistent"\ncommand = "sh"\nargs = ["-c", "date +%s.%N >> spawns; sleep 0.3; exit 1"]\n',
      'healthy_after_s = 0.1\nrestart_limit = 3\nrestart_window_s = 60\n',
    );
    await ao('up');
    await waitFor(async () => ((await agents(ao)).agents.flaky?.state === 'failed' ? true : undefined), 15_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(spawnTimes(join(dir, 'spawns'))).toHaveLength(4); // the first start and 3 restarts
    expect((await agents(ao)).agents.flaky?.detail).toMatch(/3 restarts within 1 min/);
  });

  it('heal = "none": a death is reported and the agent stays dead', async () => {
    const { ao, dir } = project(
      '[agents.once]\nkind = "persistent"\nheal = "none"\ncommand = "sh"\nargs = ["-c", "date +%s >> spawns; sleep 0.3; exit 7"]\n',
      'stall_check_s = 0.2\n',
    );
    await ao('up');
    const status = await waitFor(async () => {
      const s = await agents(ao);
      return s.agents.once?.state === 'dead' ? s : undefined;
    });
    expect(status.code).toBe(3);
    // tmux 3.3a can lose an exit status (DESIGN §5); when it keeps it, it is shown
    expect(status.agents.once?.detail).toMatch(/^(exit 7|exit status lost)$/);
    await new Promise((r) => setTimeout(r, 800));
    expect(spawnTimes(join(dir, 'spawns'))).toHaveLength(1);
    expect((await events(ao)).some((e) => e.agent === 'once' && e.event === 'died' && /left dead/.test(e.reason))).toBe(true);
  });

  it('a loop agent that exits normally starts its next iteration', async () => {
    // healthy_after_s below the iteration time: an iteration whose exit status tmux loses still counts as normal
    const { ao } = project('[agents.looper]\nkind = "loop"\ncommand = "sh"\nargs = ["-c", "sleep 0.2"]\n', 'stall_check_s = 1\nhealthy_after_s = 0.1\n');
    await ao('up');
    const status = await waitFor(async () => {
      const s = await agents(ao);
      return (s.agents.looper?.iteration ?? 0) >= 4 ? s : undefined;
    });
    expect(status.agents.looper?.restarts).toBe(0);
    expect((await events(ao)).filter((e) => e.event === 'iteration-done').length).toBeGreaterThanOrEqual(3);
  });
});

describe('stalls', () => {
  it('a silent heal+stall agent is nudged, then restarted; a waiting one is left alone', async () => {
    const dialog = join(REPO, 'tests', 'fixtures', 'screens', 'claude', 'waiting-permission-1.txt');
    const { ao } = project(
      [
        '[agents.quiet]\nkind = "persistent"\nheal = "heal+stall"\ncommand = "cat"\nnotify = true\nstall_minutes = 0.02\n',
        `[agents.asking]\nkind = "persistent"\nbackend = "claude"\nheal = "heal+stall"\ncommand = "${join(REPO, 'tests', 'fixtures', 'show-screen.sh')}"\nargs = ["${dialog}"]\nkickoff = "none"\nstall_minutes = 0.08\n`,
      ].join('\n'),
      'stall_check_s = 0.2\nhealthy_after_s = 0.5\n',
    );
    const upAt = Date.now();
    await ao('up');
    const first = (await waitFor(async () => ((await agents(ao)).agents.quiet?.pid ? agents(ao) : undefined))).agents;
    const restarted = await waitFor(async () => {
      const s = await agents(ao);
      return s.agents.quiet?.pid !== first.quiet?.pid && s.agents.quiet?.state === 'running' ? s : undefined;
    }, 15_000);
    const log = (await events(ao)).filter((e) => e.agent === 'quiet').map((e) => e.event);
    expect(log.slice(0, 3)).toEqual(['nudge', 'stall-restart', 'restart']);
    expect(restarted.agents.asking).toMatchObject({ state: 'waiting', pid: first.asking?.pid, restarts: 0 });
    // the asking agent's own stall time (4.8 s: time enough for a loaded machine's screen watch to see its dialog) passes too
    await new Promise((r) => setTimeout(r, Math.max(0, upAt + 7000 - Date.now())));
    expect((await agents(ao)).agents.asking).toMatchObject({ state: 'waiting', pid: first.asking?.pid, restarts: 0 });
    const asking = (await events(ao)).filter((e) => e.agent === 'asking').map((e) => e.event);
    expect(asking).toEqual(['waiting']);
  });
});

describe('one watchdog, and state that survives', () => {
  it('four ao up at once: one watchdog, each agent started once', async () => {
    const { ao, dir, socket } = project(
      ['a', 'b', 'c'].map((n) => `[agents.${n}]\nkind = "persistent"\ncommand = "sh"\nargs = ["-c", "echo $$ >> spawns-${n}; exec sleep 100000"]\n`).join('\n'),
      'stall_check_s = 1\n',
    );
    const results = await Promise.all([ao('up'), ao('up'), ao('up'), ao('up')]);
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    await new Promise((r) => setTimeout(r, 1000));
    for (const n of ['a', 'b', 'c'])
      expect(
        readFileSync(join(dir, `spawns-${n}`), 'utf8')
          .trim()
          .split('\n'),
      ).toHaveLength(1);
    const sessions = (await tmux(socket, ['list-sessions', '-F', '#{session_name}'])).stdout.split('\n').filter(Boolean).sort();
    expect(sessions).toEqual(['wd-a', 'wd-b', 'wd-c', 'wd-watchdog']);
    expect(results.map((r) => r.stdout).filter((o) => o.includes('watchdog: started'))).toHaveLength(1);
    // the watchdog's own pane log is readable like an agent's
    expect((await ao('logs', 'watchdog')).stdout).toMatch(/watchdog: watchdog-start \(pid \d+\)/);
    // a second watchdog started by hand leaves the first alone and exits
    const second = await ao('watchdog');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/another watchdog runs for this project \(pid \d+\)/);
  });

  it('SIGKILL of the watchdog while it writes state, many times: state always parses, no temp files pile up', async () => {
    // a loop of 0.1 s iterations: the watchdog rewrites agents.json several times a second
    const { ao, dir } = project('[agents.busy]\nkind = "loop"\ncommand = "sh"\nargs = ["-c", "sleep 0.1"]\n', 'stall_check_s = 0.05\nhealthy_after_s = 0.05\n');
    await ao('up');
    const stateFile = join(dir, 'state', 'agents.json');
    for (let i = 0; i < 12; i++) {
      const wd = await waitFor(async () => {
        const s = await agents(ao);
        return s.agents.watchdog?.state === 'running' && s.agents.watchdog.pid ? s.agents.watchdog.pid : undefined;
      });
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 150));
      // the watchdog (its sh parent then starts it again, after a backoff that grows) or, every other time, that sh
      // itself (tmux's hook respawns the pane, with a fresh backoff)
      const supervisor = (await agents(ao)).agents.watchdog?.supervisor_pid;
      process.kill(i % 2 === 1 && supervisor ? supervisor : wd, 'SIGKILL');
      const parsed = JSON.parse(readFileSync(stateFile, 'utf8')) as { agents: Record<string, { up: boolean }> };
      expect(parsed.agents.busy?.up).toBe(true);
      // a new watchdog comes back by itself
      await waitFor(async () => {
        const w = (await agents(ao)).agents.watchdog;
        return w?.state === 'running' && w.pid && w.pid !== wd && w.pid !== w.supervisor_pid;
      });
      expect((await ao('up')).stdout).not.toContain('watchdog: started');
    }
    await new Promise((r) => setTimeout(r, 1200));
    await ao('down', 'busy');
    await ao('down');
    await ao('up'); // a new watchdog sweeps temp files older than a second
    await new Promise((r) => setTimeout(r, 500));
    // the atomic writes' temps (`<file>.ao-tmp-<random>`)
    expect(readdirSync(join(dir, 'state')).filter((f) => /\.ao-tmp-|\.json\.\d+$/.test(f))).toEqual([]);
  }, 150_000);

  it('the tmux server killed: status exits 3 with a clear message, and ao up restores all', async () => {
    const { ao, socket } = project(
      ['x', 'y'].map((n) => `[agents.${n}]\nkind = "persistent"\ncommand = "sleep"\nargs = ["100000"]\n`).join('\n'),
      'stall_check_s = 1\n',
    );
    await ao('up');
    await killServer(socket);
    expect(await serverRunning(socket)).toBe(false);
    const status = await ao('status');
    expect(status.code).toBe(3);
    expect(status.stderr).toBe('');
    expect(status.stdout).toMatch(/^x\s+.*DEAD \(gone with its tmux server\)/m);
    expect(status.stdout).toContain('tmux server');
    const up = await ao('up');
    expect(up.code).toBe(0);
    const after = await agents(ao);
    expect(after.code).toBe(0);
    expect([after.agents.x?.state, after.agents.y?.state, after.agents.watchdog?.state]).toEqual(['running', 'running', 'running']);
  });
});
