import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { TmuxError } from '../../src/errors.js';
import { Tmux } from '../../src/tmux/client.js';
import { ControlClient, controlLine, controlWanted } from '../../src/tmux/control.js';
import { killServerAndSocket, runAo, serverRunning, statusOf, team, tmux, uniqueSocket, waitFor, type Team } from '../helpers/ao.js';

const sockets: string[] = [];
const clients: ControlClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const socket of sockets.splice(0)) await killServerAndSocket(socket);
});

/** A private server with a `host` session for the client to attach to, and a Tmux that asks through it. */
async function rig(): Promise<{ socket: string; control: ControlClient; tmux: Tmux; plain: Tmux }> {
  const socket = uniqueSocket('ctl');
  sockets.push(socket);
  expect((await tmux(socket, ['new-session', '-d', '-s', 'host', 'sleep', '600'])).code).toBe(0);
  const control = new ControlClient({ socket, session: 'host' });
  clients.push(control);
  const t = new Tmux(socket, control.runner);
  // the first call starts the client and is answered by a process meanwhile
  await t.snapshot();
  await waitFor(async () => control.usable(), 5000, 20);
  return { socket, control, tmux: t, plain: new Tmux(socket) };
}

const controlClients = async (socket: string): Promise<string[]> =>
  (await tmux(socket, ['list-clients', '-F', '#{client_pid} #{client_flags}'])).stdout.split('\n').filter((l) => l.includes('control-mode'));

describe('the tmux control-mode client', () => {
  it('matches 100 concurrent answers to their commands, through one client', async () => {
    const { socket, control, tmux: t } = await rig();
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => t.run(['display-message', '-p', `answer ${i} #{session_name}`])));
    expect(answers).toEqual(Array.from({ length: 100 }, (_, i) => `answer ${i} host\n`));
    const panes = await t.snapshot();
    expect(panes.map((p) => p.session)).toEqual(['host']);
    expect(control.started).toBe(1);
    expect(await controlClients(socket)).toHaveLength(1);
  });

  it('rejects on %error with tmux message, and a missing target is an empty answer', async () => {
    const { tmux: t, control } = await rig();
    const error = await t.run(['no-such-command']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TmuxError);
    expect((error as TmuxError).stderr).toMatch(/unknown command: no-such-command/);
    expect(await t.capture('nobody')).toBeNull();
    expect(await t.killSession('nobody')).toBe(false);
    // the client carried them: still the first one, still up
    expect(control.connected).toBe(true);
    expect(control.started).toBe(1);
  });

  it('gives output with tabs, quotes, backslashes, unicode and long lines as a spawned client does', async () => {
    const { tmux: t, plain } = await rig();
    const texts = ['tab\there \'single\' "double" \\back $HOME ~ ; #x', 'unicode é ✓ 漢字 🙂', 'x'.repeat(5000), '', "it's"];
    for (const text of texts) {
      const args = ['display-message', '-p', text];
      expect(controlLine(args)).not.toBeNull();
      expect(await t.run(args)).toBe(await plain.run(args));
    }
    // a pane's screen, captured both ways
    await plain.run([
      'new-session',
      '-d',
      '-s',
      'printer',
      '-x',
      '200',
      '-y',
      '20',
      'sh',
      '-c',
      `printf 'a\\tb "q" é ✓\\n%s\\n' $(printf 'y%.0s' $(seq 1 150)); sleep 600`,
    ]);
    await waitFor(async () => ((await plain.capture('printer')) ?? '').includes('yyy'), 5000, 50);
    expect(await t.capture('printer')).toBe(await plain.capture('printer'));
    expect(await t.capture('printer')).toContain('"q" é ✓');
  });

  it('answers every pending command when the server is killed mid-command, then falls back and reconnects once', async () => {
    const { socket, control, tmux: t } = await rig();
    const firstPid = control.pid;
    const many = Array.from({ length: 50 }, (_, i) =>
      t
        .run(['display-message', '-p', `n${i}`])
        .catch((e: unknown) => (e instanceof TmuxError && /lost server|server exited|no server/.test(e.stderr) ? null : e)),
    );
    const killed = tmux(socket, ['kill-server']);
    const answers = await Promise.all(many);
    await killed;
    // each one either answered in full or read as a lost server, none hung
    for (const [i, answer] of answers.entries()) expect([`n${i}\n`, null]).toContain(answer);
    await waitFor(async () => !control.connected, 5000, 20);
    expect(await t.snapshot()).toEqual([]);
    // a new server: the client comes back after its backoff, one client, not two
    expect((await tmux(socket, ['new-session', '-d', '-s', 'host', 'sleep', '600'])).code).toBe(0);
    expect(await t.run(['display-message', '-p', 'by process'])).toBe('by process\n');
    await waitFor(async () => control.usable(), 10_000, 50);
    expect(control.started).toBe(2);
    expect(control.pid).not.toBe(firstPid);
    expect(await t.run(['display-message', '-p', 'by client'])).toBe('by client\n');
    expect(await controlClients(socket)).toHaveLength(1);
  });

  it("a watchdog's client (-N) starts no server: through the control client while the server lives, and never after it was killed", async () => {
    const { socket, tmux: t } = await rig();
    const watchdog = t.neverStartingServer();
    // while the server lives, its commands go through the client as ever
    await watchdog.run(['new-session', '-d', '-s', 'agent', 'sleep', '600']);
    expect((await watchdog.snapshot()).map((p) => p.session).sort()).toEqual(['agent', 'host']);
    // the server killed under it: a start it was making fails and leaves no server behind
    await tmux(socket, ['kill-server']);
    await waitFor(async () => !(await serverRunning(socket)), 5000);
    const error = await watchdog.run(['new-session', '-d', '-s', 'agent', 'sleep', '600']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TmuxError);
    expect(await serverRunning(socket)).toBe(false);
    // a client that may start one (ao up) still does
    await new Tmux(socket).run(['new-session', '-d', '-s', 'agent', 'sleep', '600']);
    expect(await serverRunning(socket)).toBe(true);
  });

  it('carries no stdin, blocking wait-for, abort signal, command list or newline', () => {
    expect(controlLine(['load-buffer', '-'], { input: 'x' })).toBeNull();
    expect(controlLine(['wait-for', 'ch'])).toBeNull();
    expect(controlLine(['wait-for', '-S', 'ch'])).toBe('wait-for -S ch');
    expect(controlLine(['list-panes'], { signal: new AbortController().signal })).toBeNull();
    expect(controlLine(['new-session', '-d', ';', 'set-option', 'x', 'y'])).toBeNull();
    expect(controlLine(['display-message', '-p', 'two\nlines'])).toBeNull();
    // on unless turned off
    expect([controlWanted({}), controlWanted({ AO_TMUX_CONTROL: '0' }), controlWanted({ AO_TMUX_CONTROL: '1' })]).toEqual([true, false, true]);
  });
});

/** One persistent agent sleeping, on its own socket (ended after each test). */
function sleeperTeam(tag: string): Team {
  return team(
    tag,
    {
      'agents.toml': `[defaults]\nbackend = "shell"\n\n[[phases]]\nid = "one"\nplan = "one.md"\n\n[agents.a1]\nkind = "persistent"\ncommand = "sleep"\nargs = ["600"]\n`,
      'prompts/kickoff.md': 'You are {agent}. {phase_id} {plan}\n',
      'phases/one.md': '# one\n',
    },
    { teardown: 'afterTest' },
  );
}

describe('the watchdog with its control client (the default)', () => {
  it('adds no session to the snapshot, and `ao down` still stops everything', async () => {
    const t = sleeperTeam('ctlwd');
    expect((await t.ao('up')).code).toBe(0);
    const clientsNow = await waitFor(async () => {
      const list = await controlClients(t.socket);
      return list.length === 1 ? list : null;
    }, 20_000);
    const pid = Number(clientsNow[0]?.split(' ')[0]);
    const sessions = (await tmux(t.socket, ['list-sessions', '-F', '#{session_name}'])).stdout.split('\n').sort();
    expect(sessions).toHaveLength(2);
    expect(sessions.some((s) => s.endsWith('watchdog'))).toBe(true);
    const status = await statusOf(t.ao);
    expect(Object.keys(status.agents).sort()).toEqual(['a1', 'watchdog']);
    expect((await t.ao('down')).code).toBe(0);
    expect((await tmux(t.socket, ['list-sessions'])).code).not.toBe(0);
    await waitFor(async () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    }, 10_000);
  }, 60_000);

  it('with AO_TMUX_CONTROL=0 from `ao up`, the watchdog asks tmux by a process per question', async () => {
    const t = sleeperTeam('ctloff');
    // the watchdog takes AO_TMUX_CONTROL from the `ao up` that starts it
    expect((await runAo(['up'], { cwd: t.dir, socket: t.socket, env: { AO_TMUX_CONTROL: '0' } })).code).toBe(0);
    // its sweeps run (the watchdog's record is written by its first one), and no control client came
    await waitFor(async () => ((await statusOf(t.ao)).agents.watchdog?.state === 'running' ? true : null), 20_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await controlClients(t.socket)).toEqual([]);
    const env = readFileSync(`/proc/${(await statusOf(t.ao)).agents.watchdog!.pid}/environ`, 'utf8');
    expect(env.split('\0')).toContain('AO_TMUX_CONTROL=0');
  }, 60_000);
});
