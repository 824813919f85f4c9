/**
 * `ao dash` as a person uses it: the built CLI in a real terminal (a tmux pane
 * on a private socket of its own), driven with send-keys and read with
 * capture-pane, watching a demo team that runs on a second private socket.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../src/coord/inbox.js';
import { AO, demoProject, killServerAndSocket, runAo, teamIn, tmux, uniqueSocket, waitFor } from '../helpers/ao.js';
import { openShell as openShellIn } from '../helpers/terminal.js';

// the demo team the dashboard watches, and the person's terminal: a tmux server of the test's own
const { dir, socket: team } = teamIn('dash-team', demoProject(), { teardown: 'afterAll' });
const view = uniqueSocket('dash-view');
// tmux 3.3a can leave a killed server's socket file behind
afterAll(() => killServerAndSocket(view));

interface StatusAgent {
  name: string;
  session: string;
  state: string;
  pid: number | null;
  restarts: number;
}

async function agentStatus(name: string): Promise<StatusAgent> {
  const result = await runAo(['status', '--json'], { cwd: dir, socket: team });
  const agent = (JSON.parse(result.stdout) as { agents: StatusAgent[] }).agents.find((a) => a.name === name);
  if (!agent) throw new Error(`no ${name} in ao status`);
  return agent;
}

/** What the dashboard's terminal shows (with -e, its colours as escape sequences). */
async function screen(target: string, escapes = false): Promise<string> {
  return (await tmux(view, ['capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', target])).stdout;
}

/** The colour parameters of every SGR sequence in a capture. */
function colours(text: string): number[] {
  // eslint-disable-next-line no-control-regex -- the control characters are what the assertion looks for
  const params = [...text.matchAll(/\x1b\[([0-9;]*)m/g)].flatMap((m) => (m[1] ?? '').split(';').map(Number));
  return params.filter((n) => (n >= 30 && n <= 38) || (n >= 40 && n <= 48) || (n >= 90 && n <= 97) || (n >= 100 && n <= 107));
}

/** The team server's control-mode clients: pid, the session each is attached to, the command line of its parent. */
async function allControlClients(): Promise<{ pid: number; session: string; parent: string }[]> {
  const listed = (await tmux(team, ['list-clients', '-F', '#{client_pid} #{client_control_mode} #{session_name}'])).stdout;
  return listed
    .split('\n')
    .map((line) => line.split(' '))
    .filter(([, control]) => control === '1')
    .map(([pid = '', , session = '']) => {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
      return { pid: Number(pid), session, parent: readFileSync(`/proc/${ppid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ') };
    });
}

/** The dashboards' control clients (the watchdog has one of its own on the same session). */
const controlClients = async (): Promise<{ pid: number; session: string; parent: string }[]> =>
  (await allControlClients()).filter((c) => !/ watchdog( |$)/.test(c.parent));

/** The clients a person attached (`ao attach`, enter in the dashboard), without the dashboard's control client. */
const personClients = async (): Promise<string> =>
  (await tmux(team, ['list-clients', '-F', '#{client_control_mode} #{session_name}'])).stdout
    .split('\n')
    .filter((l) => l.startsWith('0 '))
    .join('\n');

const keys = (target: string, ...k: string[]) => tmux(view, ['send-keys', '-t', target, ...k]);
const type = (target: string, text: string) => tmux(view, ['send-keys', '-t', target, '-l', text]);

/** A shell in a new window of the view server (its first window makes the session). */
const openShell = (name: string, cwd: string, env: Record<string, string>): Promise<string> => openShellIn(view, name, cwd, env);

/** `ao dash` on the team in a fresh shell window; waits for its first frame. */
async function startDash(name: string, env: Record<string, string> = {}): Promise<string> {
  const target = await openShell(name, dir, { AO_TMUX_SOCKET: team, ...env });
  // the terminal's settings before and after, to prove the dashboard restores them
  await type(target, `stty -g > stty-before-${name}; node ${AO} dash; echo "dash exited $?"; stty -g > stty-after-${name}`);
  await keys(target, 'Enter');
  await waitFor(async () => /RUNNING/.test(await screen(target)), 20_000);
  return target;
}

beforeAll(async () => {
  const up = await runAo(['up'], { cwd: dir, socket: team, env: { AO_DEMO_PACE_S: '3' } });
  expect(up.code, up.stderr + up.stdout).toBe(0);
}, 60_000);

describe('ao dash in a real terminal', () => {
  let target: string;

  it('a person sees the phase header and one row per agent', async () => {
    target = await startDash('main');
    const lines = (await screen(target)).split('\n');
    expect(lines[0]).toMatch(/^ao-test-\w+ · phase: (scaffold|feature|polish) \[[123]\/3\] plan=0[123]-\w+\.md \((in progress|complete)/);
    expect(lines[1]).toMatch(/^ {2}NAME +KIND +BACKEND +MODEL +HEAL +STATE +UP +RST +ITER +ACTIVE$/);
    expect(lines[2]).toMatch(/^> orchestrator +persistent +demo +demo-standard +heal +RUNNING/);
    expect(lines[3]).toMatch(/^ {2}builder +loop +demo +demo-\w+ +heal\+stall /);
    expect(lines[4]).toMatch(/^ {2}adversary +loop +demo /);
    expect(lines[5]).toMatch(/^ {2}watchdog +service +- +- +- +RUNNING/);
    expect(lines.join('\n')).toContain('screen: orchestrator');
    expect(lines.join('\n')).toMatch(/q quit/);
  });

  it('asks tmux through one control client on the watchdog session, not a process a tick', async () => {
    const clients = await waitFor(async () => {
      const found = await controlClients();
      return found.length > 0 ? found : null;
    }, 10_000);
    expect(clients).toHaveLength(1);
    expect(clients[0]!.session).toMatch(/watchdog$/);
    expect(clients[0]!.parent).toMatch(/ dash$/);
    // beside the watchdog's own
    expect((await allControlClients()).filter((c) => / watchdog( |$)/.test(c.parent))).toHaveLength(1);
    // and what it draws through that client is the agent's screen as it is now
    const session = (await agentStatus('orchestrator')).session;
    await waitFor(async () => {
      const pane = (await tmux(team, ['capture-pane', '-p', '-t', `=${session}:`])).stdout.split('\n').filter((l) => l.trim() !== '');
      const last = pane.at(-1)?.trim().slice(0, 40);
      return last !== undefined && (await screen(target)).includes(last);
    }, 10_000);
  });

  it('r restarts the selected agent: a new pid, one more restart', async () => {
    const before = await agentStatus('orchestrator');
    expect(before.state).toBe('running');
    await keys(target, 'r');
    const after = await waitFor(async () => {
      const now = await agentStatus('orchestrator');
      // the pane is respawned before agents.json records the restart: wait for both
      return now.pid !== null && now.pid !== before.pid && now.state === 'running' && now.restarts === before.restarts + 1 ? now : null;
    }, 20_000);
    expect(after.restarts).toBe(before.restarts + 1);
    await waitFor(async () => (await screen(target)).includes(`orchestrator: restarted (pid ${after.pid})`), 10_000);
  });

  it("m sends a message: it lands in the selected agent's inbox", async () => {
    await keys(target, 'Down');
    await waitFor(async () => /^> builder/m.test(await screen(target)), 5_000);
    await keys(target, 'm');
    await waitFor(async () => (await screen(target)).includes('message to builder:'), 5_000);
    const text = `from the dashboard ${Date.now()}: please re-run the checks`;
    await type(target, text);
    await waitFor(async () => (await screen(target)).includes(text), 5_000);
    await keys(target, 'Enter');
    const inbox = await waitFor(async () => {
      const result = await runAo(['inbox', 'builder', '--json'], { cwd: dir, socket: team });
      const messages = JSON.parse(result.stdout || '[]') as Message[];
      return messages.find((m) => m.text === text);
    }, 10_000);
    expect(inbox.from).toBe('maintainer');
    await waitFor(async () => /sent \S+ to builder/.test(await screen(target)), 10_000);
  });

  it('enter attaches to the agent; detaching brings the dashboard back', async () => {
    await keys(target, 'Up');
    await waitFor(async () => /^> orchestrator/m.test(await screen(target)), 5_000);
    await keys(target, 'Enter');
    await waitFor(async () => (await personClients()).includes('orchestrator'), 10_000).catch(async (e: Error) => {
      throw new Error(`${e.message}; the dashboard's terminal shows:\n${await screen(target)}`);
    });
    // the agent's own screen in the dashboard's terminal: the client has drawn, so its terminal is raw
    await waitFor(async () => /\[demo orchestrator\]/.test(await screen(target)) && !(await screen(target)).includes('screen: orchestrator'), 10_000);
    // detach; a client still setting up its terminal may miss the first prefix key, so ask again
    await waitFor(
      async () => {
        if ((await personClients()) !== '') await keys(target, 'C-b', 'd');
        return (await screen(target)).includes('back from orchestrator');
      },
      15_000,
      1000,
    );
    expect(await personClients()).toBe('');
    expect(await screen(target)).toMatch(/^> orchestrator/m);
  });

  it('colours the states; with NO_COLOR it does not', async () => {
    // eslint-disable-next-line no-control-regex -- the control characters are what the assertion looks for
    expect(await screen(target, true)).toMatch(/\x1b\[32mRUNNING/);
    // AO_TMUX_CONTROL=0 as well: this one spawns a tmux process per question, and draws the same
    const plain = await startDash('nocolor', { NO_COLOR: '1', AO_TMUX_CONTROL: '0' });
    expect((await controlClients()).map((c) => c.parent)).toHaveLength(1);
    const text = await screen(plain, true);
    expect(text).toContain('RUNNING');
    // no foreground or background colour of any kind (bold, dim, inverse and the default colours 39/49 are not colours)
    expect(colours(text)).toEqual([]);
    expect(colours(await screen(target, true))).toContain(32);
    await keys(plain, 'q');
    await waitFor(async () => (await screen(plain)).includes('dash exited 0'), 10_000);
  });

  it('follows a resize down to 80×24 and back', async () => {
    const fits = (text: string, columns: number, rows: number): boolean => {
      const lines = text.replace(/\n+$/, '').split('\n');
      return lines.length <= rows && lines.every((l) => [...l].length <= columns);
    };
    await tmux(view, ['resize-window', '-t', target, '-x', '80', '-y', '24']);
    const small = await waitFor(async () => {
      const text = await screen(target);
      // the narrow footer is the sign that the new size was drawn
      return text.includes('m msg') && text.includes('q quit') ? text : null;
    }, 10_000);
    expect(fits(small, 80, 24)).toBe(true);
    expect(small).toMatch(/^ao-test-\w+ · phase: /);
    expect(small).toMatch(/^(> | {2}|↑ |↓ )orchestrator +\S+ .*RUNNING/m);
    await tmux(view, ['resize-window', '-t', target, '-x', '120', '-y', '40']);
    await waitFor(async () => (await screen(target)).includes('m message'), 10_000);
  });

  it('q quits and gives the terminal back as it was', async () => {
    await keys(target, 'q');
    const after = await waitFor(async () => {
      const text = await screen(target);
      return text.includes('dash exited 0') ? text : null;
    }, 10_000);
    // the alternate screen is gone: the shell's screen is back, without the dashboard on it
    expect(after).not.toContain('screen: orchestrator');
    expect(after).not.toContain('RUNNING');
    await waitFor(async () => existsSync(join(dir, 'stty-after-main')), 5_000);
    expect(readFileSync(join(dir, 'stty-after-main'), 'utf8')).toBe(readFileSync(join(dir, 'stty-before-main'), 'utf8'));
    // its control client ended with it
    await waitFor(async () => (await controlClients()).length === 0, 5_000);
    // the team runs on
    expect((await agentStatus('orchestrator')).state).toBe('running');
  });
});

describe('ao dash on a team that never ran', () => {
  it('shows the stopped team and creates nothing: no state folder, no tmux server', async () => {
    const { dir: fresh, socket: unused } = teamIn('dash-unused', demoProject(), { teardown: 'afterTest' });
    const target = await openShell('fresh', fresh, { AO_TMUX_SOCKET: unused });
    await type(target, `node ${AO} dash`);
    await keys(target, 'Enter');
    const text = await waitFor(async () => {
      const t = await screen(target);
      return t.includes('the team is not running') ? t : null;
    }, 20_000);
    expect(text).toMatch(/orchestrator .* STOPPED/);
    await keys(target, 'q');
    await waitFor(async () => !(await screen(target)).includes('the team is not running'), 10_000);
    expect(existsSync(join(fresh, 'state'))).toBe(false);
    expect((await tmux(unused, ['list-sessions'])).code).not.toBe(0);
  });
});

describe('ao dash without a terminal', () => {
  it('says to use ao status instead, exit 2', async () => {
    const result = await runAo(['dash'], { cwd: dir, socket: team });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('ao: ao dash needs a terminal; use `ao status` (or `ao status --json`) instead');
    expect(result.stdout).toBe('');
  });
});
