/**
 * What a person's commands do to an agent the watchdog looks after (real
 * tmux, private socket): a bare `ao up` leaves a FAILED agent alone and says
 * how to start it (README), `ao up AGENT` starts it; `ao restart AGENT` under
 * a running watchdog logs no death for the pane it replaced.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventsOf, statusOf, team, waitFor, type Team } from '../helpers/ao.js';

function project(tag: string, agents: string, watchdog: string): Team {
  return team(
    tag,
    {
      'agents.toml': `[defaults]\nbackend = "shell"\nsession_prefix = "${tag}-"\n\n${agents}\n[[phases]]\nid = "one"\nplan = "one.md"\n\n[watchdog]\n${watchdog}\n`,
      'prompts/kickoff.md': 'go\n',
      'phases/one.md': '# one\n',
    },
    { teardown: 'afterTest' },
  );
}

const spawns = (file: string): number => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0);

describe('ao up and a FAILED agent', () => {
  it('a bare `ao up` leaves it alone and says so; `ao up AGENT` starts it', async () => {
    const { ao, dir } = project(
      'upf',
      '[agents.builder]\nkind = "persistent"\ncommand = "sh"\nargs = ["-c", "echo x >> spawns; exit 3"]\n\n[agents.helper]\nkind = "persistent"\ncommand = "sleep"\nargs = ["100000"]\n',
      'backoff_initial_s = 0.1\nhealthy_after_s = 5\ncrash_limit = 2\ncrash_window_s = 60\n',
    );
    await ao('up');
    await waitFor(async () => ((await statusOf(ao)).agents.builder?.state === 'failed' ? true : undefined), 15_000);
    const file = join(dir, 'spawns');
    const before = spawns(file);
    expect(before).toBe(2);

    const bare = await ao('up');
    expect(bare.code, bare.stdout + bare.stderr).toBe(0);
    expect(bare.stdout).toContain('builder FAILED: left alone; `ao restart builder` or `ao up builder` starts it\n');
    expect(bare.stdout).toMatch(/^helper: already running/m);
    expect(bare.stdout).not.toMatch(/^builder: started/m);
    // give a start that should not have happened the time to show
    await new Promise((r) => setTimeout(r, 1500));
    expect(spawns(file)).toBe(before);
    expect((await statusOf(ao)).agents.builder?.state).toBe('failed');

    const named = await ao('up', 'builder');
    expect(named.stdout).not.toContain('left alone');
    await waitFor(async () => (spawns(file) > before ? true : undefined), 10_000);
  });
});

describe('ao restart under a running watchdog', () => {
  it('logs no death for the pane it replaced, five times in a row', async () => {
    const { ao } = project('rsd', '[agents.worker]\nkind = "persistent"\ncommand = "sleep"\nargs = ["100000"]\n', 'healthy_after_s = 0.3\nstall_check_s = 1\n');
    expect((await ao('up')).code).toBe(0);
    await waitFor(async () => ((await statusOf(ao)).agents.worker?.state === 'running' ? true : undefined), 10_000);
    for (let i = 0; i < 5; i++) {
      const r = await ao('restart', 'worker');
      expect(r.code, r.stdout + r.stderr).toBe(0);
      await new Promise((res) => setTimeout(res, 700));
    }
    // the watchdog has swept since (its pane-died hook fired for each replaced pane)
    await new Promise((res) => setTimeout(res, 1500));
    const events = (await eventsOf(ao)).filter((e) => e.agent === 'worker');
    expect(events.filter((e) => e.event === 'died')).toEqual([]);
    const s = (await statusOf(ao)).agents.worker;
    expect(s?.state).toBe('running');
    expect(s?.restarts).toBe(5);
  });
});
