// Every session carries its owning project (@ao_project): look-alike projects on
// one socket never meet, and a session ao did not make for this project is
// reported, never touched (DESIGN §4.9).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { statusOf, teamIn, tmux, uniqueSocket, writeProject, type Ao } from '../helpers/ao.js';

// every project of a test on one tmux server: each is brought down, the server ended and its folder removed when the test ends
const socket = uniqueSocket('ident');
const root = mkdtempSync(join(tmpdir(), 'ao-ident-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A project at `dir` under the root (look-alike folder names on purpose) on the shared socket. */
function project(dir: string, agents: string): Ao {
  const files = {
    'agents.toml': `[defaults]\nbackend = "shell"\n\n${agents}\n[[phases]]\nid = "one"\nplan = "one.md"\n\n[watchdog]\nstall_check_s = 1\n`,
    'prompts/kickoff.md': 'go\n',
    'phases/one.md': '# one\n',
  };
  return teamIn('ident', writeProject(join(root, dir), files), { socket, teardown: 'afterTest' }).ao;
}

const worker = (name: string, enabled = true) => `[agents.${name}]\nkind = "persistent"\ncommand = "sleep"\nargs = ["100000"]\nenabled = ${enabled}\n`;
const sessions = async (): Promise<string[]> =>
  (await tmux(socket, ['list-sessions', '-F', '#{session_name} #{@ao_project}'])).stdout.split('\n').filter(Boolean).sort();

describe('project identity (real tmux, one shared socket)', () => {
  it("two projects with the same folder name run side by side; either one's down leaves the other running", { timeout: 60_000 }, async () => {
    const a = project('a/same', worker('w'));
    const b = project('b/same', worker('w'));
    expect((await a('up')).code).toBe(0);
    const upB = await b('up');
    expect(upB.stdout).not.toMatch(/already running/);
    expect(upB.code).toBe(0);
    const names = await sessions();
    // two workers and two watchdogs, each named for its own project and owned by it
    expect(names).toHaveLength(4);
    expect(names.filter((n) => n.endsWith(join(root, 'a/same/agents.toml')))).toHaveLength(2);
    expect(names.filter((n) => n.endsWith(join(root, 'b/same/agents.toml')))).toHaveLength(2);
    const pidA = (await statusOf(a)).agents.w!.pid;
    expect((await a('down')).code).toBe(0);
    const sb = await statusOf(b);
    expect([sb.agents.w?.state, sb.agents.watchdog?.state]).toEqual(['running', 'running']);
    expect(sb.agents.w?.pid).not.toBe(pidA);
    expect((await a('up')).code).toBe(0);
    expect((await b('down')).code).toBe(0);
    const sa = await statusOf(a);
    expect([sa.agents.w?.state, sa.agents.watchdog?.state]).toEqual(['running', 'running']);
    expect((await a('down')).code).toBe(0);
  });

  it("a session someone made with an agent's exact name (or the watchdog's) is reported and never killed", { timeout: 60_000 }, async () => {
    const c = project('c/solo', `${worker('w')}\n${worker('off', false)}`);
    const prefix = (JSON.parse((await c('check', '--json')).stdout) as { session_prefix: string }).session_prefix;
    expect(prefix).toMatch(/^ao-solo-[0-9a-f]{6}-$/);
    for (const name of ['off', 'w', 'watchdog']) expect((await tmux(socket, ['new-session', '-d', '-s', `${prefix}${name}`, 'sleep', '100000'])).code).toBe(0);
    const up = await c('up');
    expect(up.stdout).toMatch(/w: not started: session \S+w was not made by ao; left alone/);
    expect(up.stdout).toMatch(/watchdog: not started: session \S+watchdog was not made by ao; left alone/);
    expect(up.stdout).not.toMatch(/already running/);
    const status = await statusOf(c);
    expect([status.agents.w?.state, status.agents.w?.detail]).toEqual(['dead', 'session was not made by ao']);
    // not this project's watchdog: it should run and does not
    expect([status.agents.watchdog?.state, status.agents.watchdog?.pid, status.agents.watchdog?.detail]).toEqual(['dead', null, 'session was not made by ao']);
    const down = await c('down', 'off', 'w');
    expect(down.stdout).toMatch(/off: session \S+off was not made by ao; left alone/);
    expect((await c('down')).stdout).toMatch(/watchdog: session \S+watchdog was not made by ao; left alone/);
    const left = await sessions();
    for (const name of ['off', 'w', 'watchdog']) expect(left).toContain(`${prefix}${name} `);
    for (const name of ['off', 'w', 'watchdog']) await tmux(socket, ['kill-session', '-t', `=${prefix}${name}`]);
  });
});
