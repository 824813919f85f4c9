import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { capBody } from '../../../src/web/app.js';
import { REMOTE_MESSAGE_CAP, remoteOutcome, remoteRequest } from '../../../src/web/remote-actions.js';

const agents = ['worker', 'checker'];

describe("a remote project's actions", () => {
  it("are the CLI's commands on its host, with the longer deadline for a start or a stop", () => {
    expect(remoteRequest('/api/agents/worker/messages', { text: 'hello --there' }, agents)).toEqual({
      args: ['send', 'worker', '--', 'hello --there'],
      work: false,
    });
    expect(remoteRequest('/api/agents/worker/restart', {}, agents)).toEqual({ args: ['restart', 'worker'], work: true });
    expect(remoteRequest('/api/agents/checker/stop', null, agents)).toEqual({ args: ['down', 'checker'], work: true });
    expect(remoteRequest('/api/phase/next', null, agents)).toEqual({ args: ['phase', 'next'], work: true });
    expect(remoteRequest('/api/phase/set', { id: 'two' }, agents)).toEqual({ args: ['phase', 'set', 'two'], work: true });
    // the team not read yet: its host's ao says whether the agent is there
    expect(remoteRequest('/api/agents/other/restart', {}, null)).toEqual({ args: ['restart', 'other'], work: true });
  });

  it('are refused here when they could not be right there', () => {
    expect(remoteRequest('/api/agents/nobody/restart', {}, agents)).toMatchObject({ status: 404 });
    expect(remoteRequest('/api/agents/worker/attach', {}, agents)).toMatchObject({ status: 404 });
    expect(remoteRequest('/api/keys', { keys: 'y' }, agents)).toMatchObject({ status: 404 });
    expect(remoteRequest('/api/agents/%E0%A4%A/stop', {}, agents)).toMatchObject({ status: 404 });
    expect(remoteRequest('/api/phase/set', {}, agents)).toMatchObject({ status: 400 });
    expect(remoteRequest('/api/agents/worker/messages', { text: 3 }, agents)).toMatchObject({ status: 400 });
    expect(remoteRequest('/api/agents/worker/messages', { text: '\x1b[2J' }, agents)).toMatchObject({ status: 400 });
    expect(remoteRequest('/api/agents/worker/messages', { text: 'x'.repeat(REMOTE_MESSAGE_CAP + 1) }, agents)).toMatchObject({ status: 400 });
    expect(remoteRequest('/api/agents/worker/messages', { text: 'x'.repeat(REMOTE_MESSAGE_CAP) }, agents)).toMatchObject({ work: false });
  });

  it('answer as the local actions do, and 502 for a host not reached', () => {
    expect(remoteOutcome({ kind: 'answer', stdout: 'sent m-1 to worker\n', stderr: '', exitCode: 0 })).toEqual({ status: 200, output: 'sent m-1 to worker' });
    expect(remoteOutcome({ kind: 'answer', stdout: '', stderr: 'ao: unknown phase "nine"\n', exitCode: 2 })).toMatchObject({
      status: 400,
      error: 'ao: unknown phase "nine"',
    });
    expect(remoteOutcome({ kind: 'answer', stdout: '', stderr: '', exitCode: 1 })).toMatchObject({ status: 500, error: 'exit 1' });
    expect(remoteOutcome({ kind: 'unreachable', reason: 'host "h1" (me@h1): Connection refused' })).toMatchObject({
      status: 502,
      error: 'host "h1" (me@h1): Connection refused',
    });
    expect(remoteOutcome({ kind: 'answer', stdout: '\x1b]52;c;eA==\x07ok', stderr: '', exitCode: 0 }).output).toBe('ok');
  });

  it('read a body up to a cap (with room for its JSON), and not past it', async () => {
    const app = new Hono();
    app.post('/', capBody(100, 'a request body to another host'), async (c) => c.text(`read: ${await c.req.text()}`));
    const post = (body?: string) => app.request('http://127.0.0.1/', { method: 'POST', ...(body === undefined ? {} : { body }) });
    expect(await (await post('{"text":"hi"}')).text()).toBe('read: {"text":"hi"}');
    const over = await post('x'.repeat(100 + 64 * 1024 + 1));
    expect(over.status).toBe(413);
    expect(over.headers.get('connection')).toBe('close');
    expect(await over.text()).toContain('a request body to another host may be at most 100 bytes of message');
    expect(await (await post()).text()).toBe('read: ');
  });
});
