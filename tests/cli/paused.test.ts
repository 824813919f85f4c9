/**
 * Provider trouble is not agent failure, with the watchdog on: a real Claude
 * loop (2.1.332) whose stand-in answers with a usage limit resetting 60 s
 * later is `paused` with that reset time, never `failed`, and its next
 * iteration starts after the reset and reaches the stand-in. A stand-in that
 * answers 529 (overloaded) for a while: the loop is never `failed` and works
 * again afterwards.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startAnthropic } from '../fixtures/standins/anthropic.js';
import type { StandIn } from '../fixtures/standins/common.js';
import { eventsOf, runAo, statusOf, waitFor } from '../helpers/ao.js';
import { cliLoop } from '../helpers/cli-loop.js';
import { announceInstallFailure, ensureCli } from '../helpers/clis.js';

const installed = await ensureCli('claude');
if (!installed.ok) announceInstallFailure('claude', installed.reason);

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

interface Team {
  ao: (...args: string[]) => ReturnType<typeof runAo>;
  server: StandIn;
  dir: string;
}

async function claudeLoop(tag: string, watchdog: string, env: Record<string, string> = {}, phase = ''): Promise<Team> {
  const server = await startAnthropic();
  const { ao, dir } = cliLoop(
    {
      tag,
      cli: 'claude',
      bin: installed.ok ? installed.bin : '',
      server,
      env: { TZ: 'UTC', ...env },
      after: [phase, '[watchdog]', 'stall_check_s = 1', watchdog],
      aoEnv: { TZ: 'UTC' },
    },
    cleanups,
  );
  return { ao, server, dir };
}

const configOf = (dir: string): string => join(dir, 'agents.toml');

describe.skipIf(!installed.ok)('a Claude loop meets its provider’s trouble', { timeout: 180_000 }, () => {
  it('a usage limit resetting 60 s later: paused with that reset, never failed, and the next iteration after the reset reaches the stand-in', async () => {
    const { ao, server } = await claudeLoop('paused', 'resume_margin_s = 1', {
      CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-standin-0123456789abcdefghijklmnop',
      ANTHROPIC_API_KEY: '',
    });
    const resetAt = Math.floor(Date.now() / 1000) + 60;
    const headers = {
      'anthropic-ratelimit-unified-status': 'rejected',
      'anthropic-ratelimit-unified-reset': String(resetAt),
      'anthropic-ratelimit-unified-representative-claim': 'five_hour',
    };
    server.fallback({ kind: 'error', status: 429, headers });
    const began = Date.now();
    expect((await ao('up')).code).toBe(0);
    const paused = await waitFor(
      async () => {
        const s = await statusOf(ao);
        return s.agents.builder?.state === 'paused' ? s : undefined;
      },
      30_000,
      250,
    );
    expect(Date.now() - began).toBeLessThan(30_000);
    const clock = new Date((resetAt + 1) * 1000);
    const hhmm = `${String(clock.getUTCHours()).padStart(2, '0')}:${String(clock.getUTCMinutes()).padStart(2, '0')}`;
    expect(paused.agents.builder?.detail).toBe(`usage limit, resumes ${hhmm}`);
    expect(paused.code, 'paused is healthy: status exits 0').toBe(0);
    const requestsWhilePaused = server.requests.filter((r) => r.model).length;

    // the limit lifts at the reset: the next iteration runs
    server.fallback({ kind: 'text', text: 'done' });
    await waitFor(async () => ((await eventsOf(ao)).some((e) => e.agent === 'builder' && e.event === 'resume') ? true : undefined), 90_000, 500);
    await waitFor(async () => (server.requests.filter((r) => r.model).length > requestsWhilePaused ? true : undefined), 30_000, 250);
    const events = (await eventsOf(ao)).filter((e) => e.agent === 'builder');
    const resume = events.find((e) => e.event === 'resume')!;
    expect(Date.parse(resume.time)).toBeGreaterThanOrEqual(resetAt * 1000);
    expect(events.some((e) => e.event === 'failed' || e.event === 'died')).toBe(false);
    expect(events.filter((e) => e.event === 'paused')).toHaveLength(1);
  });

  it('an outage (529 for a while): never failed, and it works again afterwards', async () => {
    // Claude retries a 529 itself before it gives up; a short probe wait stands in for 30 minutes
    const { ao, server, dir } = await claudeLoop('outage', 'probe_initial_s = 2\nprobe_max_s = 4\ncrash_limit = 2', {
      ANTHROPIC_API_KEY: 'sk-standin',
      CLAUDE_CODE_MAX_RETRIES: '0',
    });
    server.fallback({ kind: 'error', status: 529, body: JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }) });
    expect((await ao('up')).code).toBe(0);
    // more troubles than the crash limit allows failures
    await waitFor(async () => ((await eventsOf(ao)).filter((e) => e.agent === 'builder' && e.event === 'paused').length >= 3 ? true : undefined), 120_000, 500);
    expect((await statusOf(ao)).agents.builder?.state).not.toBe('failed');
    server.fallback({ kind: 'text', text: 'done' });
    await waitFor(async () => ((await eventsOf(ao)).some((e) => e.agent === 'builder' && e.event === 'iteration-done') ? true : undefined), 60_000, 500);
    const events = (await eventsOf(ao)).filter((e) => e.agent === 'builder').map((e) => e.event);
    expect(events).not.toContain('failed');
    expect(readFileSync(join(dir, 'state', 'events.jsonl'), 'utf8')).toMatch(/provider overloaded or down/);
  });

  it("a phase's budget below one iteration's cost pauses the loop after it; raising the budget lets it go on", async () => {
    const { ao, server, dir } = await claudeLoop('budget', '', { ANTHROPIC_API_KEY: 'sk-standin' }, 'budget_usd = 0.0000001');
    server.fallback({ kind: 'text', text: 'done' });
    expect((await ao('up')).code).toBe(0);
    const paused = await waitFor(
      async () => {
        const s = await statusOf(ao);
        return s.agents.builder?.state === 'paused' ? s : undefined;
      },
      60_000,
      250,
    );
    expect(paused.agents.builder?.detail).toMatch(/^budget: phase one has spent \$0\.\d+ of its budget_usd = 1e-7$/);
    const cost = JSON.parse((await ao('cost', '--json')).stdout) as { total: { cost_usd: number; iterations: number } };
    expect(cost.total.iterations).toBe(1);
    expect(cost.total.cost_usd).toBeGreaterThan(0.0000001);
    const requests = server.requests.filter((r) => r.model).length;
    await new Promise((r) => setTimeout(r, 3000));
    expect(server.requests.filter((r) => r.model).length, 'no new iteration while paused').toBe(requests);

    writeFileSync(configOf(dir), readFileSync(configOf(dir), 'utf8').replace('budget_usd = 0.0000001', 'budget_usd = 100'));
    await waitFor(async () => (server.requests.filter((r) => r.model).length > requests ? true : undefined), 60_000, 250);
    const events = (await eventsOf(ao)).filter((e) => e.agent === 'builder').map((e) => e.event);
    expect(events.filter((e) => e === 'paused')).toHaveLength(1);
    expect(events).toContain('resume');
  });
});
