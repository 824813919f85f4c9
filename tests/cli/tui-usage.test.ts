/**
 * A persistent Claude Code agent (the real TUI, 2.1.332) is in `ao cost`:
 * its hooks name its transcript, and after each turn the watchdog records
 * what the transcript gained, which is what the stand-in sent, once per
 * message however often the watchdog looks.
 */
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnthropic } from '../fixtures/standins/anthropic.js';
import type { StandIn, Usage } from '../fixtures/standins/common.js';
import { makeProject, runAo, uniqueSocket, waitFor, endStandInTeam } from '../helpers/ao.js';
import { announceInstallFailure, ensureCli } from '../helpers/clis.js';
import { cliHome, type CliHome, leadToml } from '../helpers/standin-env.js';

const installed = await ensureCli('claude');
if (!installed.ok) announceInstallFailure('claude', installed.reason);

/** what the stand-in reports for every answer: odd numbers, so a sum shows how many were counted */
const SENT: Usage = { input_tokens: 1001, output_tokens: 37, cache_read_tokens: 503, cache_write_tokens: 11 };

interface CostRow {
  agent: string;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_usd: number | null;
  iterations: number;
}

describe.skipIf(!installed.ok)('a Claude TUI’s usage', { timeout: 180_000 }, () => {
  const socket = uniqueSocket('tui-usage');
  let server: StandIn;
  let home: CliHome;
  let dir: string;
  const ao = (...args: string[]) => runAo(args, { cwd: dir, socket });

  beforeAll(async () => {
    server = await startAnthropic();
    server.fallback({ kind: 'text', text: 'Noted, and done.', usage: SENT });
    dir = realpathSync(makeProject({ 'prompts/kickoff.md': 'Read your inbox and say done.\n', 'prompts/lead.md': 'lead\n', 'phases/one.md': '# one\n' }));
    home = cliHome('claude', { url: server.url, trusted: [dir] });
    writeFileSync(join(dir, 'agents.toml'), leadToml('tuiu-', 'claude', installed.ok ? installed.bin : '', home.env));
  });

  afterAll(() => endStandInTeam({ dir, socket, server, home }));

  const leadRow = async (): Promise<CostRow | undefined> => {
    const r = await ao('cost', '--json');
    return (JSON.parse(r.stdout) as { rows: CostRow[] }).rows.find((x) => x.agent === 'lead');
  };
  const stops = (): number => {
    try {
      return readFileSync(join(dir, 'state', 'signals', 'lead.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l.includes('"hook":"Stop"')).length;
    } catch {
      return 0;
    }
  };

  it('is recorded after each turn, from the transcript its hooks name, and ao cost shows it', async () => {
    expect((await ao('up')).stdout).toContain('lead: started');
    await waitFor(async () => (stops() >= 1 ? true : null), 90_000, 250);
    const first = await waitFor(async () => (await leadRow()) ?? null, 15_000, 250);
    // each answer is one assistant message with the usage the stand-in sent
    expect(first.input_tokens % SENT.input_tokens).toBe(0);
    const messages = first.input_tokens / SENT.input_tokens;
    expect(messages).toBeGreaterThanOrEqual(1);
    expect(first).toMatchObject({
      output_tokens: SENT.output_tokens * messages,
      cache_read_tokens: SENT.cache_read_tokens * messages,
      cache_write_tokens: SENT.cache_write_tokens * messages,
      cost_usd: null,
      iterations: 1,
    });
    // the hook named the transcript Claude wrote under its HOME
    const signal = readFileSync(join(dir, 'state', 'signals', 'lead.jsonl'), 'utf8');
    expect(signal).toMatch(new RegExp(`"transcript":"${home.home}/\\.claude/projects/[^"]+\\.jsonl"`));

    // sweeps go on: nothing counts twice
    await new Promise((r) => setTimeout(r, 3000));
    expect(await leadRow()).toEqual(first);

    // a second turn (mail): one more line, only that turn's message
    expect((await ao('send', 'lead', 'One more thing: say done again.')).code).toBe(0);
    await waitFor(async () => (stops() >= 2 ? true : null), 90_000, 250);
    const second = await waitFor(
      async () => {
        const row = await leadRow();
        return row && row.iterations === 2 ? row : null;
      },
      15_000,
      250,
    );
    expect(second.input_tokens - first.input_tokens).toBeGreaterThanOrEqual(SENT.input_tokens);
    expect((second.input_tokens - first.input_tokens) % SENT.input_tokens).toBe(0);
    const table = await ao('cost');
    expect(table.stdout).toMatch(/^one\s+lead\s+2\s+/m);
  });
});
