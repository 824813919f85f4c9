import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NotifySpec } from '../../../src/config/types.js';
import type { AoEvent } from '../../../src/state/event-catalogue.js';
import type { EventRecord } from '../../../src/state/events.js';
import { PER_MINUTE, QUEUE_MAX, SUMMARY_DELAY_MS } from '../../../src/supervisor/notify-limit.js';
import { deliver, notification, Notifier, type Attempt, type Notification } from '../../../src/supervisor/notify.js';
import { removeProject } from '../../helpers/ao.js';
import { closedPort, startWebhook, type Webhook } from '../../helpers/webhook.js';

const hooks: Webhook[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const h of hooks) await h.close();
  for (const d of dirs) removeProject(d);
});

async function hook(answer: number | 'hang' = 200): Promise<Webhook> {
  const h = await startWebhook(answer);
  hooks.push(h);
  return h;
}

const spec = (over: Partial<NotifySpec> = {}): NotifySpec => ({ webhook: null, command: null, events: ['failed', 'paused'], timeoutS: 2, ...over });
const note = notification('proj', 'one', { time: '2026-01-01T00:00:00.000Z', agent: 'builder', event: 'failed', reason: '5 failed starts', details: { n: 1 } });
const record = (agent: string, event: EventRecord['event'] = 'failed'): EventRecord =>
  ({ time: new Date().toISOString(), agent, event, reason: 'r' }) as EventRecord;

describe('deliver', () => {
  it('POSTs the object as JSON to the webhook', async () => {
    const web = await hook();
    const [attempt] = await deliver(spec({ webhook: web.url }), note);
    expect(attempt).toMatchObject({ target: 'webhook', ok: true, outcome: 'HTTP 200' });
    expect(JSON.parse(web.posts[0]!.body)).toEqual(note);
    expect(note).toMatchObject({ project: 'proj', event: 'failed', agent: 'builder', reason: '5 failed starts', detail: { n: 1 }, phase: 'one' });
    expect(note.text).toBe('ao proj (one): builder failed: 5 failed starts');
  });

  it('makes the text one safe line and keeps the body valid JSON of the raw fields, with no control in it', async () => {
    const reason = 'FAIL \x1b]52;c;aGk=\x07\x1b]0;pwned\x07\x1b[2J\x9b2J\x9d0;t\x9c\u202eok\nnext';
    const dirty = notification('proj', 'one\x1b[2J', { time: 't', agent: `b${'x'.repeat(100)}`, event: 'failed', reason });
    expect(dirty.text).toBe(`ao proj (one): b${'x'.repeat(62)}… failed: FAIL ok next`);
    const web = await hook();
    await deliver(spec({ webhook: web.url }), dirty);
    const body = web.posts[0]!.body;
    // eslint-disable-next-line no-control-regex
    expect(body).not.toMatch(/[\x00-\x1f\x7f-\x9f\u202a-\u202e]/);
    expect(JSON.parse(body)).toEqual(dirty);
  });

  it('says why a webhook failed: an error status, nothing listening, no answer in time', async () => {
    const five = await hook(500);
    expect((await deliver(spec({ webhook: five.url }), note))[0]).toMatchObject({ ok: false, outcome: 'HTTP 500' });
    expect((await deliver(spec({ webhook: await closedPort() }), note))[0]).toMatchObject({ ok: false, outcome: expect.stringMatching(/^ECONNREFUSED/) });
    const hang = await hook('hang');
    const started = Date.now();
    const [late] = await deliver(spec({ webhook: hang.url, timeoutS: 0.3 }), note);
    expect(late).toMatchObject({ ok: false, outcome: 'no answer within 0.3 s' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('gives a command the object on stdin; its failure, absence or hang is an outcome', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ao-notify-'));
    dirs.push(dir);
    const file = join(dir, 'got.json');
    expect((await deliver(spec({ command: ['sh', '-c', 'cat > "$0"', file] }), note))[0]).toMatchObject({
      target: 'command',
      label: 'sh',
      ok: true,
      outcome: 'exit 0',
    });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(note);
    expect((await deliver(spec({ command: ['sh', '-c', 'echo no route >&2; exit 3'] }), note))[0]).toMatchObject({ ok: false, outcome: 'exit 3: no route' });
    expect((await deliver(spec({ command: ['/nonexistent/notifier'] }), note))[0]).toMatchObject({ ok: false, outcome: expect.stringMatching(/^exit 127/) });
    // a command that never reads its stdin, with more than a pipe holds: no EPIPE escapes
    const big = { ...note, reason: 'x'.repeat(200_000) };
    expect((await deliver(spec({ command: ['true'] }), big))[0]).toMatchObject({ ok: true });
    const [slow] = await deliver(spec({ command: ['sleep', '10'], timeoutS: 0.3 }), note);
    expect(slow).toMatchObject({ ok: false, outcome: 'no exit within 0.3 s (stopped)' });
    expect(slow!.ms).toBeLessThan(2000);
  });

  it('sends to both targets when both are given', async () => {
    const web = await hook();
    const attempts = await deliver(spec({ webhook: web.url, command: ['true'] }), note);
    expect(attempts.map((a) => [a.target, a.ok])).toEqual([
      ['webhook', true],
      ['command', true],
    ]);
  });
});

/** A Notifier whose sends wait until released, on a clock the test moves. */
function harness(events = ['failed', 'paused']) {
  let now = 1_000_000;
  const sent: Notification[] = [];
  const recorded: AoEvent[] = [];
  const waiting: Array<() => void> = [];
  let hold = false;
  const notifier = new Notifier({
    spec: () => spec({ webhook: 'http://127.0.0.1:9/x', events }),
    project: () => 'proj',
    phase: () => 'one',
    record: (e) => recorded.push(e),
    now: () => now,
    send: async (_spec, n): Promise<Attempt[]> => {
      sent.push(n);
      if (hold) await new Promise<void>((r) => waiting.push(r));
      return [{ target: 'webhook', label: 'http://127.0.0.1:9/…', ok: n.agent !== 'bad', ms: 1, outcome: n.agent === 'bad' ? 'HTTP 500' : 'HTTP 200' }];
    },
  });
  return {
    notifier,
    sent,
    recorded,
    hold: (on: boolean) => (hold = on),
    release: () => waiting.splice(0).forEach((r) => r()),
    tick: (ms: number) => (now += ms),
  };
}

const settle = () => new Promise((r) => setTimeout(r, 10));

describe('Notifier', () => {
  it('sends only the events asked for, and records each attempt', async () => {
    const h = harness();
    h.notifier.offer(record('builder', 'started'));
    h.notifier.offer(record('builder', 'failed'));
    h.notifier.offer(record('bad', 'paused'));
    await h.notifier.flush(1000);
    expect(h.sent.map((n) => `${n.agent} ${n.event}`)).toEqual(['builder failed', 'bad paused']);
    expect(h.recorded.map((e) => [e.event, e.reason])).toEqual([
      ['notify-sent', 'failed of builder to http://127.0.0.1:9/…: HTTP 200 in 1 ms'],
      ['notify-failed', 'paused of bad to http://127.0.0.1:9/…: HTTP 500'],
    ]);
  });

  it('offer returns at once while a send hangs; one send at a time, the queue bounded', async () => {
    const h = harness();
    h.hold(true);
    for (let i = 0; i < 5; i++) h.notifier.offer(record(`a${i}`));
    await settle();
    expect(h.sent).toHaveLength(1); // the rest wait their turn
    h.hold(false);
    h.release();
    await h.notifier.flush(1000);
    expect(h.sent).toHaveLength(5);
    expect(QUEUE_MAX).toBeGreaterThanOrEqual(PER_MINUTE); // the minute's allowance always fits in the queue
  });

  it('a flood: PER_MINUTE sent, then one summary of the rest', async () => {
    const h = harness();
    for (let i = 0; i < 100; i++) h.notifier.offer(record(`c${i}`));
    await h.notifier.flush(1000);
    expect(h.sent).toHaveLength(PER_MINUTE);
    h.tick(SUMMARY_DELAY_MS);
    await new Promise((r) => setTimeout(r, SUMMARY_DELAY_MS + 200));
    await h.notifier.flush(1000);
    expect(h.sent).toHaveLength(PER_MINUTE + 1);
    expect(h.sent.at(-1)).toMatchObject({
      event: 'notify-dropped',
      agent: 'notify',
      detail: { dropped: 100 - PER_MINUTE, by_event: { failed: 100 - PER_MINUTE } },
    });
    expect(h.recorded.filter((e) => e.event === 'notify-dropped')).toHaveLength(1);
    h.notifier.stop();
  }, 15_000);
});
