/**
 * `ao dash --fleet` as a person uses it, kept small: the built CLI in a real
 * terminal (a tmux pane on a private socket), over a fleet of two demo
 * projects, one running on a private socket named in fleet.toml. Enter opens
 * the running project's dashboard, escape comes back, q quits.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AO, demoProject, killServerAndSocket, tmux, uniqueSocket, waitFor } from '../helpers/ao.js';
import { fleet } from '../helpers/fleet.js';
import { openShell } from '../helpers/terminal.js';

// two demo projects on one socket named in fleet.toml, and the person's terminal: a tmux server of the test's own
const { root, fallback, sockets, ao } = fleet('dfleet', ['team'], { env: { AO_DEMO_PACE_S: '5' }, teardown: 'afterAll' });
const team = sockets.team;
const view = uniqueSocket('dfleet-view');
afterAll(() => killServerAndSocket(view));

const screen = async (): Promise<string> => (await tmux(view, ['capture-pane', '-p', '-t', '=dash:'])).stdout;
const keys = (...k: string[]) => tmux(view, ['send-keys', '-t', '=dash:', ...k]);

beforeAll(async () => {
  for (const name of ['live', 'idle']) demoProject(join(root, name));
  writeFileSync(
    join(root, 'fleet.toml'),
    `[[projects]]\npath = "live"\ntmux_socket = "${team}"\n\n[[projects]]\npath = "idle"\nenabled = false\ntmux_socket = "${team}"\n`,
  );
  const up = await ao('fleet', 'up');
  expect(up.code, up.stdout + up.stderr).toBe(0);
}, 60_000);

describe('ao dash --fleet in a real terminal', () => {
  it('lists both projects with their summaries; enter opens one, escape comes back, q quits', async () => {
    await openShell(view, 'fleet', root, { AO_TMUX_SOCKET: fallback }, { x: 110, y: 30 });
    await tmux(view, ['send-keys', '-t', '=dash:', '-l', `node ${AO} dash --fleet; echo "dash exited $?"`]);
    await keys('Enter');
    const list = await waitFor(async () => {
      const text = await screen();
      return /watchdog running/.test(text) && text.includes('idle (idle) disabled') ? text : null;
    }, 20_000);
    expect(list).toMatch(/^ao fleet · fleet\.toml · 2 projects/m);
    expect(list).toMatch(/^› live \(live\)\n {4}phase: scaffold \[1\/3\].*\n {4}\d running, \d waiting, 0 paused, 0 failed.* · watchdog running/m);
    expect(list).toMatch(/^ {2}idle \(idle\) disabled\n {4}phase: .*\n {4}0 running, 0 waiting, 0 paused, 0 failed · 3 stopped · watchdog stopped/m);

    await keys('Enter');
    // the project's own dashboard, on the socket fleet.toml gave it
    let last = '';
    const project = await waitFor(async () => {
      const text = (last = await screen());
      return /^live · phase: scaffold/m.test(text) && /watchdog +service .*RUNNING/.test(text) ? text : null;
    }, 20_000).catch((error: unknown) => {
      throw new Error(`${String(error)}; the screen:\n${last}`);
    });
    expect(project).toContain('esc fleet');

    await keys('Escape');
    await waitFor(async () => ((await screen()).includes('back from live') ? true : null), 10_000);
    await keys('q');
    await waitFor(async () => ((await screen()).includes('dash exited 0') ? true : null), 10_000);
  });
});
