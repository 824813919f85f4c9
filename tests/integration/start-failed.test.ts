/**
 * One agent's start that tmux refuses (real tmux, private socket: an argument
 * longer than tmux takes in one command, "command too long") stays with that
 * agent: `ao up` and `ao restart` record the agents that did start, start the
 * watchdog, exit 1 naming the agent, and leave its record `error` for the
 * watchdog to try again (src/supervisor/start.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentsState } from '../../src/state/agents.js';
import { eventsOf, onePhaseFiles, statusOf, team, type Team } from '../helpers/ao.js';

/** `good` sleeps; `huge` has an argument of 20,000 characters, more than tmux takes in one command. Torn down when the test ends. */
function project(tag: string): Team {
  const t = team(
    tag,
    onePhaseFiles(
      [
        `[defaults]\nbackend = "shell"\nsession_prefix = "${tag}-"\n`,
        '[agents.good]\nkind = "persistent"\ncommand = "sleep"\nargs = ["100000"]\n',
        `[agents.huge]\nkind = "persistent"\ncommand = "sleep"\nargs = ["100000", "${'x'.repeat(20_000)}"]\n`,
        '[[phases]]\nid = "one"\nplan = "one.md"\n',
        '[watchdog]\nhealthy_after_s = 0.3\nstall_check_s = 1\n',
      ].join('\n'),
    ),
    { teardown: 'afterTest' },
  );
  return t;
}

const records = (dir: string): AgentsState['agents'] => (JSON.parse(readFileSync(join(dir, 'state', 'agents.json'), 'utf8')) as AgentsState).agents;
const REFUSED = 'tmux new-session failed (exit 1): command too long';

describe('a start tmux refuses', () => {
  it('`ao up`: the other agent is recorded and runs, the watchdog starts, exit 1 names the agent', async () => {
    const { ao, dir } = project('sfu');
    const check = await ao('check');
    expect(check.code, check.stdout + check.stderr).toBe(0);

    const up = await ao('up');
    expect(up.code, up.stdout + up.stderr).toBe(1);
    expect(up.stdout).toContain(`huge: not started: ${REFUSED}; the watchdog tries it again\n`);
    expect(up.stdout).toMatch(/^good: started \(pid \d+/m);
    expect(up.stdout).toContain('watchdog: started\n');

    const agents = records(dir);
    expect(agents.good).toMatchObject({
      up: true,
      life: { is: 'clear' },
      lastStartError: null,
      runId: expect.any(String) as string,
      startedAt: expect.any(String) as string,
    });
    expect(agents.huge).toMatchObject({ up: true, life: { is: 'error', message: REFUSED }, startedAt: null, iteration: 0 });
    expect(agents.huge?.runId).toBeUndefined();
    expect(agents.watchdog).toMatchObject({ up: true });

    const status = await statusOf(ao);
    expect(status.agents.good?.state).toBe('running');
    expect(status.agents.watchdog?.state).toBe('running');
    expect(status.agents.huge?.state).not.toBe('running');
    const errors = (await eventsOf(ao)).filter((e) => e.event === 'start-error');
    expect(errors.map((e) => `${e.agent} ${e.reason}`)).toEqual([`huge error: ${REFUSED}; tried again every 5 s`]);
  });

  it('`ao restart`: the agent it could not start is put back as error, the running one keeps its record, the watchdog starts, exit 1', async () => {
    const { ao, dir } = project('sfr');
    const up = await ao('up', 'good', '--no-watchdog');
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const good = records(dir).good;
    expect(good).toMatchObject({ up: true, runId: expect.any(String) as string });

    const restart = await ao('restart', 'huge');
    expect(restart.code, restart.stdout + restart.stderr).toBe(1);
    expect(restart.stdout).toContain('watchdog: started\n');
    expect(restart.stdout).toMatch(/^huge: not started: tmux new-session failed \(exit 1\): command too long; the watchdog tries it again$/m);

    const agents = records(dir);
    expect(agents.good).toEqual(good);
    expect(agents.huge).toMatchObject({ up: true, life: { is: 'error', message: REFUSED }, startedAt: null, restarts: 0 });
    expect(agents.watchdog).toMatchObject({ up: true });
    const status = await statusOf(ao);
    expect(status.agents.good?.state).toBe('running');
    expect(status.agents.watchdog?.state).toBe('running');
  });
});
