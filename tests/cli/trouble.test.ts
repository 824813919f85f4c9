/**
 * A real Claude loop (2.1.332) through `ao up` meets a subscription usage
 * limit at the stand-in (a 429 with anthropic-ratelimit-unified-status:
 * rejected and a reset 60 s away, signed in with CLAUDE_CODE_OAUTH_TOKEN):
 * what ao kept of the run says so, with the reset the stand-in sent, from
 * the raw stream exactly and from the readable pane log to the minute.
 */
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claudeTextTrouble } from '../../src/backends/claude-stream.js';
import { loadProject } from '../../src/config/load.js';
import { troubleOf } from '../../src/supervisor/read-trouble.js';
import { startAnthropic } from '../fixtures/standins/anthropic.js';
import type { StandIn } from '../fixtures/standins/common.js';
import { makeProject, runAo, tmux, uniqueSocket, waitFor, endStandInTeam } from '../helpers/ao.js';
import { announceInstallFailure, ensureCli } from '../helpers/clis.js';
import { cliHome, type CliHome, tomlPairs } from '../helpers/standin-env.js';

const installed = await ensureCli('claude');
if (!installed.ok) announceInstallFailure('claude', installed.reason);

describe.skipIf(!installed.ok)('a Claude loop at its usage limit', { timeout: 120_000 }, () => {
  const socket = uniqueSocket('trouble');
  let server: StandIn;
  let home: CliHome;
  let dir: string;
  const ao = (...args: string[]) => runAo(args, { cwd: dir, socket, env: { TZ: 'UTC' } });

  beforeAll(async () => {
    server = await startAnthropic();
    dir = realpathSync(makeProject({ 'prompts/kickoff.md': 'Work.\n', 'prompts/builder.md': 'unused\n', 'phases/one.md': '# one\n' }));
    home = cliHome('claude', { url: server.url, trusted: [dir] });
    const env: Record<string, string> = {
      ...home.env,
      TZ: 'UTC',
      CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-standin-0123456789abcdefghijklmnop',
      ANTHROPIC_API_KEY: '',
    };
    const line = tomlPairs(env);
    writeFileSync(
      join(dir, 'agents.toml'),
      [
        '[defaults]',
        'session_prefix = "trouble-"',
        '[agents.builder]',
        'kind = "loop"',
        'backend = "claude"',
        `command = ${JSON.stringify(installed.ok ? installed.bin : '')}`,
        `env = { ${line} }`,
        'heal = "none"',
        '[[phases]]',
        'id = "one"',
        'plan = "one.md"',
        '',
      ].join('\n'),
    );
  });

  afterAll(() => endStandInTeam({ dir, socket, server, home }));

  it('is a usage limit resetting when the stand-in said, not a failure', async () => {
    const resetAt = Math.floor(Date.now() / 1000) + 60;
    const headers = {
      'anthropic-ratelimit-unified-status': 'rejected',
      'anthropic-ratelimit-unified-reset': String(resetAt),
      'anthropic-ratelimit-unified-representative-claim': 'five_hour',
    };
    server.script({ kind: 'error', status: 429, headers });
    server.fallback({ kind: 'error', status: 429, headers });
    const up = await ao('up', '--no-watchdog');
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const exitFile = join(dir, 'state', 'exits', 'builder');
    const exit = await waitFor(async () => (existsSync(exitFile) ? readFileSync(exitFile, 'utf8') : null), 60_000, 200);
    expect(exit.trim()).toMatch(/ 1$/);

    const project = loadProject(join(dir, 'agents.toml'), { ...process.env, AO_TMUX_SOCKET: socket });
    const builder = project.agents.find((a) => a.name === 'builder')!;
    const trouble = troubleOf(project, builder, 1, Date.now());
    expect(trouble.kind).toBe('usage-limit');
    expect(trouble.resetAt).toBe(resetAt * 1000);
    expect(trouble.message).toMatch(/^You've hit your 5-hour limit · resets \d+:\d\d[ap]m \(UTC\)$/);

    // the pane shows it readably, and its words alone give the reset to the minute
    const pane = (await tmux(socket, ['capture-pane', '-p', '-J', '-t', 'trouble-builder'])).stdout;
    expect(pane).toMatch(/✗ You've hit your 5-hour limit/);
    const log = readFileSync(join(dir, 'state', 'logs', 'builder.log'), 'utf8');
    expect(claudeTextTrouble(log, Date.now())).toEqual({
      kind: 'usage-limit',
      resetAt: Math.floor(resetAt / 60) * 60_000,
      message: expect.stringMatching(/You've hit your 5-hour limit/),
    });
  });
});

const codexCli = await ensureCli('codex');
if (!codexCli.ok) announceInstallFailure('codex', codexCli.reason);

describe.skipIf(!codexCli.ok)('a Codex loop at its usage limit', { timeout: 120_000 }, () => {
  const socket = uniqueSocket('trouble-codex');
  let server: StandIn;
  let home: CliHome;
  let dir: string;
  const ao = (...args: string[]) => runAo(args, { cwd: dir, socket, env: { TZ: 'UTC' } });

  beforeAll(async () => {
    // Codex prints the reset as a time of day in its zone; ao reads it in its own (both UTC here)
    process.env.TZ = 'UTC';
    const { startOpenAI } = await import('../fixtures/standins/openai.js');
    server = await startOpenAI();
    dir = realpathSync(makeProject({ 'prompts/kickoff.md': 'Work.\n', 'prompts/builder.md': 'unused\n', 'phases/one.md': '# one\n' }));
    home = cliHome('codex', { url: server.url, trusted: [dir] });
    const line = tomlPairs({ ...home.env, TZ: 'UTC' });
    writeFileSync(
      join(dir, 'agents.toml'),
      [
        '[defaults]',
        'session_prefix = "trouble-codex-"',
        '[agents.builder]',
        'kind = "loop"',
        'backend = "codex"',
        `command = ${JSON.stringify(codexCli.ok ? codexCli.bin : '')}`,
        'args = ["--skip-git-repo-check"]',
        `env = { ${line} }`,
        'heal = "none"',
        '[[phases]]',
        'id = "one"',
        'plan = "one.md"',
        '',
      ].join('\n'),
    );
  });

  afterAll(() => endStandInTeam({ dir, socket, server, home }));

  it('is a usage limit resetting at the minute the stand-in said', async () => {
    const resetAt = Math.floor(Date.now() / 1000) + 60;
    const body = JSON.stringify({
      error: { type: 'usage_limit_reached', message: 'The usage limit has been reached', plan_type: 'plus', resets_at: resetAt, resets_in_seconds: 60 },
    });
    server.fallback({ kind: 'error', status: 429, body });
    const up = await ao('up', '--no-watchdog');
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const exitFile = join(dir, 'state', 'exits', 'builder');
    const exit = await waitFor(async () => (existsSync(exitFile) ? readFileSync(exitFile, 'utf8') : null), 60_000, 200);
    expect(exit.trim()).toMatch(/ 1$/);
    const project = loadProject(join(dir, 'agents.toml'), { ...process.env, AO_TMUX_SOCKET: socket });
    const builder = project.agents.find((a) => a.name === 'builder')!;
    // codex exec --json: the raw stream's turn.failed, "You've hit your usage limit … try again at 1:42 PM"
    const trouble = troubleOf(project, builder, 1, Date.now());
    expect(trouble.kind).toBe('usage-limit');
    // printed to the minute: the reset has passed once that minute is over
    expect(trouble.resetAt).toBe((Math.floor(resetAt / 60) + 1) * 60_000);
    expect(trouble.message).toMatch(/You’ve hit your usage limit.*try again at \d+:\d\d [AP]M/);
  });
});
