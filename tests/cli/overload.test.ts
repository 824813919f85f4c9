/**
 * A provider overloaded for longer than ao's limits, with the real CLIs and
 * the watchdog on (issue 20, items 1 and 4):
 *
 * - a Codex loop (0.171.0) whose stand-in answers 503 `server_is_overloaded`
 *   for 90 s, which Codex reports as "Selected model is at capacity", is
 *   paused and probed, never FAILED (crash_limit 2 would fail it if those
 *   exits counted), and completes an iteration once the stand-in recovers;
 * - a Claude loop (2.1.332) whose stand-in answers 529 with `retry-after: 40`
 *   retries for longer than its `stall_minutes` (0.5) and says so in its
 *   stream (api_retry): it shows waiting on the provider, is never
 *   stall-restarted (restarts 0, no stall event), and answers once the
 *   stand-in does.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startAnthropic } from '../fixtures/standins/anthropic.js';
import type { StandIn } from '../fixtures/standins/common.js';
import { startOpenAI } from '../fixtures/standins/openai.js';
import { eventsOf, statusOf, waitFor } from '../helpers/ao.js';
import { cliLoop, type CliLoop } from '../helpers/cli-loop.js';
import { announceInstallFailure, ensureCli, type CliName } from '../helpers/clis.js';

const codex = await ensureCli('codex');
if (!codex.ok) announceInstallFailure('codex', codex.reason);
const claude = await ensureCli('claude');
if (!claude.ok) announceInstallFailure('claude', claude.reason);

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A loop of `cli` against `server`, with short watchdog timings; returns its `ao`. */
function loop(tag: string, cli: CliName, bin: string, server: StandIn, lines: string[], env: Record<string, string> = {}): CliLoop['ao'] {
  return cliLoop({ tag, cli, bin, server, env, agent: lines }, cleanups).ao;
}

const overloaded = JSON.stringify({
  error: { type: 'server_error', code: 'server_is_overloaded', message: 'The server is overloaded. Please try again later.' },
});

describe.skipIf(!codex.ok)('a Codex loop through 90 s of 503 server_is_overloaded', { timeout: 240_000 }, () => {
  it('is paused and probed, never FAILED, and completes an iteration after the stand-in recovers', async () => {
    const server = await startOpenAI();
    server.fallback({ kind: 'error', status: 503, body: overloaded });
    const ao = loop('overload-codex', 'codex', codex.ok ? codex.bin : '', server, [
      'args = ["--skip-git-repo-check", "--json"]',
      '[watchdog]',
      'stall_check_s = 1',
      // two counted crashes would fail it
      'crash_limit = 2',
      'crash_window_s = 600',
      'backoff_initial_s = 1',
      'probe_initial_s = 3',
      'probe_max_s = 6',
    ]);
    expect((await ao('up')).code).toBe(0);
    const outageEnds = Date.now() + 90_000;
    const states = new Set<string>();
    let paused: string | null = null;
    // bounded: 90 s at one look a second at most
    for (let i = 0; i < 120 && Date.now() < outageEnds; i++) {
      const s = await statusOf(ao);
      const b = s.agents.builder;
      states.add(b?.state ?? 'absent');
      if (b?.state === 'paused') paused = b.detail ?? null;
      expect(b?.state, `at ${Math.round((outageEnds - Date.now()) / 1000)} s before the outage ends: ${b?.detail}`).not.toBe('failed');
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(states.has('paused')).toBe(true);
    expect(paused).toMatch(/^provider overloaded or down, resumes \d\d:\d\d/);
    const during = (await eventsOf(ao)).filter((e) => e.agent === 'builder');
    const pauses = during.filter((e) => e.event === 'paused');
    // probed again and again through the outage: each answer was the overload, each a pause
    expect(pauses.length).toBeGreaterThanOrEqual(3);
    expect(pauses[0]?.reason).toMatch(/Selected model is at capacity/);
    expect(during.some((e) => e.event === 'failed' || e.event === 'died')).toBe(false);
    expect(server.requests.filter((r) => r.model).length).toBeGreaterThanOrEqual(3);

    server.fallback({ kind: 'text', text: 'Back at work.' });
    await waitFor(async () => ((await eventsOf(ao)).some((e) => e.agent === 'builder' && e.event === 'iteration-done') ? true : undefined), 60_000, 500);
    const after = (await eventsOf(ao)).filter((e) => e.agent === 'builder');
    expect(after.some((e) => e.event === 'failed' || e.event === 'died')).toBe(false);
    expect((await statusOf(ao)).agents.builder?.state).not.toBe('failed');
  });
});

describe.skipIf(!claude.ok)('a Claude loop retrying 529s for longer than its stall_minutes', { timeout: 240_000 }, () => {
  it('shows waiting on the provider, is never stall-restarted, and answers once the stand-in does', async () => {
    const server = await startAnthropic();
    // Claude waits what retry-after says between its tries: 40 s of silence each, longer than the 30 s stall time
    server.fallback({ kind: 'error', status: 529, headers: { 'retry-after': '40' } });
    const ao = loop('overload-claude', 'claude', claude.ok ? claude.bin : '', server, ['stall_minutes = 0.5', '[watchdog]', 'stall_check_s = 1'], {
      CLAUDE_CODE_MAX_RETRIES: '2',
    });
    expect((await ao('up')).code).toBe(0);
    const waiting = await waitFor(
      async () => {
        const b = (await statusOf(ao)).agents.builder;
        return b?.state === 'waiting' ? b : undefined;
      },
      30_000,
      500,
    );
    expect(waiting.detail).toBe('on: provider (retry 1/2)');
    // past the stall time, and past the first retry's 40 s: still the same run, still waiting
    const firstRetryAt = Date.now();
    for (let i = 0; i < 80 && Date.now() - firstRetryAt < 45_000; i++) {
      const b = (await statusOf(ao)).agents.builder;
      expect(b?.state, b?.detail ?? '').not.toBe('stalled');
      expect(b?.restarts).toBe(0);
      await new Promise((r) => setTimeout(r, 1000));
    }
    await waitFor(async () => ((await statusOf(ao)).agents.builder?.detail === 'on: provider (retry 2/2)' ? true : undefined), 20_000, 500);
    server.fallback({ kind: 'text', text: 'Answered at last.' });
    await waitFor(async () => ((await eventsOf(ao)).some((e) => e.agent === 'builder' && e.event === 'iteration-done') ? true : undefined), 60_000, 500);
    const events = (await eventsOf(ao)).filter((e) => e.agent === 'builder');
    expect(events.some((e) => e.event === 'stall-restart' || e.event === 'nudge')).toBe(false);
    expect(events.filter((e) => e.event === 'waiting')[0]?.reason).toMatch(/retries the provider \(retry 1\/2\)/);
    expect(events.some((e) => e.event === 'waiting-over')).toBe(true);
    expect((await statusOf(ao)).agents.builder?.restarts).toBe(0);
  });
});
