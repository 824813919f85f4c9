/**
 * Provider trouble is not agent failure, for Codex too, with the watchdog on:
 * a real Codex loop (0.171.0, `codex exec`) whose stand-in answers with a
 * usage limit (429 `usage_limit_reached`, `resets_in_seconds`) resetting
 * ~25 s later is `paused` until that reset, never `failed`, and its next
 * iteration starts after the reset and reaches the stand-in. Codex prints the
 * reset to the minute ("try again at 1:42 PM"), so ao waits for the end of
 * that minute.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { StandIn } from '../fixtures/standins/common.js';
import { startOpenAI } from '../fixtures/standins/openai.js';
import { eventsOf, statusOf, waitFor } from '../helpers/ao.js';
import { cliLoop, type CliLoop } from '../helpers/cli-loop.js';
import { announceInstallFailure, ensureCli } from '../helpers/clis.js';

const installed = await ensureCli('codex');
if (!installed.ok) announceInstallFailure('codex', installed.reason);

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

async function codexLoop(tag: string, watchdog: string): Promise<{ ao: CliLoop['ao']; server: StandIn }> {
  const server = await startOpenAI();
  // Codex prints the reset in its own zone, ao reads it in its own: both UTC
  const { ao } = cliLoop(
    {
      tag,
      cli: 'codex',
      bin: installed.ok ? installed.bin : '',
      server,
      args: ['--skip-git-repo-check'],
      env: { TZ: 'UTC' },
      after: ['[watchdog]', 'stall_check_s = 1', watchdog],
      aoEnv: { TZ: 'UTC' },
    },
    cleanups,
  );
  return { ao, server };
}

const hhmm = (ms: number): string => new Date(ms).toISOString().slice(11, 16);

describe.skipIf(!installed.ok)('a Codex loop meets its usage limit', { timeout: 180_000 }, () => {
  it('a usage limit resetting ~25 s later: paused until then, never failed, and the next iteration after the reset reaches the stand-in', async () => {
    const { ao, server } = await codexLoop('paused-codex', 'resume_margin_s = 1');
    const resetAt = Math.floor(Date.now() / 1000) + 25;
    const body = JSON.stringify({
      error: {
        type: 'usage_limit_reached',
        message: 'The usage limit has been reached',
        plan_type: 'plus',
        resets_at: resetAt,
        resets_in_seconds: resetAt - Math.floor(Date.now() / 1000),
      },
    });
    server.fallback({ kind: 'error', status: 429, body });
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
    // Codex said "try again at <the reset's minute>": ao resumes when that minute is over, plus the margin
    const resumes = (Math.floor(resetAt / 60) + 1) * 60_000 + 1000;
    expect(paused.agents.builder?.detail).toBe(`usage limit, resumes ${hhmm(resumes)}`);
    expect(paused.code, 'paused is healthy: status exits 0').toBe(0);
    const pausedEvent = (await eventsOf(ao)).find((e) => e.agent === 'builder' && e.event === 'paused');
    expect(pausedEvent?.details?.resumes_at).toBe(new Date(resumes).toISOString());
    const requestsWhilePaused = server.requests.filter((r) => r.model).length;
    expect(requestsWhilePaused).toBeGreaterThanOrEqual(1);

    // the limit lifts at the reset: the next iteration runs and reaches the stand-in
    server.fallback({ kind: 'text', text: 'done' });
    await waitFor(async () => ((await eventsOf(ao)).some((e) => e.agent === 'builder' && e.event === 'resume') ? true : undefined), 120_000, 500);
    await waitFor(async () => (server.requests.filter((r) => r.model).length > requestsWhilePaused ? true : undefined), 30_000, 250);
    const events = (await eventsOf(ao)).filter((e) => e.agent === 'builder');
    const resume = events.find((e) => e.event === 'resume')!;
    expect(Date.parse(resume.time)).toBeGreaterThanOrEqual(resetAt * 1000);
    expect(events.some((e) => e.event === 'failed' || e.event === 'died')).toBe(false);
    expect(events.filter((e) => e.event === 'paused')).toHaveLength(1);
    expect((await statusOf(ao)).agents.builder?.state).not.toBe('failed');
  });
});
