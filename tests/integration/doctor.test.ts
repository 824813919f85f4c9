/**
 * `ao doctor` on a Claude team, with a PATH the test makes: no `claude` on it
 * fails that check with what to do (exit 1); a stub `claude` whose --help lacks
 * a flag ao passes warns naming the flag; --json parses; a session name held
 * by hand fails. `ao up` with the CLI missing exits 2, names it, and starts
 * nothing: no tmux server, no state folder.
 */
import { chmodSync, existsSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { onePhaseFiles, runAo, serverRunning, team, tmux } from '../helpers/ao.js';
import { scratchDir } from '../helpers/scratch.js';

const SECRET = 'sk-doctor-test-secret-0123456789';

/** A folder holding only tmux and sh: a PATH with no agent CLI on it, whatever this machine has installed. */
async function toolsOnly(): Promise<string> {
  const dir = scratchDir('ao-test-tools-');
  for (const tool of ['tmux', 'sh']) symlinkSync((await execa('sh', ['-c', `command -v ${tool}`])).stdout.trim(), join(dir, tool));
  return dir;
}

/** A `claude` that answers --version and prints a --help without `--verbose`, which ao passes to a loop. */
function stubClaude(): string {
  const dir = scratchDir('ao-test-stub-');
  const help = [
    'Usage: claude [options] [prompt]',
    '  -p, --print                  print the answer and exit',
    '  --output-format <format>     text, json or stream-json',
    '  --model <model>              the model',
    '  --settings <file-or-json>    settings',
    '  --session-id <uuid>          a conversation id',
    '  -r, --resume [value]         resume a conversation',
  ];
  // shell builtins only: the PATH of the test holds no cat
  const echo = help.map((line) => `echo '${line}'`).join('; ');
  writeFileSync(join(dir, 'claude'), `#!/bin/sh\ncase "$1" in\n  --version) echo '9.9.9 (Claude Code)';;\n  --help) ${echo};;\n  *) exit 1;;\nesac\n`);
  chmodSync(join(dir, 'claude'), 0o755);
  return dir;
}

/** A team of two Claude agents with a HOME of its own, torn down when the test ends; its `ao` runs on the given PATH with no Claude credential but those in `env`. */
function claudeTeam(tag: string) {
  const home = scratchDir('ao-test-home-');
  const { socket, dir } = team(
    tag,
    onePhaseFiles(
      [
        '[defaults]',
        `session_prefix = "${tag}-"`,
        '[agents.builder]',
        'kind = "loop"',
        'backend = "claude"',
        '[agents.adversary]',
        'kind = "persistent"',
        'backend = "claude"',
        '[[phases]]',
        'id = "one"',
        'plan = "one.md"',
        '',
      ].join('\n'),
    ),
    { teardown: 'afterTest', env: { HOME: home } },
  );
  const ao = (path: string, env: Record<string, string>, ...args: string[]) =>
    runAo(args, { cwd: dir, socket, env: { PATH: path, HOME: home, ANTHROPIC_API_KEY: '', ANTHROPIC_AUTH_TOKEN: '', CLAUDE_CODE_OAUTH_TOKEN: '', ...env } });
  return { socket, dir, ao };
}

interface DoctorJson {
  project: string;
  ok: boolean;
  checks: Array<{ check: string; status: 'ok' | 'warn' | 'fail'; detail: string; fix: string | null }>;
}

describe('ao doctor', { timeout: 60_000 }, () => {
  it('a Claude team with no claude on PATH: that check fails with what to do, exit 1; it reads only', async () => {
    const { ao, socket, dir } = claudeTeam('drnone');
    const r = await ao(await toolsOnly(), {}, 'doctor');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(
      /^fail {2}builder: claude: not found on PATH\n {6}-> install the claude CLI so that `claude` is on the PATH of `ao up`, or set agents\.builder\.command to its path$/m,
    );
    expect(r.stdout).toMatch(/^ok {4}tmux: tmux \d+\.\d+/m);
    expect(r.stdout).toMatch(/^warn {2}builder: claude credentials: no key: none of ANTHROPIC_API_KEY/m);
    expect(r.stdout).toMatch(/^ok {4}tmux socket .*: all 3 session names free$/m);
    expect(existsSync(join(dir, 'state')), 'doctor writes nothing').toBe(false);
    expect(await serverRunning(socket), 'doctor starts no tmux server').toBe(false);
  });

  it('a stub claude whose --help lacks a flag ao passes: warns naming the flag; the key is seen but never printed; --json parses', async () => {
    const { ao } = claudeTeam('drstub');
    const path = `${stubClaude()}:${await toolsOnly()}`;
    const r = await ao(path, { ANTHROPIC_API_KEY: SECRET }, 'doctor');
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(
      /^warn {2}builder: claude: \S+\/claude \(9\.9\.9 \(Claude Code\)\); `claude --help` does not mention --verbose, which ao passes$/m,
    );
    // the persistent agent gets neither -p nor --verbose: its flags are all in the help
    expect(r.stdout).toMatch(/^ok {4}adversary: claude: .*takes the flags ao passes \(--session-id --settings --resume\)$/m);
    expect(r.stdout).toMatch(/^ok {4}builder: claude credentials: ANTHROPIC_API_KEY set$/m);
    expect(r.stdout).not.toContain(SECRET);

    const json = await ao(path, { ANTHROPIC_API_KEY: SECRET }, 'doctor', '--json');
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as DoctorJson;
    expect(parsed.ok).toBe(true);
    expect(parsed.checks.every((c) => ['ok', 'warn', 'fail'].includes(c.status))).toBe(true);
    const builder = parsed.checks.find((c) => c.check === 'builder: claude')!;
    expect(builder.status).toBe('warn');
    expect(builder.detail).toMatch(/--verbose/);
    expect(json.stdout).not.toContain(SECRET);
  });

  it('a session name held by a session ao did not make fails, naming it', async () => {
    const { ao, socket } = claudeTeam('drheld');
    const path = `${stubClaude()}:${await toolsOnly()}`;
    expect((await tmux(socket, ['new-session', '-d', '-s', 'drheld-builder', 'sleep', '300'])).code).toBe(0);
    const r = await ao(path, {}, 'doctor', '--json');
    expect(r.code).toBe(1);
    const sessions = (JSON.parse(r.stdout) as DoctorJson).checks.find((c) => c.check.startsWith('tmux socket'))!;
    expect(sessions).toMatchObject({ status: 'fail', detail: 'session names taken: drheld-builder (not made by ao)' });
  });
});

describe('ao up checks the CLIs first', { timeout: 60_000 }, () => {
  it('a team whose CLI is missing: exit 2, the program named, nothing started', async () => {
    const { ao, socket, dir } = claudeTeam('drup');
    const r = await ao(await toolsOnly(), {}, 'up');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ao up: builder: `claude` \(the claude CLI\) is not on PATH: install it, or set agents\.builder\.command to its path/);
    expect(r.stderr).toMatch(/ao up: adversary: `claude`/);
    expect(r.stderr).toMatch(/nothing was started/);
    expect(r.stdout).toBe('');
    expect(await serverRunning(socket), 'no tmux server').toBe(false);
    expect(existsSync(join(dir, 'state')), 'no state folder').toBe(false);
  });

  it('up --dry-run still prints the command lines with the CLI missing, and starts nothing', async () => {
    const { ao, socket, dir } = claudeTeam('drdry');
    const dry = await ao(await toolsOnly(), {}, 'up', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/new-session -d -s drdry-builder .* claude -p --output-format stream-json --verbose/);
    expect(await serverRunning(socket)).toBe(false);
    expect(existsSync(join(dir, 'state'))).toBe(false);
  });
});
