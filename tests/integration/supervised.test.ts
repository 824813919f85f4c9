/**
 * Who supervises the supervisor. The pid `ao status` shows for the watchdog is
 * the watchdog's own: kill -9 of it, or of the sh in its pane that restarts
 * it, brings a new watchdog within 5 s by itself (the sh; tmux's pane-died
 * hook for the sh), the agents untouched, and `ao down` still stops it for
 * good. A tmux server killed under `ao up --wait` is noticed, and the team
 * comes back in its phase with its iteration counts.
 */
import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { endLeftovers, eventsOf, killServer, serverRunning, sleepersTeam, statusOf, waitFor, AO, type Team } from '../helpers/ao.js';

/** One sleeper (and `extra`), torn down when the test ends with what its killed servers left running. */
function project(tag: string, extra = ''): Team {
  return sleepersTeam(tag, ['alpha'], extra, { teardown: 'afterTest', leftovers: true });
}

const lockHolder = (dir: string): number => {
  const file = join(dir, 'state', 'watchdog.lock');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { pid: number }).pid : 0;
};
const cmdline = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
};

/** The watchdog as status shows it once a watchdog other than `old` runs and holds the lock. */
async function shownWatchdog(t: Team, old: number, timeoutMs: number): Promise<{ pid: number; supervisor: number }> {
  return waitFor(
    async () => {
      const w = (await statusOf(t.ao)).agents.watchdog;
      if (w?.state !== 'running' || !w.pid || w.pid === old || w.pid !== lockHolder(t.dir) || !w.supervisor_pid) return undefined;
      return { pid: w.pid, supervisor: w.supervisor_pid };
    },
    timeoutMs,
    50,
  );
}

describe('the watchdog and its tmux server are supervised', { timeout: 90_000 }, () => {
  it('kill -9 of the pid status shows, then of its supervisor: a new watchdog within 5 s each time, agents untouched; ao down leaves no process', async () => {
    const t = project('sup');
    expect((await t.ao('up')).stdout).toMatch(/watchdog: started/);
    const alpha = await waitFor(async () => (await statusOf(t.ao)).agents.alpha?.pid ?? undefined);
    const first = await shownWatchdog(t, 0, 5000);
    // the pid shown is the watchdog process itself, not its sh parent
    expect(cmdline(first.pid)).toMatch(/ao watchdog -c /);
    expect(first.supervisor).not.toBe(first.pid);
    expect(cmdline(first.supervisor)).toMatch(/^sh -c /);

    process.kill(first.pid, 'SIGKILL');
    const second = await shownWatchdog(t, first.pid, 5000);
    expect(second.supervisor).toBe(first.supervisor); // its sh brought it back

    process.kill(second.supervisor, 'SIGKILL'); // the pane's own program: tmux's hook respawns the pane
    const third = await shownWatchdog(t, second.pid, 5000);
    expect(third.supervisor).not.toBe(second.supervisor);

    expect((await statusOf(t.ao)).agents.alpha?.pid).toBe(alpha);
    const restarted = (await eventsOf(t.ao)).filter((e) => e.event === 'watchdog-restarted').map((e) => e.reason);
    expect(restarted).toHaveLength(2);
    expect(restarted[0]).toMatch(/exit 137 .*1 in a row/);
    expect(restarted[1]).toMatch(/sh supervisor died and tmux respawned the pane/);
    // and the new watchdog heals
    process.kill(alpha, 'SIGKILL');
    await waitFor(async () => {
      const a = (await statusOf(t.ao)).agents.alpha;
      return a?.state === 'running' && a.pid !== alpha;
    }, 5000);

    // ao down stops it for good: the hook does not bring it back, nothing of the team lives on
    const down = await t.ao('down');
    expect(down.stdout).toMatch(/watchdog: stopped/);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await serverRunning(t.socket)).toBe(false);
    expect(endLeftovers(t.socket)).toEqual([]);
    for (const pid of [third.pid, third.supervisor]) expect(cmdline(pid)).toBe('');
  });

  it('ao up --wait: the tmux server killed under the team brings it back in its phase with its iteration counts', async () => {
    const t = project('waitsrv', '[agents.worker]\nkind = "loop"\ncommand = "sh"\nargs = ["-c", "sleep 2"]\nmin_iteration_s = 1\n');
    expect((await t.ao('phase', 'set', 'two')).code).toBe(0);
    const wait = execa(process.execPath, [AO, 'up', '--wait'], {
      cwd: t.dir,
      env: { AO_TMUX_SOCKET: t.socket, AO_CONFIG: '', TMUX: '' },
      reject: false,
      timeout: 80_000,
    });
    onTestFinished(() => void wait.kill('SIGKILL'));
    const before = await waitFor(
      async () => {
        const { agents } = await statusOf(t.ao);
        return agents.worker && agents.worker.iteration >= 2 && agents.alpha?.state === 'running' && agents.watchdog?.state === 'running' ? agents : undefined;
      },
      20_000,
      200,
    );
    const iteration = before.worker!.iteration;
    await killServer(t.socket);
    const after = await waitFor(
      async () => {
        // `ao up` records its starts once all are made: the team is read once its bring-up is over
        if (!(await eventsOf(t.ao)).some((e) => e.event === 'team-restored')) return undefined;
        const { agents } = await statusOf(t.ao);
        return agents.alpha?.state === 'running' && agents.watchdog?.state === 'running' && agents.worker?.pid ? agents : undefined;
      },
      20_000,
      200,
    );
    // its phase kept, its count kept: the bring-up starts the loop's next iteration
    expect(JSON.parse((await t.ao('status', '--json')).stdout).phase.id).toBe('two');
    expect(after.worker!.iteration).toBeGreaterThan(iteration);
    expect(after.worker!.iteration).toBeLessThanOrEqual(iteration + 3);
    expect(after.alpha!.pid).not.toBe(before.alpha!.pid);
    expect((await eventsOf(t.ao)).filter((e) => e.event === 'team-restored')).toHaveLength(1);
    // ao down ends the wait with 0: a stop on purpose
    await t.ao('down');
    const ended = await wait;
    expect(ended.exitCode, ended.stdout).toBe(0);
    expect(ended.stdout).toMatch(/session is gone .*: bringing the team up again/);
    expect(ended.stdout).toMatch(/the team was brought down/);
  });
});
