/**
 * The fallback model with the real Claude Code (2.1.332): a loop on `opus`
 * with `fallback_model = "sonnet"`, whose stand-in answers 529 overloaded to
 * the opus model id only, reaches the stand-in on the sonnet id within
 * `fallback_after_s` of the first overload (the wait after it, 60 s, is
 * cut short when the fallback is due), probes opus every
 * `fallback_probe_s` (a probe still overloaded goes straight back), and stays
 * on opus once the stand-in answers it again.
 *
 * With `CLAUDE_CODE_MAX_RETRIES=0` Claude gives up on the first 529 and never
 * moves to its `--fallback-model` by itself (seen: one request, exit 1, no
 * `model_fallback` event), so every sonnet request here comes from a start ao
 * made with `--model <sonnet>`; the test checks that too. The model ids are
 * the stand-in's own: Claude sends a known older id as a newer one.
 */
import { readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startAnthropic } from '../fixtures/standins/anthropic.js';
import type { Reply } from '../fixtures/standins/common.js';
import { eventsOf, statusOf, team, waitFor, type EventLine } from '../helpers/ao.js';
import { announceInstallFailure, ensureCli } from '../helpers/clis.js';
import { cliHome, tomlPairs } from '../helpers/standin-env.js';

const installed = await ensureCli('claude');
if (!installed.ok) announceInstallFailure('claude', installed.reason);

const OPUS = 'claude-opus-standin';
const SONNET = 'claude-sonnet-standin';
const AFTER_S = 5;
const PROBE_S = 20;

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe.skipIf(!installed.ok)('a Claude loop whose provider overloads its own model', { timeout: 360_000 }, () => {
  it('moves to its fallback within fallback_after_s, shows it in status, and returns to its own model once it answers', async () => {
    const server = await startAnthropic();
    const t = team('fallback', { 'prompts/kickoff.md': 'Work on {phase_id}.\n', 'phases/one.md': '# one\n' });
    const dir = realpathSync(t.dir);
    const home = cliHome('claude', { url: server.url, trusted: [dir] });
    cleanups.push(async () => {
      await t.cleanup();
      await server.close();
      home.remove();
    });
    let overloadOpus = true;
    const overloaded: Reply = {
      kind: 'error',
      status: 529,
      body: JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
    };
    const modelOf = (json: unknown): unknown => (json as { model?: unknown } | null)?.model;
    server.route((req) => (overloadOpus && modelOf(req.json) === OPUS ? overloaded : undefined));
    server.fallback({ kind: 'text', text: 'done' });
    const env = { ...home.env, TZ: 'UTC', CLAUDE_CODE_MAX_RETRIES: '0' };
    // the wait after an overload (probe_initial_s) is cut short when the fallback is due: no opus run is in flight then
    const toml = `
[defaults]
session_prefix = "fallback-"
[models]
opus = "${OPUS}"
sonnet = "${SONNET}"
[watchdog]
stall_check_s = 1
probe_initial_s = 60
[[phases]]
id = "one"
plan = "one.md"
[agents.builder]
kind = "loop"
backend = "claude"
command = ${JSON.stringify(installed.ok ? installed.bin : '')}
env = { ${tomlPairs(env)} }
model = "opus"
fallback_model = "sonnet"
fallback_after_s = ${AFTER_S}
fallback_probe_s = ${PROBE_S}
min_iteration_s = 1
`;
    writeFileSync(join(dir, 'agents.toml'), toml);
    const { ao } = t;
    const modelCalls = (): { model: unknown; at: number }[] => server.requests.filter((r) => r.model).map((r) => ({ model: modelOf(r.json), at: r.at }));
    const builder = async (): Promise<EventLine[]> => (await eventsOf(ao)).filter((e) => e.agent === 'builder');

    // on its own model Claude is also given its in-process fallback
    expect((await ao('check')).stdout).toContain(`--model ${OPUS} --fallback-model ${SONNET}`);
    expect((await ao('up')).code).toBe(0);
    // ao's fallback: a start on sonnet, and the stand-in reached on the sonnet id
    const moved = await waitFor(async () => (await builder()).find((e) => e.event === 'fallback'), 60_000, 250);
    const firstSonnet = await waitFor(async () => modelCalls().find((c) => c.model === SONNET), 30_000, 250);
    const events = await builder();
    const firstTrouble = events.find((e) => e.event === 'paused')!;
    expect(firstTrouble.details).toMatchObject({ kind: 'overload' });
    const movedAfter = Date.parse(moved.time) - Date.parse(firstTrouble.time);
    expect(movedAfter, 'the start on the fallback comes fallback_after_s after the first overload ao saw').toBeGreaterThanOrEqual(AFTER_S * 1000 - 500); // events carry the time they were written
    expect(movedAfter).toBeLessThan((AFTER_S + 3) * 1000);
    expect(moved.details).toEqual({ from: OPUS, to: SONNET, trigger: 'trouble' });
    expect(
      modelCalls()
        .filter((c) => c.at < firstSonnet.at)
        .map((c) => c.model),
    ).toEqual([OPUS]);
    expect(events.filter((e) => Date.parse(e.time) <= Date.parse(moved.time)).map((e) => e.event)).toEqual(['paused', 'resume', 'fallback']);
    expect(events.some((e) => e.event === 'failed')).toBe(false);

    // status shows the model it runs on, marked; Claude itself never moved (ao's --model did)
    const shown = await waitFor(
      async () => {
        const s = (await statusOf(ao)).agents.builder;
        return s?.model === SONNET ? s : undefined;
      },
      20_000,
      200,
    );
    expect(shown.fallback).toBe(true);
    await waitFor(async () => (await ao('status')).stdout.includes(`${SONNET} (fallback)`) || undefined, 20_000, 200);
    const streams = join(dir, 'state', 'streams');
    const raw = readdirSync(streams)
      .map((f) => readFileSync(join(streams, f), 'utf8'))
      .join('\n');
    expect(raw).not.toContain('"model_fallback"');

    // fallback_probe_s later a probe of opus, still overloaded: straight back to sonnet
    const backAgain = await waitFor(async () => (await builder()).find((e) => e.event === 'fallback' && e.details?.trigger === 'probe'), 60_000, 250);
    const probe = (await builder()).find((e) => e.event === 'fallback-probe')!;
    expect(Date.parse(probe.time) - Date.parse(moved.time)).toBeGreaterThanOrEqual(PROBE_S * 1000 - 500);
    expect(backAgain.reason).toMatch(/^the probe of claude-opus-standin met overload/);

    // opus answers again: the next probe brings it back for good
    overloadOpus = false;
    const recovered = await waitFor(async () => (await builder()).find((e) => e.event === 'fallback-recovered'), 60_000, 250);
    expect(Date.parse(recovered.time) - Date.parse(backAgain.time)).toBeGreaterThanOrEqual(PROBE_S * 1000 - 500);
    await waitFor(async () => modelCalls().filter((c) => c.model === OPUS && c.at > Date.parse(recovered.time)).length >= 2 || undefined, 30_000, 250);
    const after = modelCalls().filter((c) => c.at > Date.parse(recovered.time));
    expect(after.every((c) => c.model === OPUS)).toBe(true);
    const back = (await statusOf(ao)).agents.builder!;
    expect([back.model, back.fallback]).toEqual([OPUS, false]);
    expect((await builder()).some((e) => e.event === 'failed')).toBe(false);
  });
});
