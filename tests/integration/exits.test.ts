// ao records every exit itself (its launcher writes state/exits/AGENT), so a
// status tmux loses (DESIGN §5) never turns a normal loop end into a failure.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventsOf, statusOf, team, waitFor, type Team } from '../helpers/ao.js';

function project(tag: string, agents: string, watchdog: string): Team {
  return team(
    tag,
    {
      'agents.toml': `[defaults]\nbackend = "shell"\n\n${agents}\n[[phases]]\nid = "one"\nplan = "one.md"\n\n[watchdog]\n${watchdog}\n`,
      'prompts/kickoff.md': 'go\n',
      'phases/one.md': '# one\n',
    },
    { teardown: 'afterTest' },
  );
}

const loops = (n: number, script: (i: number) => string, extra = ''): string =>
  Array.from(
    { length: n },
    (_, i) => `[agents.l${i}]\nkind = "loop"\nkickoff = "none"\ncommand = "sh"\nargs = ["-c", ${JSON.stringify(script(i))}]\n${extra}`,
  ).join('\n');

describe('exit records (real tmux)', () => {
  it('a dozen concurrent loops of 1–3 s iterations for 40 s: every end is an iteration, none a failure', { timeout: 120_000 }, async () => {
    const { ao } = project(
      'ex-loops',
      loops(12, (i) => `sleep ${1 + (i % 3)}`),
      'stall_check_s = 1\n',
    );
    expect((await ao('up')).code).toBe(0);
    await new Promise((r) => setTimeout(r, 40_000));
    const events = (await eventsOf(ao)).filter((e) => /^l\d+$/.test(e.agent));
    const done = events.filter((e) => e.event === 'iteration-done');
    const bad = events.filter((e) => ['died', 'failed', 'start-failed'].includes(e.event));
    expect(bad, JSON.stringify(bad.slice(0, 5))).toEqual([]);
    // 12 loops, 40 s, 1–3 s each: about 240 ends; far fewer would mean the loops did not loop
    expect(done.length).toBeGreaterThan(120);
    expect(done.every((e) => e.reason === 'exit 0')).toBe(true);
    const { agents } = await statusOf(ao);
    for (let i = 0; i < 12; i++) expect(agents[`l${i}`]?.restarts, `l${i}`).toBe(0);
  });

  it('the same loops exiting 1 reach failed by the crash limit', { timeout: 60_000 }, async () => {
    const { ao } = project(
      'ex-fail',
      loops(4, () => 'sleep 2; exit 1'), // 2 s: longer than ao up takes on a loaded machine, so up sees them start
      'crash_limit = 3\nbackoff_initial_s = 0.2\nbackoff_max_s = 0.5\nstall_check_s = 1\n',
    );
    expect((await ao('up')).code).toBe(0);
    const status = await waitFor(
      async () => {
        const s = await statusOf(ao);
        return [0, 1, 2, 3].every((i) => s.agents[`l${i}`]?.state === 'failed') ? s : undefined;
      },
      40_000,
      250,
    );
    expect(status.agents.l0?.detail).toMatch(/3 failed starts .*exit 1/);
    const events = await eventsOf(ao);
    expect(events.filter((e) => e.agent === 'l0' && e.event === 'died').map((e) => e.reason)).toEqual(['exit 1', 'exit 1']);
    expect(events.filter((e) => e.event === 'iteration-done')).toEqual([]);
  });

  it("kill -9 of the agent (the launcher's child) reads as a death by signal 9, recorded", { timeout: 60_000 }, async () => {
    const { ao, dir } = project(
      'ex-kill',
      loops(1, () => 'sleep 60'),
      'stall_check_s = 1\n',
    );
    expect((await ao('up')).code).toBe(0);
    const pane = await waitFor(async () => (await statusOf(ao)).agents.l0?.pid ?? undefined);
    const child = await waitFor(async () => Number(readFileSync(`/proc/${pane}/task/${pane}/children`, 'utf8').trim().split(' ')[0]) || undefined);
    process.kill(child, 'SIGKILL');
    const died = await waitFor(async () => (await eventsOf(ao)).find((e) => e.agent === 'l0' && e.event === 'died'), 10_000);
    expect(died.reason).toBe('killed by signal 9');
    expect(readFileSync(`${dir}/state/exits/l0`, 'utf8')).toMatch(/^\S+ 137\n$/);
    // and it is healed: a new pane pid runs
    await waitFor(async () => {
      const a = (await statusOf(ao)).agents.l0;
      return a?.state === 'running' && a.pid !== pane;
    }, 10_000);
  });

  it('a loop whose first iteration ends before ao up looks: a loop looping, not a failed start (exit 0)', { timeout: 30_000 }, async () => {
    const { ao } = project(
      'ex-quick',
      loops(1, () => 'exit 0', 'min_iteration_s = 60\n'),
      'stall_check_s = 1\n',
    );
    const up = await ao('up');
    expect(up.stdout).toMatch(/^l0: started; its first iteration already ended \(exit 0\), the watchdog runs the next$/m);
    expect(up.code, up.stdout).toBe(0);
  });
});
