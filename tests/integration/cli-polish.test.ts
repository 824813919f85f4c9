/**
 * The things a new user reaches for in the first hour, through the built CLI:
 * the version, events of one agent, and one `-n/--lines` across read commands.
 */
import { appendFileSync, chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { beforeEach, describe, expect, it } from 'vitest';
import { logs } from '../../src/cli/commands/logs.js';
import { demoProject, REPO, runAo, teamIn, type Ao } from '../helpers/ao.js';
import { scratchDir } from '../helpers/scratch.js';

const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
let ao: Ao;
let dir: string;
let socket: string;

// each test on a demo project and a socket of its own, torn down when it ends
beforeEach(() => {
  ({ ao, dir, socket } = teamIn('polish', demoProject(), { teardown: 'afterTest' }));
});

describe('the version', () => {
  it.each([['--version'], ['-V'], ['version']])('ao %s prints the package version, exit 0', async (arg) => {
    const r = await ao(arg);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`ao ${version}`); // execa drops the final newline
  });

  it("--verbose adds node's, tmux's and each agent CLI's version, found on PATH; one that is not there says so", async () => {
    const bin = scratchDir('ao-fake-cli-');
    writeFileSync(join(bin, 'claude'), '#!/bin/sh\necho "9.9.9 (Claude Code)"\n');
    chmodSync(join(bin, 'claude'), 0o755);
    // only the fake CLI, node and tmux on PATH
    const path = [bin, dirname(process.execPath), '/usr/bin', '/bin'].join(':');
    const r = await runAo(['version', '--verbose', '--json'], { cwd: dir, socket, env: { PATH: path } });
    expect(r.code, r.stderr).toBe(0);
    const v = JSON.parse(r.stdout) as Record<string, string | null>;
    expect(v).toMatchObject({ ao: version, node: process.version, claude: '9.9.9 (Claude Code)', codex: null, gemini: null });
    expect(v.tmux).toMatch(/^tmux \d/);
    const text = await runAo(['version', '--verbose'], { cwd: dir, socket, env: { PATH: path } });
    expect(text.stdout).toMatch(/^claude\s+9\.9\.9 \(Claude Code\)$/m);
    expect(text.stdout).toMatch(/^codex\s+not found$/m);
  });
});

describe('ao events AGENT...', () => {
  const line = (agent: string, event: string, n: number) =>
    JSON.stringify({ time: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(), agent, event, reason: `r${n}` });

  beforeEach(() => {
    mkdirSync(join(dir, 'state'), { recursive: true });
    // the builder's events are old: a filter must read back past the adversary's newer ones
    const lines = [
      line('builder', 'started', 0),
      line('builder', 'died', 1),
      ...Array.from({ length: 300 }, (_, i) => line('adversary', 'next-iteration', i + 2)),
      line('phase', 'gate-passed', 400),
    ];
    writeFileSync(join(dir, 'state', 'events.jsonl'), `${lines.join('\n')}\n`);
  });

  it("shows only the named agents' events, however far back they are", async () => {
    const r = await ao('events', 'builder', 'phase', '--json');
    expect(r.code, r.stderr).toBe(0);
    const shown = r.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { agent: string; reason: string }).reason);
    expect(shown).toEqual(['r0', 'r1', 'r400']);
    const last = await ao('events', 'adversary', '-n', '2');
    expect(last.stdout.trim().split('\n')).toHaveLength(2);
    expect(last.stdout).toContain('r301');
  });

  it('a name that is no agent is a usage error, exit 2', async () => {
    const r = await ao('events', 'buidler');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no agent named "buidler" \(agents: .*builder/);
  });
});

describe('ao inbox takes -n/--lines like logs and events', () => {
  it.each([['-n'], ['--lines'], ['--last']])('%s 1: the latest message only', async (flag) => {
    for (const text of ['first', 'second']) expect((await runAo(['send', 'builder', text], { cwd: dir, socket, env: { AO_AGENT: '' } })).code).toBe(0);
    const r = await ao('inbox', 'builder', flag, '1', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { text: string }[]).map((m) => m.text)).toEqual(['second']);
  });
});

describe('ao logs without an agent: the whole team', () => {
  const logOf = (agent: string) => join(dir, 'state', 'logs', `${agent}.log`);

  it("prints each agent's last lines after its name, agent by agent; --raw still needs an agent", async () => {
    mkdirSync(join(dir, 'state', 'logs'), { recursive: true });
    writeFileSync(logOf('builder'), 'b1\nb2\nb3\n');
    writeFileSync(logOf('adversary'), '\x1b[31mred\x1b[0m a1\n');
    const r = await ao('logs', '-n', '2');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('builder      | b2');
    expect(lines).toContain('builder      | b3');
    expect(lines).not.toContain('builder      | b1');
    expect(lines).toContain('adversary    | red a1');
    const raw = await ao('logs', '--raw');
    expect(raw.code).toBe(2);
    expect(raw.stderr).toMatch(/--raw needs an agent name/);
  });

  it('-f prints new lines of any agent as they come, each after its name', async () => {
    mkdirSync(join(dir, 'state', 'logs'), { recursive: true });
    writeFileSync(logOf('builder'), 'old\n');
    let out = '';
    const io = { out: (t: string) => void (out += t), err: () => undefined, env: { AO_TMUX_SOCKET: socket }, cwd: dir, isTTY: false };
    // the command itself, in this process, told to stop following after 2.5 s
    const follow = logs({ follow: true, lines: 0, followForMs: 2500 }, io);
    await new Promise((r) => setTimeout(r, 800));
    appendFileSync(logOf('adversary'), 'new from the adversary\n');
    appendFileSync(logOf('builder'), 'new from the builder\npart');
    appendFileSync(logOf('builder'), 'ial line\n');
    expect(await follow).toBe(0);
    expect(out.split('\n')).toEqual(
      expect.arrayContaining(['adversary    | new from the adversary', 'builder      | new from the builder', 'builder      | partial line']),
    );
    expect(out).not.toContain('old');
  });
});

describe('ao init', () => {
  it('into a folder with a space and a .gitignore of its own: state/ added and said, a hint that works without ao on PATH', async () => {
    const parent = scratchDir('ao-init-');
    mkdirSync(join(parent, 'my proj'));
    writeFileSync(join(parent, 'my proj', '.gitignore'), 'node_modules/');
    const path = [dirname(process.execPath), '/usr/bin', '/bin'].join(':');
    const r = await runAo(['init', 'my proj'], { cwd: parent, socket, env: { PATH: path } });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(parent, 'my proj', '.gitignore'), 'utf8')).toBe('node_modules/\nstate/\n');
    expect(r.stdout).toContain('added state/ to the .gitignore that was there');
    // the first line names the JSON Schema this ao ships, for taplo-based editors
    const schemaLine = /^#:schema (.+)$/.exec(readFileSync(join(parent, 'my proj', 'agents.toml'), 'utf8').split('\n')[0] ?? '')?.[1] ?? '';
    expect(JSON.parse(readFileSync(schemaLine, 'utf8'))).toMatchObject({ title: 'agents.toml' });
    const hint = /^next: (.*)$/m.exec(r.stdout)?.[1] ?? '';
    expect(hint).toMatch(/^cd 'my proj' && \S+\/bin\/ao check && /);
    // the hint's first two steps, as a user would paste them into a shell without ao on PATH
    const check = await execa('sh', ['-c', hint.split(' && ').slice(0, 2).join(' && ')], {
      cwd: parent,
      reject: false,
      env: { PATH: path, AO_TMUX_SOCKET: socket, AO_CONFIG: '' },
    });
    expect(check.exitCode, check.stderr).toBe(0);
    // a second init there never overwrites, and a .gitignore that ignores state/ already is left as it is
    mkdirSync(join(parent, 'b'));
    writeFileSync(join(parent, 'b', '.gitignore'), '/state\n');
    const again = await runAo(['init', 'b'], { cwd: parent, socket, env: { PATH: path } });
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(join(parent, 'b', '.gitignore'), 'utf8')).toBe('/state\n');
    expect(again.stdout).not.toContain('added state/');
  });
});

describe('ao completion', () => {
  it.each([['bash'], ['zsh'], ['fish']])('%s: a script that asks ao itself at each TAB', async (shell) => {
    const r = await ao('completion', shell);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('ao __complete');
  });

  it('in a real bash: commands, then the current project’s agents and the command’s options', async () => {
    const bin = scratchDir('ao-path-');
    symlinkSync(join(REPO, 'bin', 'ao'), join(bin, 'ao'));
    writeFileSync(join(bin, 'ao.bash'), (await ao('completion', 'bash')).stdout);
    const complete = async (...words: string[]): Promise<string[]> => {
      const line = `source ${join(bin, 'ao.bash')}; COMP_WORDS=(ao ${words.join(' ')}); COMP_CWORD=${words.length}; _ao; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const r = await execa('bash', ['-c', line], {
        cwd: dir,
        reject: false,
        env: { PATH: [bin, dirname(process.execPath), '/usr/bin', '/bin'].join(':'), AO_TMUX_SOCKET: socket, AO_CONFIG: '' },
      });
      expect(r.exitCode, r.stderr).toBe(0);
      return r.stdout.split('\n').filter(Boolean);
    };
    expect(await complete('st')).toEqual(['status']);
    expect(await complete('logs', 'b')).toEqual(['builder']);
    expect(await complete('logs', '--fo')).toEqual(['--follow']);
    expect(await complete('completion', '')).toEqual(['bash', 'zsh', 'fish']);
  });

  it('an unknown shell is a usage error, exit 2', async () => {
    const r = await ao('completion', 'tcsh');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no script for "tcsh" \(one of: bash, zsh, fish\)/);
  });
});
