import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventsOf, statusOf, team, tmux, waitFor, type Ao, type StatusAgent, type Team } from '../helpers/ao.js';

function project(toml: string): Team {
  return team('coord', { 'agents.toml': toml, 'prompts/kickoff.md': 'go\n', 'phases/one.md': '# one\n' }, { teardown: 'afterTest' });
}

const agents = async (ao: Ao): Promise<Record<string, StatusAgent>> => (await statusOf(ao)).agents;
const events = eventsOf;

const sleeper = (name: string, args = '["100000"]'): string => `[agents.${name}]\nkind = "persistent"\ncommand = "sleep"\nargs = ${args}\n`;
const tail = '\n[[phases]]\nid = "one"\nplan = "one.md"\n\n[watchdog]\nstall_check_s = 0.3\n';

describe('a message to an agent that is an interactive shell', () => {
  it('reaches its inbox intact but sanitized, the pane gets only the fixed notice, and nothing in it executes', async () => {
    const { dir, ao } = project(
      `[defaults]\nbackend = "shell"\nsession_prefix = "co-"\n\n[agents.sh]\nkind = "persistent"\ncommand = "bash"\nargs = ["--norc", "--noprofile", "-i"]\nenv = { PS1 = "$ " }\nready_pattern = "\\\\$$"\nnotify = true\n${tail}`,
    );
    expect((await ao('up')).code).toBe(0);
    await waitFor(async () => ((await agents(ao)).sh?.state === 'running' ? true : undefined));
    const mark = (name: string): string => join(dir, `pwned-${name}`);
    const message = [
      `please ; touch ${mark('semicolon')}`,
      `and $(touch ${mark('dollar')}) and \`touch ${mark('backtick')}\``,
      `escape \x1b[31mred\x1b[0m and \x1b]0;title\x07 and a paste end \x1b[201~ touch ${mark('paste-end')}`,
      `\r touch ${mark('carriage-return')}`,
    ].join('\n');
    const sent = await ao('send', 'sh', message);
    expect(sent.code, sent.stderr).toBe(0);
    // the watchdog tells the idle shell it has mail
    await waitFor(async () => ((await events(ao)).some((e) => e.agent === 'sh' && e.event === 'mail-notice') ? true : undefined), 15_000);
    await new Promise((r) => setTimeout(r, 1000));
    for (const name of ['semicolon', 'dollar', 'backtick', 'paste-end', 'carriage-return']) expect(existsSync(mark(name)), name).toBe(false);
    const inbox = JSON.parse((await ao('inbox', 'sh', '--json')).stdout) as Array<{ text: string }>;
    expect(inbox).toHaveLength(1);
    // eslint-disable-next-line no-control-regex -- the control characters are what the assertion looks for
    expect(inbox[0]!.text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(inbox[0]!.text).toContain(`$(touch ${mark('dollar')})`);
    const log = readFileSync(join(dir, 'state', 'logs', 'sh.log'), 'utf8');
    expect(log).toContain('ao: you have new mail in your inbox.');
    expect(log).not.toContain('touch');
  });
});

describe('agents.toml edited while the team runs', () => {
  it('a broken file keeps the team running and shows the error; the fixed file is applied', async () => {
    const base = `[defaults]\nbackend = "shell"\nsession_prefix = "cf-"\n\n${sleeper('a')}\n${sleeper('b')}${tail}`;
    const { dir, ao, socket } = project(base);
    expect((await ao('up')).code).toBe(0);
    const before = await waitFor(async () => {
      const s = await agents(ao);
      return s.a?.state === 'running' && s.b?.state === 'running' && s.watchdog?.state === 'running' ? s : undefined;
    });
    // the watchdog has loaded the good config (its session exists before its process has)
    await waitFor(async () => ((await events(ao)).some((e) => e.event === 'watchdog-start') ? true : undefined));

    writeFileSync(join(dir, 'agents.toml'), base.replace('kind = "persistent"', 'kind = persistent'));
    await waitFor(async () => ((await events(ao)).some((e) => e.event === 'config-error') ? true : undefined), 10_000);
    const broken = await ao('status');
    expect(broken.code).toBe(2);
    expect(broken.stdout).toMatch(/^a\s+persistent\s+shell.*RUNNING/m);
    // status exits 2 but still reports the team the watchdog runs: a never restarted
    expect((await agents(ao)).a?.pid).toBe(before.a?.pid);
    // one rule for every command (README: when agents.toml breaks while the team runs): the error once on stderr,
    // the answer from the config the team runs, usual exit codes but status's 2; what would change the team refuses
    const reads: Array<[string[], number]> = [
      [['status'], 2],
      [['status', '--json'], 2],
      [['logs', 'a', '-n', '1'], 0],
      [['logs', '-n', '1'], 0],
      [['events', '-n', '1'], 0],
      [['inbox', 'a'], 0],
      [['phase'], 0],
      [['phase', '--json'], 0],
      [['cost'], 0],
      [['explain', 'a'], 0],
    ];
    for (const [args, code] of reads) {
      const r = await ao(...args);
      expect([r.code, r.stderr.match(/TOML syntax/g)?.length], `ao ${args.join(' ')}: ${r.stderr}`).toEqual([code, 1]);
      expect(r.stderr, `ao ${args.join(' ')}`).toContain('the team runs on the last good config');
      // (--json and the event log carry the error as data)
      if (!args.includes('--json') && args[0] !== 'events') expect(r.stdout, `ao ${args.join(' ')}`).not.toMatch(/TOML syntax/);
    }
    expect(JSON.parse((await ao('status', '--json')).stdout)).toMatchObject({ config_error: expect.stringMatching(/TOML syntax/) as unknown });
    const phaseBefore = JSON.parse((await ao('phase', '--json')).stdout) as { id: string };
    for (const args of [['up'], ['restart', 'a'], ['phase', 'next'], ['check']]) {
      const r = await ao(...args);
      expect([r.code, r.stderr.match(/TOML syntax/g)?.length], `ao ${args.join(' ')}: ${r.stderr}`).toEqual([2, 1]);
    }
    expect((JSON.parse((await ao('phase', '--json')).stdout) as { id: string }).id).toBe(phaseBefore.id);
    expect((await agents(ao)).a?.pid).toBe(before.a?.pid);

    // fixed, with changes: c added, b's arguments changed, a untouched
    writeFileSync(
      join(dir, 'agents.toml'),
      `[defaults]\nbackend = "shell"\nsession_prefix = "cf-"\n\n${sleeper('a')}\n${sleeper('b', '["200000"]')}\n${sleeper('c')}${tail}`,
    );
    const after = await waitFor(async () => {
      const s = await agents(ao);
      return s.c?.state === 'running' && s.b?.state === 'running' && s.b.pid !== before.b?.pid ? s : undefined;
    }, 15_000);
    expect(after.a?.pid).toBe(before.a?.pid);
    const status = await ao('status');
    expect(status.code).toBe(0);
    expect(status.stdout).not.toContain('config error');
    const log = (await events(ao)).map((e) => `${e.agent}:${e.event}`);
    expect(log).toEqual(expect.arrayContaining(['config:config-error', 'config:config-reloaded', 'c:agent-added', 'b:config-changed']));

    // a removed from agents.toml: its session is stopped (by the sweep's apply step), the others run on
    writeFileSync(join(dir, 'agents.toml'), `[defaults]\nbackend = "shell"\nsession_prefix = "cf-"\n\n${sleeper('b', '["200000"]')}\n${sleeper('c')}${tail}`);
    await waitFor(async () => ((await tmux(socket, ['has-session', '-t', '=cf-a'])).code !== 0 ? true : undefined), 15_000);
    expect((await events(ao)).filter((e) => e.agent === 'a' && e.event === 'agent-removed')).toHaveLength(1);
    const left = await agents(ao);
    expect(left.a).toBeUndefined();
    expect([left.b?.pid, left.c?.pid]).toEqual([after.b?.pid, after.c?.pid]);
  });
});

describe('tasks', () => {
  it('a task runs on `ao run`, and on every phase advance when on_phase_advance is set; done is not dead', async () => {
    const { dir, ao } = project(
      `[defaults]\nbackend = "shell"\nsession_prefix = "tk-"\n\n${sleeper('a')}\n[agents.report]\nkind = "task"\ncommand = "sh"\nargs = ["-c", "echo ran >> ran.txt"]\non_phase_advance = true\n\n[[phases]]\nid = "one"\nplan = "one.md"\n\n[[phases]]\nid = "two"\nplan = "one.md"\n\n[watchdog]\nstall_check_s = 0.3\n`,
    );
    const ran = (): number => (existsSync(join(dir, 'ran.txt')) ? readFileSync(join(dir, 'ran.txt'), 'utf8').trim().split('\n').length : 0);
    expect((await ao('up')).code).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(ran()).toBe(0); // a bare `ao up` leaves tasks out
    const next = await ao('phase', 'next');
    expect(next.stdout).toContain('phase: two [2/2]');
    await waitFor(async () => (ran() === 1 ? true : undefined), 10_000);
    await waitFor(async () => ((await events(ao)).some((e) => e.agent === 'report' && e.event === 'task-done') ? true : undefined));
    const status = await ao('status');
    expect(status.stdout).toMatch(/^report\s+task\s+.*STOPPED \(done\)/m);
    expect(status.code).toBe(0);
    expect((await ao('run', 'report')).code).toBe(0);
    await waitFor(async () => (ran() === 2 ? true : undefined));
    const wrong = await ao('run', 'a');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('a is a persistent, not a task');
  });
});
