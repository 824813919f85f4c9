// How the watchdog learns that an agent ended when tmux's pane-died hook says
// nothing (the hook is lossy): from the launcher's exit record, an inotify event
// on state/exits/, and for a launcher killed outright, from its slow look at
// /proc. Each test removes the hook and sets the sweep to 10 minutes, so only
// the path under test can heal the agent in time.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { Watchdog } from '../../src/supervisor/watchdog.js';
import { Tmux } from '../../src/tmux/client.js';
import { AO, onePhaseFiles, statusOf, team, tmux, waitFor, type Team } from '../helpers/ao.js';

/** One persistent agent started by `ao up --no-watchdog`, its hook removed, and a watchdog run in this process. */
async function hooklessTeam(tag: string, lostExitPollMs: number, names = ['s']): Promise<Team & { pane: number; stop: () => Promise<void> }> {
  const agents = names.map((n) => `[agents.${n}]\nkind = "persistent"\ncommand = "sleep"\nargs = ["600"]\n`).join('\n');
  const t = team(
    tag,
    onePhaseFiles(
      `[defaults]\nbackend = "shell"\nsession_prefix = "${tag}-"\n\n${agents}\n[[phases]]\nid = "one"\nplan = "one.md"\n\n[watchdog]\nstall_check_s = 600\n`,
    ),
    { teardown: 'afterTest' },
  );
  expect((await t.ao('up', '--no-watchdog')).code).toBe(0);
  for (const n of names) expect((await tmux(t.socket, ['set-hook', '-u', '-t', `${tag}-${n}`, 'pane-died'])).code).toBe(0);
  const env = { ...process.env, AO_TMUX_SOCKET: t.socket };
  const project = loadProject(join(t.dir, 'agents.toml'), env);
  const dog = new Watchdog({ project, tmux: new Tmux(project.tmuxSocket), aoEntry: AO, env, log: () => undefined });
  const running = dog.run({ lostExitPollMs });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    dog.stop();
    await running;
  };
  // made after the team's teardown, so run before it (vitest runs a test's finished hooks last first)
  onTestFinished(stop);
  const pane = await waitFor(async () => (await statusOf(t.ao)).agents.s?.pid ?? undefined);
  // the first sweep has seen the pane alive (its pid is in the /proc look) once it wrote the agent's record
  await waitFor(async () => (names.every((n) => readFileSync(join(t.dir, 'state', 'agents.json'), 'utf8').includes(`"${n}"`)) ? true : undefined));
  await new Promise((r) => setTimeout(r, 300));
  return { ...t, pane, stop };
}

/** The agent running again in a new process, its restart recorded (the pane's new pid shows a moment before the record) */
const newPid =
  (t: Team, old: number, name = 's') =>
  async () => {
    const agent = (await statusOf(t.ao)).agents[name];
    return agent?.state === 'running' && agent.pid !== null && agent.pid !== old && agent.restarts > 0 ? agent : undefined;
  };

/** The agent's own process: the launcher's child */
const childOf = (pane: number): number => Number(readFileSync(`/proc/${pane}/task/${pane}/children`, 'utf8').trim().split(' ')[0]);

describe('a death the hook did not report (real tmux)', () => {
  it("the agent killed: its launcher's exit record wakes the watchdog, with no /proc poll and no sweep due", { timeout: 30_000 }, async () => {
    const t = await hooklessTeam('xw-rec', 600_000);
    const child = childOf(t.pane);
    expect(child).toBeGreaterThan(0);
    process.kill(child, 'SIGKILL');
    const healed = await waitFor(newPid(t, t.pane), 5000, 50);
    expect(healed.restarts).toBe(1);
    expect(readFileSync(join(t.dir, 'state', 'exits', 's'), 'utf8')).toMatch(/ 137\n$/);
    await t.stop();
  });

  it('the launcher itself killed (no record): the slow /proc look finds it', { timeout: 30_000 }, async () => {
    const t = await hooklessTeam('xw-proc', 1000);
    process.kill(t.pane, 'SIGKILL');
    const healed = await waitFor(newPid(t, t.pane), 8000, 50);
    expect(healed.restarts).toBe(1);
    await t.stop();
  });

  it('two agents killed at once: both records are waited for, both healed', { timeout: 30_000 }, async () => {
    const t = await hooklessTeam('xw-two', 600_000, ['s', 'r']);
    const other = (await statusOf(t.ao)).agents.r!.pid!;
    const children = [childOf(t.pane), childOf(other)];
    expect(children.every((c) => c > 0)).toBe(true);
    for (const c of children) process.kill(c, 'SIGKILL');
    await waitFor(newPid(t, t.pane, 's'), 5000, 50);
    await waitFor(newPid(t, other, 'r'), 5000, 50);
    await t.stop();
  });
});
