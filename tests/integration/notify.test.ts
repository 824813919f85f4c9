/**
 * [notify] on real tmux: the watchdog posts to a loopback webhook (or pipes to
 * a command) when an agent goes failed; a webhook that fails, refuses or hangs
 * never holds the team; a flood of failures gives a bounded number of posts.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { eventsOf, onePhaseFiles, runAo, statusOf, team, waitFor, type EventLine, type Team } from '../helpers/ao.js';
import { closedPort, startWebhook, type Webhook } from '../helpers/webhook.js';

const CRASHER = '[agents.crasher]\nkind = "persistent"\ncommand = "sh"\nargs = ["-c", "exit 3"]\n';
const STEADY = '[agents.steady]\nkind = "persistent"\ncommand = "sleep"\nargs = ["100000"]\n';
const FAST_FAIL = 'crash_limit = 2\nbackoff_initial_s = 0.1\nbackoff_max_s = 0.2\nhealthy_after_s = 5\nstall_check_s = 1\n';

function project(agents: string, notify: string, watchdog = FAST_FAIL): Team {
  const t = team(
    'nt',
    onePhaseFiles(
      `[defaults]\nbackend = "shell"\nsession_prefix = "nt-"\n\n${agents}\n[[phases]]\nid = "one"\nplan = "one.md"\n\n[watchdog]\n${watchdog}\n[notify]\n${notify}\n`,
    ),
    { teardown: 'afterTest' },
  );
  return t;
}

async function hook(answer: number | 'hang' = 200): Promise<Webhook> {
  const h = await startWebhook(answer);
  onTestFinished(h.close);
  return h;
}

const notifyEvents = async (t: Team): Promise<EventLine[]> => (await eventsOf(t.ao)).filter((e) => e.event.startsWith('notify-'));

describe('notifications', () => {
  it('an agent that goes failed: one POST with the fields, and a notify-sent event', async () => {
    const web = await hook();
    const t = project(CRASHER, `webhook = "${web.url}"\ntimeout_s = 2\n`);
    await t.ao('up'); // exit 1: an agent died during it
    await waitFor(async () => web.posts.length > 0, 15_000);
    await new Promise((r) => setTimeout(r, 1500)); // a second post would have come by now
    expect(web.posts).toHaveLength(1);
    const post = web.posts[0]!;
    expect(post.path).toBe('/hook/secret-token');
    expect(post.headers['content-type']).toBe('application/json');
    const body = JSON.parse(post.body) as Record<string, unknown>;
    expect(body).toMatchObject({ project: basename(t.dir), event: 'failed', agent: 'crasher', phase: 'one', detail: null });
    expect(body.reason).toMatch(/2 failed starts/);
    expect(Date.parse(String(body.time))).toBeGreaterThan(Date.now() - 60_000);
    expect(Object.keys(body).sort()).toEqual(['agent', 'detail', 'event', 'ledger', 'phase', 'project', 'reason', 'text', 'time']);
    // the ledger's head when it was sent: the line at that seq, which is or follows the failed event, hashes to it
    const ledger = body.ledger as { seq: number; hash: string };
    const lines = readFileSync(join(t.dir, 'state', 'events.jsonl'), 'utf8').split('\n');
    expect(
      createHash('sha256')
        .update(lines[ledger.seq - 1]!)
        .digest('hex'),
    ).toBe(ledger.hash);
    expect(lines.slice(0, ledger.seq).some((l) => l.includes('"event":"failed"'))).toBe(true);
    const sent = await waitFor(async () => (await notifyEvents(t)).find((e) => e.event === 'notify-sent'));
    expect(sent).toMatchObject({ agent: 'notify', details: { target: 'webhook', event: 'failed' } });
    // the secret path of the address never reaches events.jsonl
    expect(readFileSync(join(t.dir, 'state', 'events.jsonl'), 'utf8')).not.toContain('secret-token');
  });

  it('a webhook that answers 500: the failure is an event and the team runs on', async () => {
    const web = await hook(500);
    const t = project(CRASHER + STEADY, `webhook = "${web.url}"\ntimeout_s = 2\n`);
    await t.ao('up');
    const failed = await waitFor(async () => (await notifyEvents(t)).find((e) => e.event === 'notify-failed'), 15_000);
    expect(failed.details).toMatchObject({ target: 'webhook', event: 'failed', error: 'HTTP 500' });
    expect(web.posts).toHaveLength(1);
    const { agents } = await statusOf(t.ao);
    expect(agents.crasher?.state).toBe('failed');
    expect(agents.steady).toMatchObject({ state: 'running', restarts: 0 });
  });

  it('a webhook that never answers: the attempt times out, and the watchdog heals meanwhile', async () => {
    const web = await hook('hang');
    const t = project(CRASHER + STEADY, `webhook = "${web.url}"\ntimeout_s = 6\n`);
    await t.ao('up');
    await waitFor(async () => web.posts.length > 0, 15_000);
    // while the post hangs, a death is healed as ever
    const before = (await statusOf(t.ao)).agents.steady!;
    process.kill(before.pid!, 'SIGKILL');
    const healed = await waitFor(async () => {
      const s = (await statusOf(t.ao)).agents.steady;
      // the new pid shows (tmux) a moment before the sweep's record of the restart (agents.json)
      return s?.state === 'running' && s.pid !== before.pid && s.restarts === 1 ? s : undefined;
    }, 2500);
    expect(healed.restarts).toBe(1);
    expect((await notifyEvents(t)).some((e) => e.event === 'notify-failed')).toBe(false); // still hanging when healed
    const failed = await waitFor(async () => (await notifyEvents(t)).find((e) => e.event === 'notify-failed'), 9000);
    expect(failed.reason).toMatch(/no answer within 6 s/);
  });

  it('the team’s own events: the watchdog restarted by its sh parent, agents.toml broken', async () => {
    const web = await hook();
    const t = project(STEADY, `webhook = "${web.url}"\n`);
    await t.ao('up');
    const pidFile = join(t.dir, 'state', 'watchdog.pid');
    const dog = await waitFor(async () => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : undefined));
    await statusOf(t.ao);
    process.kill(dog, 'SIGKILL');
    const bodies = () => web.posts.map((p) => JSON.parse(p.body) as { event: string; agent: string; phase: string | null; reason: string });
    const restarted = await waitFor(async () => bodies().find((b) => b.event === 'watchdog-restarted'), 10_000);
    expect(restarted).toMatchObject({ agent: 'watchdog', phase: 'one', reason: expect.stringMatching(/the last watchdog died \(exit 137/) });
    writeFileSync(join(t.dir, 'agents.toml'), readFileSync(join(t.dir, 'agents.toml'), 'utf8').replace('kind = "persistent"', 'kind = "persistant"'));
    const broken = await waitFor(async () => bodies().find((b) => b.event === 'config-error'), 10_000);
    expect(broken).toMatchObject({ agent: 'config', reason: expect.stringMatching(/kind: expected one of/) });
    expect(bodies().map((b) => b.event)).toEqual(['watchdog-restarted', 'config-error']);
  });

  it('events other processes record: ao restart and ao phase next by hand reach it once each', async () => {
    const web = await hook();
    const t = project(STEADY, `webhook = "${web.url}"\nevents = ["restart", "complete"]\n`, 'stall_check_s = 1\n');
    await t.ao('up');
    // the watchdog's first look at events.jsonl marks where the history ends: a sweep (1 s) after its start
    await waitFor(async () => ((await statusOf(t.ao)).agents.steady?.state === 'running' ? true : undefined));
    await new Promise((r) => setTimeout(r, 2000));
    expect((await t.ao('restart', 'steady')).code).toBe(0);
    expect((await t.ao('phase', 'next')).code).toBe(0);
    const bodies = () => web.posts.map((p) => JSON.parse(p.body) as { event: string; agent: string; reason: string });
    await waitFor(async () => (bodies().length >= 2 ? true : undefined), 10_000);
    await new Promise((r) => setTimeout(r, 1500)); // a second post of either would have come by now
    expect(bodies().map((b) => [b.event, b.agent])).toEqual([
      ['restart', 'steady'],
      ['complete', 'phase'],
    ]);
    expect(bodies()[0]!.reason).toMatch(/^ao restart by /);
  });

  it('command: the JSON object on its stdin', async () => {
    const t = project(CRASHER, 'command = ["sh", "-c", "cat >> notes.jsonl; echo >> notes.jsonl"]\n');
    await t.ao('up');
    const notes = join(t.dir, 'notes.jsonl');
    // the shell opens the file before cat writes into it: wait for the whole line, not the file
    const lines = await waitFor(
      async () => (existsSync(notes) && readFileSync(notes, 'utf8').endsWith('\n') ? readFileSync(notes, 'utf8').split('\n').filter(Boolean) : undefined),
      15_000,
    );
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ project: basename(t.dir), event: 'failed', agent: 'crasher', phase: 'one' });
    await waitFor(async () => (await notifyEvents(t)).find((e) => e.event === 'notify-sent' && e.details?.target === 'command'));
  });

  it('100 agents that fail within a minute: a bounded number of POSTs, and a summary of the rest', { timeout: 120_000 }, async () => {
    const web = await hook();
    const agents = Array.from({ length: 100 }, (_, i) => `[agents.c${i}]\nkind = "persistent"\ncommand = "sh"\nargs = ["-c", "exit 3"]\n`).join('\n');
    const t = project(agents, `webhook = "${web.url}"\n`, FAST_FAIL.replace('crash_limit = 2', 'crash_limit = 1'));
    await t.ao('up'); // exit 1: an agent died during it
    const failedAll = await waitFor(
      async () => {
        const e = (await eventsOf(t.ao)).filter((x) => x.event === 'failed');
        return e.length === 100 ? e : undefined;
      },
      45_000, // a loaded machine takes longer to see 100 deaths; the limits' minute still holds all of them
      250,
    );
    expect(failedAll).toHaveLength(100);
    const summary = await waitFor(
      async () =>
        web.posts.map((p) => JSON.parse(p.body) as { event: string; time: string; detail: { dropped: number } }).find((b) => b.event === 'notify-dropped'),
      15_000,
    );
    await new Promise((r) => setTimeout(r, 1000)); // nothing more comes within the minute
    // all within the limits' minute (counted from the first failure: a loaded machine starts 100 panes slowly)
    const times = failedAll.map((e) => Date.parse(e.time));
    expect(Date.now() - Math.min(...times)).toBeLessThan(60_000);
    const failedPosts = web.posts.filter((p) => (JSON.parse(p.body) as { event: string }).event === 'failed');
    expect(failedPosts.length).toBeGreaterThan(0);
    expect(failedPosts.length).toBeLessThanOrEqual(10);
    expect(web.posts.length).toBe(failedPosts.length + 1);
    // the summary counts what was held back until it was made: every other failure, unless some came later still
    const lastFailure = Math.max(...times);
    if (lastFailure < Date.parse(summary.time)) expect(summary.detail.dropped).toBe(100 - failedPosts.length);
    else expect(summary.detail.dropped).toBeLessThan(100 - failedPosts.length);
    expect(summary.detail.dropped).toBeGreaterThan(0);
    expect((await notifyEvents(t)).filter((e) => e.event === 'notify-dropped')).toHaveLength(1);
  });
});

describe('ao notify test', () => {
  const files = (notify: string): Record<string, string> => onePhaseFiles(`[agents.a]\nkind = "loop"\n\n[[phases]]\nid = "one"\nplan = "one.md"\n${notify}`);

  it('sends one and says so; exit 1 when the webhook is down; exit 2 without [notify]', async () => {
    const web = await hook();
    const up = team('nt-test', files(`\n[notify]\nwebhook = "${web.url}"\ncommand = ["sh", "-c", "cat > got.json"]\n`), { teardown: 'afterTest' });
    // ao check says what is configured, the webhook by its host only
    const check = await up.ao('check');
    expect(check.stdout).toMatch(
      /^notify \(`ao notify test` sends one\):\n {2}webhook http:\/\/127\.0\.0\.1:\d+\/… \(POST, JSON\)\n {2}command sh \(JSON on stdin\)\n {2}events: failed, paused, nudge,/m,
    );
    expect(check.stdout).not.toContain('secret-token');
    expect(JSON.parse((await up.ao('check', '--json')).stdout)).toMatchObject({
      notify: { command: 'sh', events: expect.arrayContaining(['failed', 'complete']), timeout_s: 10 },
    });
    const ok = await up.ao('notify', 'test');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^webhook http:\/\/127\.0\.0\.1:\d+\/…: sent \(HTTP 200, \d+ ms\)$/m);
    expect(ok.stdout).toMatch(/^command sh: sent \(exit 0, \d+ ms\)$/m);
    expect(web.posts).toHaveLength(1);
    expect(JSON.parse(web.posts[0]!.body)).toMatchObject({ event: 'notify-test', agent: 'notify', phase: 'one' });
    expect(JSON.parse(readFileSync(join(up.dir, 'got.json'), 'utf8'))).toMatchObject({ event: 'notify-test' });
    expect((await notifyEvents(up)).map((e) => e.event)).toEqual(['notify-test', 'notify-sent', 'notify-sent']);

    const down = team('nt-test', files(`\n[notify]\nwebhook = "${await closedPort()}"\n`), { teardown: 'afterTest' });
    const refused = await down.ao('notify', 'test');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/webhook http:\/\/127\.0\.0\.1:\d+\/…: failed \(ECONNREFUSED/);
    expect((await notifyEvents(down)).map((e) => e.event)).toEqual(['notify-test', 'notify-failed']);

    const json = JSON.parse((await down.ao('notify', 'test', '--json')).stdout) as { ok: boolean; attempts: Array<{ target: string; ok: boolean }> };
    expect(json).toMatchObject({ ok: false, attempts: [{ target: 'webhook', ok: false }] });
    expect((await down.ao('notify', 'send')).code).toBe(2);

    const none = team('nt-test', files(''), { teardown: 'afterTest' });
    const off = await runAo(['notify', 'test'], { cwd: none.dir, socket: none.socket });
    expect(off.code).toBe(2);
    expect(off.stderr).toMatch(/no \[notify\] table in .*agents\.toml/);
    expect((await none.ao('check')).stdout).toMatch(/\nnotify: off \(no \[notify\] table\)$/);
  });
});
