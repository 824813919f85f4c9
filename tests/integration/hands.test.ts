/**
 * ao's hands on real tmux: nothing is typed into a dialog, a kickoff waits
 * for the person and then arrives once, byte for byte; nothing from a file
 * or a folder name executes; signals reach only what ao started; stopping
 * means stopped; each session gets the environment of the command that
 * started it.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { eventsOf, REPO, runAo, statusOf, team, teamIn, tmux, waitFor, writeProject, type Team } from '../helpers/ao.js';
import { scratchDir } from '../helpers/scratch.js';

function project(files: Record<string, string>): Team {
  return team('hands', { 'prompts/kickoff.md': 'Kickoff for {role}.\n\n{role_prompt}\n', 'phases/one.md': '# one\n', ...files }, { teardown: 'afterTest' });
}

const tail = '\n[[phases]]\nid = "one"\nplan = "one.md"\n\n[watchdog]\nstall_check_s = 0.5\n';
const screens = join(REPO, 'tests', 'fixtures', 'screens', 'claude');
const SUBMITTED = '\n--- submitted ---\n';
/** What a role prompt can hold that a careless paste would let loose. */
const HOSTILE = [
  'Quotes "double" and \'single\', $(touch PWNED-dollar) and `touch PWNED-backtick`.',
  '',
  'Non-ASCII: é ß 漢字 — “curly” ✓',
  '',
  '',
  'A paste end marker \x1b[201~ then a line: touch PWNED-marker',
  'and a colour \x1b[31mred\x1b[0m, a bell \x07, a tab\there.',
].join('\n');

describe('a TUI whose input box gives way to a dialog after a splash', () => {
  it('gets no keystroke at the dialog, reads waiting whatever its heal mode, and receives its kickoff once, exactly, after a person answers', async () => {
    const { dir, ao, socket } = project({
      'agents.toml': `[defaults]\nsession_prefix = "hd-"\n\n[agents.cc]\nkind = "persistent"\nbackend = "claude"\nheal = "heal"\ncommand = "${join(REPO, 'tests', 'fixtures', 'fake-tui.mjs')}"\nargs = [".", "${screens}/ready-1.txt", "400", "${screens}/waiting-trust-2.txt", "${screens}/ready-1.txt", "${screens}/busy-1.txt"]\n${tail}`,
      'prompts/cc.md': `${HOSTILE}\n`,
    });
    const began = Date.now();
    const up = await ao('up');
    // ao up watches kickoffs for 4.5 s from its start, then leaves them to the watchdog; a wait
    // for the dialog would never end, as only a person answers it, below
    expect(Date.now() - began, 'ao up returns without waiting for the dialog').toBeLessThan(20_000);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(up.stdout).toMatch(/cc: started \(pid \d+, model -\); waiting at a dialog \(.+\) — the kickoff will be pasted when it is answered \(ao attach cc\)/);
    expect((await statusOf(ao)).agents.cc).toMatchObject({ state: 'waiting' });

    // mail and sweeps go on while the dialog is up: still nothing reaches it
    expect((await ao('send', 'cc', 'hello; touch PWNED-mail')).code).toBe(0);
    await new Promise((r) => setTimeout(r, 3000));
    expect(existsSync(join(dir, 'at-dialog.bin')) ? readFileSync(join(dir, 'at-dialog.bin'), 'utf8') : '').toBe('');
    const waiting = (await statusOf(ao)).agents.cc;
    expect(waiting).toMatchObject({ state: 'waiting' });
    expect(waiting?.detail).toContain('kickoff pending');
    const json = JSON.parse((await ao('status', '--json')).stdout) as { agents: Array<{ name: string; waiting_on: string | null; pending: string | null }> };
    expect(json.agents.find((a) => a.name === 'cc')).toMatchObject({ waiting_on: 'folder trust', pending: 'kickoff' });

    // a person answers the dialog
    await tmux(socket, ['send-keys', '-t', '=hd-cc:', 'y']);
    const received = await waitFor(async () => {
      const text = existsSync(join(dir, 'received.bin')) ? readFileSync(join(dir, 'received.bin'), 'utf8') : '';
      return text.split(SUBMITTED).length >= 3 ? text : undefined; // the kickoff, then the mail notice
    }, 15_000);
    await new Promise((r) => setTimeout(r, 1500));
    const submissions = readFileSync(join(dir, 'received.bin'), 'utf8').split(SUBMITTED).slice(0, -1);
    const kickoff = readFileSync(join(dir, 'state', 'kickoff', 'cc.md'), 'utf8').replace(/\n+$/, '');
    expect(kickoff).toContain('Non-ASCII: é ß 漢字 — “curly” ✓\n\n\nA paste end marker  then a line: touch PWNED-marker');
    // eslint-disable-next-line no-control-regex -- the control characters are what the assertion looks for
    expect(kickoff).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    expect(submissions).toEqual([kickoff, 'ao: you have new mail in your inbox.']);
    expect(received.startsWith(kickoff)).toBe(true);
    for (const mark of ['dollar', 'backtick', 'marker', 'mail']) expect(existsSync(join(dir, `PWNED-${mark}`)), mark).toBe(false);
    const events = (await eventsOf(ao)).filter((e) => e.agent === 'cc').map((e) => e.event);
    expect(events.filter((e) => e === 'kickoff-delivered')).toHaveLength(1);
    expect(events).toContain('waiting');
    expect((await statusOf(ao)).agents.cc).toMatchObject({ state: 'running' });
  });
});

describe('an interactive bash with bracketed paste', () => {
  it('a pasted text with a paste end marker and a command line executes nothing until it is submitted', async () => {
    const { socket, dir } = team('bash', { x: '' }, { teardown: 'afterTest' });
    await tmux(socket, ['new-session', '-d', '-s', 'b', '-x', '120', '-y', '30', '-c', dir, 'env', 'PS1=$ ', 'bash', '--norc', '--noprofile', '-i']);
    await waitFor(async () => ((await tmux(socket, ['capture-pane', '-p', '-t', '=b:'])).stdout.includes('$') ? true : undefined));
    const { Tmux } = await import('../../src/tmux/client.js');
    const { pasteText } = await import('../../src/supervisor/deliver.js');
    const t = new Tmux(socket);
    await t.pasteBuffer('b', pasteText(`say nothing\x1b[201~\ntouch PWNED\n`));
    await new Promise((r) => setTimeout(r, 800));
    expect(existsSync(join(dir, 'PWNED'))).toBe(false);
    // the unsanitized text would have run the command at once: the test can tell
    await t.pasteBuffer('b', `true\x1b[201~\ntouch CONTROL\n`);
    await waitFor(async () => (existsSync(join(dir, 'CONTROL')) ? true : undefined), 5000);
    expect(existsSync(join(dir, 'PWNED'))).toBe(false);
  });
});

describe('notices', () => {
  it('a project whose folder name holds $(...) and backticks: a notice executes nothing', async () => {
    // the folder inside a scratch folder of the test's, which goes after the team
    const parent = scratchDir('ao-hands-');
    const dir = writeProject(join(parent, 'x$(touch PWNED-dollar)`touch PWNED-tick`'), {
      'prompts/kickoff.md': 'go\n',
      'phases/one.md': '# one\n',
      'agents.toml': `[defaults]\nbackend = "shell"\nsession_prefix = "hn-"\n\n[agents.sh]\nkind = "persistent"\ncommand = "bash"\nargs = ["--norc", "--noprofile", "-i"]\nenv = { PS1 = "$ " }\nready_pattern = "\\\\$$"\nnotify = true\n\n[agents.quiet]\nkind = "persistent"\ncommand = "bash"\nargs = ["--norc", "--noprofile", "-i"]\nenv = { PS1 = "$ " }\nready_pattern = "\\\\$$"\n${tail}`,
    });
    const { ao } = teamIn('notice', dir, { teardown: 'afterTest' });
    expect((await ao('up')).code).toBe(0);
    await waitFor(async () => ((await statusOf(ao)).agents.sh?.state === 'running' ? true : undefined));
    expect((await ao('send', 'sh', 'news')).code).toBe(0);
    expect((await ao('send', 'quiet', 'news')).code).toBe(0);
    await waitFor(async () => ((await eventsOf(ao)).some((e) => e.agent === 'sh' && e.event === 'mail-notice') ? true : undefined), 15_000);
    await new Promise((r) => setTimeout(r, 1500));
    for (const where of [dir, parent, join(dir, 'state')]) {
      expect(existsSync(join(where, 'PWNED-dollar')), where).toBe(false);
      expect(existsSync(join(where, 'PWNED-tick')), where).toBe(false);
    }
    const sh = readFileSync(join(dir, 'state', 'logs', 'sh.log'), 'utf8');
    expect(sh).toContain('ao: you have new mail in your inbox.');
    expect(sh).not.toContain('PWNED');
    // a shell agent that did not ask for notices gets none
    expect(readFileSync(join(dir, 'state', 'logs', 'quiet.log'), 'utf8')).not.toContain('new mail');
    expect((await eventsOf(ao)).some((e) => e.agent === 'quiet' && /mail-notice/.test(e.event))).toBe(false);
  });
});

describe('signals and processes', () => {
  it("a pane's death wakes the watchdog without signalling a pid: a process that reuses the pid in watchdog.pid lives on", async () => {
    const { dir, ao, socket } = project({
      'agents.toml': `[defaults]\nbackend = "shell"\nsession_prefix = "hs-"\n\n[agents.a]\nkind = "persistent"\ncommand = "sleep"\nargs = ["100000"]\n${tail}`,
    });
    expect((await ao('up', '--no-watchdog')).code).toBe(0);
    const bystander = spawn('sleep', ['100000'], { stdio: 'ignore' });
    onTestFinished(() => void bystander.kill('SIGKILL'));
    writeFileSync(join(dir, 'state', 'watchdog.pid'), `${bystander.pid}\n`);
    const pane = (await tmux(socket, ['list-panes', '-t', '=hs-a:', '-F', '#{pane_pid}'])).stdout.trim();
    process.kill(Number(pane), 'SIGKILL');
    await waitFor(async () => ((await tmux(socket, ['list-panes', '-t', '=hs-a:', '-F', '#{pane_dead}'])).stdout.trim() === '1' ? true : undefined));
    await new Promise((r) => setTimeout(r, 1000));
    expect(bystander.exitCode).toBeNull();
    expect(bystander.signalCode).toBeNull();
    expect(() => process.kill(bystander.pid!, 0)).not.toThrow();
    // the hook is a tmux command on a channel, not a shell and not a kill
    const hooks = (await tmux(socket, ['show-hooks', '-t', 'hs-a', 'pane-died'])).stdout;
    expect(hooks).toMatch(/pane-died\[0\] wait-for -S ao-wake-[0-9a-f]+/);
    expect(hooks).not.toContain('kill');
  });

  it('a program that ignores SIGHUP and SIGTERM, and the child it leaves, are gone after ao restart and ao down', async () => {
    const stubborn =
      "trap '' HUP TERM; sh -c \"trap '' HUP TERM; echo \\$\\$ >> pids; while :; do sleep 1; done\" & echo $$ >> pids; while :; do sleep 1; done";
    const { dir, ao } = project({
      'agents.toml': `[defaults]\nbackend = "shell"\nsession_prefix = "hp-"\n\n[agents.mule]\nkind = "persistent"\ncommand = "sh"\nargs = ["-c", ${JSON.stringify(stubborn)}]\n${tail}`,
    });
    const pids = (): number[] => (existsSync(join(dir, 'pids')) ? readFileSync(join(dir, 'pids'), 'utf8').split('\n').filter(Boolean).map(Number) : []);
    const alive = (pid: number): boolean => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return !/^\S+ \(.*\) [ZX]/.test(stat);
      } catch {
        return false;
      }
    };
    expect((await ao('up')).code).toBe(0);
    const first = await waitFor(async () => (pids().length >= 2 ? pids() : undefined));
    expect((await ao('restart', 'mule')).code).toBe(0);
    expect(first.filter(alive), 'left over after restart').toEqual([]);
    const second = await waitFor(async () => (pids().length >= 4 ? pids().slice(2) : undefined));
    const down = await ao('down');
    expect(down.stdout).toMatch(/mule: stopped \(it ignored SIGTERM: killed\)/);
    await new Promise((r) => setTimeout(r, 200));
    expect(second.filter(alive), 'left over after down').toEqual([]);
  });

  it('a daemon that left the process group (setsid) and ignores SIGTERM is gone after ao down too', async () => {
    const daemon = 'setsid sh -c "trap \'\' HUP TERM; echo \\$\\$ >> daemon; while :; do sleep 1; done" & exec sleep 100000';
    const { dir, ao } = project({
      'agents.toml': `[defaults]\nbackend = "shell"\nsession_prefix = "hq-"\n\n[agents.d]\nkind = "persistent"\ncommand = "sh"\nargs = ["-c", ${JSON.stringify(daemon)}]\n${tail}`,
    });
    expect((await ao('up')).code).toBe(0);
    const pid = await waitFor(async () => (existsSync(join(dir, 'daemon')) ? Number(readFileSync(join(dir, 'daemon'), 'utf8').trim()) : undefined));
    const pgid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[2]);
    expect(pgid, 'the daemon leads a group of its own').toBe(pid);
    expect((await ao('down')).code).toBe(0);
    await waitFor(async () => (!existsSync(`/proc/${pid}`) || /^\S+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')) ? true : undefined), 5000);
  });

  it('each session gets the environment of the command that starts it, not the tmux server’s', async () => {
    // a variable off the allow-list reaches an agent when pass_env names it
    const { dir, ao, socket } = project({
      'agents.toml': `[defaults]\nbackend = "shell"\nsession_prefix = "he-"\npass_env = ["HANDS_TEST_*"]\n\n[agents.env]\nkind = "persistent"\ncommand = "sh"\nargs = ["-c", "echo \\"$HANDS_TEST_KEY\\" >> seen; exec sleep 100000"]\n${tail}`,
    });
    const seen = (): string[] => (existsSync(join(dir, 'seen')) ? readFileSync(join(dir, 'seen'), 'utf8').split('\n').filter(Boolean) : []);
    expect((await runAo(['up'], { cwd: dir, socket, env: { HANDS_TEST_KEY: 'first' } })).code).toBe(0);
    await waitFor(async () => (seen().length >= 1 ? true : undefined));
    expect((await runAo(['restart', 'env'], { cwd: dir, socket, env: { HANDS_TEST_KEY: 'second' } })).code).toBe(0);
    await waitFor(async () => (seen().length >= 2 ? true : undefined));
    expect(seen()).toEqual(['first', 'second']);
    void ao;
  });
});
