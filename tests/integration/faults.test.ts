// One agent's fault stays with that agent: the sweep goes on for all others.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventsOf, statusOf, team, waitFor } from '../helpers/ao.js';

const sleeper = (name: string) => `[agents.${name}]\nkind = "persistent"\ncommand = "sleep"\nargs = ["100000"]\n`;

describe('faults stay where they happen (real tmux)', () => {
  it(
    "with one agent's prompt deleted, another agent killed is healed at once; the first one's error is one event, and it heals once the prompt is back",
    { timeout: 60_000 },
    async () => {
      const t = team(
        'faults',
        {
          'agents.toml': `[defaults]\nbackend = "shell"\n\n${sleeper('alpha')}\n${sleeper('beta')}\n[[phases]]\nid = "one"\nplan = "one.md"\n\n[watchdog]\nhealthy_after_s = 0.3\nbackoff_initial_s = 1\nbackoff_max_s = 5\nstall_check_s = 1\n`,
          'prompts/kickoff.md': 'go\n',
          'prompts/alpha.md': 'you are alpha\n',
          'phases/one.md': '# one\n',
        },
        { teardown: 'afterTest' },
      );
      const { ao, dir } = t;
      expect((await ao('up')).code).toBe(0);
      const before = await waitFor(async () => {
        const s = await statusOf(ao);
        return s.agents.alpha?.state === 'running' && s.agents.beta?.state === 'running' && s.agents.watchdog?.state === 'running' ? s : undefined;
      });
      await new Promise((r) => setTimeout(r, 500)); // past healthy_after_s: a kill is healed without backoff
      rmSync(join(dir, 'prompts', 'alpha.md'));
      process.kill(before.agents.alpha!.pid!, 'SIGKILL');
      await waitFor(async () => (await eventsOf(ao)).some((e) => e.agent === 'alpha' && e.event === 'start-error'), 5000);
      const killed = Date.now();
      process.kill(before.agents.beta!.pid!, 'SIGKILL');
      await waitFor(
        async () => {
          const b = (await statusOf(ao)).agents.beta;
          return b?.state === 'running' && b.pid !== before.agents.beta!.pid;
        },
        5000,
        20,
      );
      expect(Date.now() - killed).toBeLessThan(1500);
      // several sweeps and a retry later: still one error event and one death for alpha
      await new Promise((r) => setTimeout(r, 6000));
      const events = (await eventsOf(ao)).filter((e) => e.agent === 'alpha');
      expect(events.filter((e) => e.event === 'start-error').map((e) => e.reason)).toEqual([expect.stringMatching(/^error: prompts\/alpha\.md not found; /)]);
      expect(events.filter((e) => e.event === 'died')).toHaveLength(1);
      const alpha = (await statusOf(ao)).agents.alpha;
      expect([alpha?.state, alpha?.detail]).toEqual(['dead', 'error: prompts/alpha.md not found']);
      writeFileSync(join(dir, 'prompts', 'alpha.md'), 'you are alpha again\n');
      await waitFor(async () => (await statusOf(ao)).agents.alpha?.state === 'running', 10_000, 200);
      expect((await statusOf(ao)).agents.alpha?.detail).toBeNull();
    },
  );
});
