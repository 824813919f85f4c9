/**
 * Budgets never fail open, on the real Codex CLI (0.171.0, `codex exec
 * --json`, which reports tokens and no cost) against its loopback stand-in:
 * a Codex loop with a `budget_usd` and no price for its model is refused by
 * `ao check` and `ao up` (exit 2, saying the fix); with `budget_tokens` it
 * runs and is paused when the tokens the stand-in reported reach the cap;
 * with its model priced in `[models.prices]` its `budget_usd` holds it, and
 * `ao cost` shows the priced cost marked as computed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { StandIn, Usage } from '../fixtures/standins/common.js';
import { startOpenAI } from '../fixtures/standins/openai.js';
import { eventsOf, runAo, serverRunning, statusOf, waitFor } from '../helpers/ao.js';
import { cliLoop } from '../helpers/cli-loop.js';
import { announceInstallFailure, ensureCli } from '../helpers/clis.js';

const installed = await ensureCli('codex');
if (!installed.ok) announceInstallFailure('codex', installed.reason);

/** what the stand-in reports for each answer; Codex keeps 2100 - 1024 uncached input: 1076 + 64 = 1140 tokens a run */
const EACH: Usage = { input_tokens: 2100, output_tokens: 64, cache_read_tokens: 1024, cache_write_tokens: 0 };
const PER_RUN = EACH.input_tokens - EACH.cache_read_tokens + EACH.output_tokens;

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

interface Loop {
  ao: (...args: string[]) => ReturnType<typeof runAo>;
  server: StandIn;
  socket: string;
}

/** A project with one Codex loop on the stand-in's model; `extra` lines go into its agent table, `top` before it. */
async function codexLoop(tag: string, extra: string[], top: string[] = []): Promise<Loop> {
  const server = await startOpenAI();
  server.fallback({ kind: 'text', text: 'Iteration done.', usage: EACH });
  const { ao, socket } = cliLoop(
    {
      tag,
      cli: 'codex',
      bin: installed.ok ? installed.bin : '',
      server,
      args: ['--skip-git-repo-check'],
      defaults: top,
      // the model the stand-in's Codex home names: the one a price is looked up for
      agent: ['model = "gpt-standin"', ...extra],
      after: ['[watchdog]', 'stall_check_s = 1'],
    },
    cleanups,
  );
  return { ao, server, socket };
}

/** Waits (bounded) for the loop to be paused, and returns its detail. */
async function pausedDetail(ao: Loop['ao']): Promise<string> {
  return waitFor(
    async () => {
      const s = await statusOf(ao);
      return s.agents.builder?.state === 'paused' ? (s.agents.builder.detail ?? '') : undefined;
    },
    120_000,
    500,
  );
}

interface CostRow {
  agent: string;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number | null;
  iterations: number;
  priced_iterations?: number;
}

describe.skipIf(!installed.ok)('a Codex loop under a budget', { timeout: 180_000 }, () => {
  it('budget_usd without a price: ao check and ao up exit 2 saying the fix, and nothing starts', async () => {
    const { ao, server, socket } = await codexLoop('budget-usd-codex', ['budget_usd = 1']);
    const check = await ao('check');
    expect(check.code).toBe(2);
    expect(check.stderr).toMatch(
      /agents\.toml:\d+:1: agents\.builder\.budget_usd: builder runs codex, whose CLI reports no cost: its budget_usd would never be reached/,
    );
    expect(check.stderr).toContain('give it a budget_tokens (a cap on its input and output tokens), or a price for its model in [models.prices]');
    const up = await ao('up');
    expect(up.code).toBe(2);
    expect(up.stderr).toContain('builder runs codex, whose CLI reports no cost');
    expect(await serverRunning(socket)).toBe(false);
    expect(server.requests.filter((r) => r.model)).toEqual([]);
  });

  it('budget_tokens: runs until the tokens the stand-in reported reach the cap, then paused with a reason naming tokens; no run after', async () => {
    // two runs reach it (1140, then 2280 >= 2000)
    const cap = 2000;
    const { ao, server } = await codexLoop('budget-tokens-codex', ['budget_usd = 1', `budget_tokens = ${cap}`]);
    const check = await ao('check');
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect((await ao('up')).code).toBe(0);
    const detail = await pausedDetail(ao);
    expect(detail).toContain(`budget: it has used ${2 * PER_RUN} tokens of its budget_tokens = ${cap}`);
    const paused = (await eventsOf(ao)).filter((e) => e.agent === 'builder' && e.event === 'paused');
    expect(paused).toHaveLength(1);
    expect(paused[0]?.reason).toMatch(/^budget: it has used 2280 tokens of its budget_tokens = 2000; raise it in agents\.toml to go on$/);
    expect(paused[0]?.details?.kind).toBe('budget');
    const cost = JSON.parse((await ao('cost', '--json')).stdout) as { agents: CostRow[] };
    expect(cost.agents).toEqual([expect.objectContaining({ agent: 'builder', input_tokens: 2 * 1076, output_tokens: 2 * 64, cost_usd: null, iterations: 2 })]);
    // held: the watchdog's sweeps (every second) start no third run
    const requests = server.requests.filter((r) => r.model).length;
    expect(requests).toBe(2);
    await new Promise((r) => setTimeout(r, 3000));
    expect(server.requests.filter((r) => r.model).length).toBe(requests);
    expect((await statusOf(ao)).agents.builder?.state).toBe('paused');
  });

  it('[models.prices]: its model priced, a budget_usd holds it; ao cost shows the priced cost, marked as computed', async () => {
    // (2100 input with cached) × $100/Mtok + 64 × $1000/Mtok = $0.274 a run: the second reaches $0.50
    const { ao } = await codexLoop(
      'budget-priced-codex',
      ['budget_usd = 0.5'],
      ['[models.prices]', '"gpt-standin" = { input_per_mtok = 100, output_per_mtok = 1000 }'],
    );
    const check = await ao('check');
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect((await ao('up')).code).toBe(0);
    expect(await pausedDetail(ao)).toContain('budget: it has spent $0.5480 of its budget_usd = 0.5');
    const cost = JSON.parse((await ao('cost', '--json')).stdout) as { agents: CostRow[] };
    expect(cost.agents).toEqual([expect.objectContaining({ agent: 'builder', cost_usd: 0.548, iterations: 2, priced_iterations: 2 })]);
    const table = (await ao('cost')).stdout;
    expect(table).toMatch(/\$0\.5480\*/);
    expect(table).toContain('* cost computed by ao from the tokens and [models.prices] for 2 of 2 iterations (the CLI reports no cost)');
  });
});
