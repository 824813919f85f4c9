/**
 * A real Claude Code loop (2.1.332 from npm) through `ao up` against the
 * Anthropic stand-in: its pane shows readable progress and no raw JSON,
 * `ao logs` the readable form, `ao logs --raw` the stream; two iterations'
 * usage, recorded from their raw streams, is what `ao cost --json` reports,
 * and what the stand-in sent.
 */
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claudeUsage } from '../../src/backends/claude-stream.js';
import { loadProject } from '../../src/config/load.js';
import { recordIteration } from '../../src/supervisor/record-usage.js';
import { startAnthropic } from '../fixtures/standins/anthropic.js';
import type { StandIn, Usage } from '../fixtures/standins/common.js';
import { makeProject, runAo, tmux, uniqueSocket, waitFor, endStandInTeam } from '../helpers/ao.js';
import { announceInstallFailure, ensureCli } from '../helpers/clis.js';
import { cliHome, type CliHome, tomlPairs } from '../helpers/standin-env.js';

const installed = await ensureCli('claude');
if (!installed.ok) announceInstallFailure('claude', installed.reason);

/** what the stand-in reports for each iteration */
const SENT: Usage[] = [
  { input_tokens: 1234, output_tokens: 56, cache_read_tokens: 789, cache_write_tokens: 10 },
  { input_tokens: 2000, output_tokens: 300, cache_read_tokens: 4000, cache_write_tokens: 500 },
];

describe.skipIf(!installed.ok)('a Claude loop, readable, with its usage kept', { timeout: 150_000 }, () => {
  const socket = uniqueSocket('stream');
  let server: StandIn;
  let home: CliHome;
  let dir: string;
  const ao = (...args: string[]) => runAo(args, { cwd: dir, socket });
  const toml = (s: string): string => JSON.stringify(s);

  beforeAll(async () => {
    server = await startAnthropic();
    server.fallback({ kind: 'text', text: 'Nothing more.' });
    dir = realpathSync(makeProject({ 'prompts/kickoff.md': 'Run the check and report.\n', 'prompts/builder.md': 'unused\n', 'phases/one.md': '# one\n' }));
    home = cliHome('claude', { url: server.url, trusted: [dir] });
    const env = tomlPairs(home.env);
    writeFileSync(
      join(dir, 'agents.toml'),
      [
        '[defaults]',
        'session_prefix = "stream-"',
        '[agents.builder]',
        'kind = "loop"',
        'backend = "claude"',
        `command = ${toml(installed.ok ? installed.bin : '')}`,
        'args = ["--allowedTools", "Bash(echo:*)"]',
        `env = { ${env} }`,
        'heal = "none"',
        'min_iteration_s = 1',
        '[[phases]]',
        'id = "one"',
        'plan = "one.md"',
        '',
      ].join('\n'),
    );
  });

  afterAll(() => endStandInTeam({ dir, socket, server, home }));

  const exitOf = (): string | null => {
    const f = join(dir, 'state', 'exits', 'builder');
    return existsSync(f) ? readFileSync(f, 'utf8') : null;
  };

  /** one iteration: started by `ao up` or `ao restart`, waited for until its exit is recorded */
  async function iteration(start: string[], before: string | null): Promise<string> {
    const r = await ao(...start);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    return waitFor(
      async () => {
        const e = exitOf();
        return e !== null && e !== before ? e : null;
      },
      90_000,
      200,
    );
  }

  it('shows progress, not JSON, in the pane; keeps the stream; ao cost is what the stand-in sent', async () => {
    server.script({ kind: 'tool', command: 'echo tool-output-line' }, { kind: 'text', text: 'First iteration done.', usage: SENT[0] });
    const first = await iteration(['up', '--no-watchdog'], null);
    expect(first.trim()).toMatch(/ 0$/);

    const pane = (await tmux(socket, ['capture-pane', '-p', '-J', '-S', '-200', '-t', 'stream-builder'])).stdout;
    expect(pane).toContain('⚙ Bash: echo tool-output-line');
    expect(pane).toContain('↳ tool-output-line');
    expect(pane).toContain('First iteration done.');
    expect(pane).toMatch(/■ done .* · \$\d+\.\d{4}/);
    expect(pane.split('\n').filter((l) => /^\s*[{[]"/.test(l))).toEqual([]);

    const logs = await ao('logs', 'builder', '-n', '200');
    expect(logs.stdout).toContain('⚙ Bash: echo tool-output-line');
    expect(logs.stdout.split('\n').filter((l) => l.trimStart().startsWith('{"'))).toEqual([]);
    const raw = await ao('logs', 'builder', '--raw', '-n', '200');
    const events = raw.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { type: string }).type);
    expect(events[0]).toBe('system');
    expect(events.at(-1)).toBe('result');

    const project = loadProject(join(dir, 'agents.toml'), { ...process.env, AO_TMUX_SOCKET: socket });
    const builder = project.agents.find((a) => a.name === 'builder')!;
    const one = recordIteration(project, builder, 1);
    expect(one).not.toBeNull();

    server.script({ kind: 'text', text: 'Second iteration done.', usage: SENT[1] });
    // `ao restart` would bring the watchdog, and its next iterations would rotate the stream again
    const second = await iteration(['up', '--no-watchdog', 'builder'], first);
    expect(second.trim()).toMatch(/ 0$/);
    const two = recordIteration(project, builder, 2);
    // the first iteration's stream was rotated, not overwritten
    expect(claudeUsage(readFileSync(join(dir, 'state', 'streams', 'builder.jsonl.1'), 'utf8'))).toEqual(one?.usage);

    const cost = await ao('cost', '--json');
    expect(cost.code, cost.stderr).toBe(0);
    const json = JSON.parse(cost.stdout) as { rows: Record<string, unknown>[]; total: Record<string, unknown> };
    // the first iteration took two model turns: the tool call (the stand-in's default usage) and the answer
    const toolTurn = server.requests.filter((r) => r.model).length === 3;
    expect(toolTurn).toBe(true);
    const { DEFAULT_USAGE } = await import('../fixtures/standins/common.js');
    const sum = (k: keyof Usage): number => DEFAULT_USAGE[k] + SENT[0]![k] + SENT[1]![k];
    const costs = (one?.usage.cost_usd ?? NaN) + (two?.usage.cost_usd ?? NaN);
    const want = {
      phase: 'one',
      agent: 'builder',
      input_tokens: sum('input_tokens'),
      output_tokens: sum('output_tokens'),
      cache_read_tokens: sum('cache_read_tokens'),
      cache_write_tokens: sum('cache_write_tokens'),
      cost_usd: Math.round(costs * 1e10) / 1e10,
      iterations: 2,
    };
    expect(json.rows).toEqual([want]);
    expect(want.cost_usd).toBeGreaterThan(0);
    const table = await ao('cost');
    expect(table.stdout).toMatch(/^one\s+builder\s+2\s+/m);
    expect(table.stdout).toMatch(/^total\s+2\s+/m);
  });

  it('the watchdog records each iteration it sees end, once, with what the stand-in sent', async () => {
    await ao('down');
    const before = (JSON.parse((await ao('cost', '--json')).stdout) as { total: { iterations: number; input_tokens: number; output_tokens: number } }).total;
    const each: Usage = { input_tokens: 3100, output_tokens: 41, cache_read_tokens: 0, cache_write_tokens: 0 };
    server.fallback({ kind: 'text', text: 'Looping.', usage: each });
    const up = await ao('up');
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const usage = join(dir, 'state', 'usage.jsonl');
    const lines = (): number => readFileSync(usage, 'utf8').trim().split('\n').length;
    const had = lines();
    await waitFor(async () => lines() >= had + 2, 90_000, 250);
    await ao('down');
    const total = (JSON.parse((await ao('cost', '--json')).stdout) as { total: { iterations: number; input_tokens: number; output_tokens: number } }).total;
    const added = total.iterations - before.iterations;
    expect(added).toBeGreaterThanOrEqual(2);
    expect(total.input_tokens - before.input_tokens).toBe(added * each.input_tokens);
    expect(total.output_tokens - before.output_tokens).toBe(added * each.output_tokens);
    // the watchdog writes one record per run, each with its run id
    const runs = readFileSync(usage, 'utf8')
      .trim()
      .split('\n')
      .slice(had)
      .map((l) => (JSON.parse(l) as { run?: string }).run);
    expect(runs.every((r) => typeof r === 'string')).toBe(true);
    expect(new Set(runs).size).toBe(runs.length);
    expect(runs.length).toBe(added);
  });
});
