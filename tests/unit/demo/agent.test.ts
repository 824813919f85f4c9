import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lastSection, resolvePace, runDemoAgent } from '../../../src/demo/agent.js';
import { getBackend } from '../../../src/backends/index.js';
import { layout } from '../../../src/state/layout.js';

const KICKOFF = '# Builder kickoff — phase poe2e\n\nRead the plan and write your journal.\n';

let dir: string;
let kickoffFile: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ao-demo-agent-'));
  kickoffFile = join(dir, 'kickoff.md');
  writeFileSync(kickoffFile, KICKOFF);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function harness() {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  /** resolves once the output contains `needle`, so the test waits on what the agent says */
  const until = (needle: string, timeoutMs = 2000): Promise<void> =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      const poll = (): void => {
        if (text.includes(needle)) resolve();
        else if (Date.now() - started > timeoutMs) reject(new Error(`no ${JSON.stringify(needle)} in ${JSON.stringify(text)}`));
        else setTimeout(poll, 5);
      };
      poll();
    });
  return { stdin, stdout, until, output: () => text };
}

describe('runDemoAgent', () => {
  it('prints its header, the kickoff summary and the prompt, echoes input and exits 0 on end of stdin', async () => {
    const h = harness();
    const run = runDemoAgent({
      name: 'orchestrator',
      kind: 'persistent',
      kickoffFile,
      model: 'claude-opus-4-8',
      paceS: 60,
      stdin: h.stdin,
      stdout: h.stdout,
      env: {},
    });
    await h.until('demo> ');
    expect(h.output()).toBe(
      '[demo orchestrator] kind=persistent model=claude-opus-4-8\n' +
        '# Builder kickoff — phase poe2e\n' +
        `kickoff: ${Buffer.byteLength(KICKOFF)} bytes\n` +
        'demo> ',
    );
    h.stdin.write('hello there\n');
    await h.until('received: hello there');
    h.stdin.write('second\n');
    await h.until('received: second');
    expect(h.output().endsWith('[demo orchestrator] received: hello there\ndemo> [demo orchestrator] received: second\ndemo> ')).toBe(true);
    h.stdin.end();
    await expect(run).resolves.toBe(0);
    expect(getBackend('demo').detect(h.output())).toBe('ready');
  });

  it('counts the kickoff in bytes, not characters', async () => {
    const h = harness();
    const run = runDemoAgent({ name: 'a', kind: 'task', kickoffFile, stdin: h.stdin, stdout: h.stdout, env: {} });
    await h.until('bytes');
    expect(Buffer.byteLength(KICKOFF)).toBeGreaterThan(KICKOFF.length); // the em dash is 3 bytes
    expect(h.output()).toContain(`kickoff: ${Buffer.byteLength(KICKOFF)} bytes\n`);
    expect(h.output()).toContain('model=-');
    h.stdin.end();
    await run;
  });

  it('prints a heartbeat every paceS seconds and re-prints the prompt', async () => {
    const h = harness();
    const run = runDemoAgent({ name: 'watcher', kind: 'persistent', kickoffFile, paceS: 0.02, stdin: h.stdin, stdout: h.stdout, env: {} });
    await h.until('step 2');
    expect(h.output()).toContain('demo> \n[demo watcher] working… step 1\ndemo> \n[demo watcher] working… step 2\ndemo> ');
    h.stdin.end();
    await expect(run).resolves.toBe(0);
  });

  it('lets AO_DEMO_PACE_S override paceS', async () => {
    const h = harness();
    const run = runDemoAgent({ name: 'b', kind: 'loop', kickoffFile, paceS: 3600, stdin: h.stdin, stdout: h.stdout, env: { AO_DEMO_PACE_S: '0.02' } });
    await h.until('working… step 1');
    h.stdin.end();
    await expect(run).resolves.toBe(0);
  });

  it('stops with 0 when aborted (the SIGTERM path), with stdin still open', async () => {
    const h = harness();
    const stop = new AbortController();
    const run = runDemoAgent({ name: 'b', kind: 'persistent', kickoffFile, stdin: h.stdin, stdout: h.stdout, env: {}, signal: stop.signal });
    await h.until('demo> ');
    stop.abort();
    await expect(run).resolves.toBe(0);
  });

  it('stops with 0 on SIGTERM when no signal is given, and drops its listener', async () => {
    const h = harness();
    const before = process.listenerCount('SIGTERM');
    const run = runDemoAgent({ name: 'b', kind: 'persistent', kickoffFile, stdin: h.stdin, stdout: h.stdout, env: {} });
    await h.until('demo> ');
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    // emit rather than kill: the test must not depend on how vitest runs its workers
    process.emit('SIGTERM', 'SIGTERM');
    await expect(run).resolves.toBe(0);
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });

  it('keeps running and says why when the kickoff file is missing', async () => {
    const h = harness();
    const run = runDemoAgent({ name: 'b', kind: 'loop', kickoffFile: join(dir, 'nope.md'), stdin: h.stdin, stdout: h.stdout, env: {} });
    await h.until('demo> ');
    expect(h.output()).toMatch(/kickoff: cannot read .*nope\.md: ENOENT/);
    h.stdin.end();
    await expect(run).resolves.toBe(0);
  });
});

describe('runDemoAgent: mail', () => {
  it('shows the newest message of its inbox when a line arrives (ao types only a notice)', async () => {
    const inbox = join(dir, 'inbox', 'orchestrator.md');
    mkdirSync(layout.inboxes(dir));
    // records as src/coord/inbox.ts writes them
    writeFileSync(
      inbox,
      '## m1 · 2030-01-01T10:00:00.000Z · from maintainer\n> old news\n\n## m2 · 2030-01-01T10:05:00.000Z · from ao\n> phase feature failed once\n>\n> second line\n\n',
    );
    const h = harness();
    const run = runDemoAgent({ name: 'orchestrator', kind: 'persistent', kickoffFile, paceS: 60, stdin: h.stdin, stdout: h.stdout, env: { AO_INBOX: inbox } });
    await h.until('demo> ');
    h.stdin.write('you have mail: read your inbox\n');
    await h.until('second line');
    expect(h.output()).toContain(
      '[demo orchestrator] received: you have mail: read your inbox\n' +
        `[demo orchestrator] newest message in ${inbox}:\n` +
        '  ## m2 · 2030-01-01T10:05:00.000Z · from ao\n  > phase feature failed once\n  >\n  > second line\ndemo> ',
    );
    expect(h.output()).not.toContain('old news');
    h.stdin.end();
    await expect(run).resolves.toBe(0);
    expect(getBackend('demo').detect(h.output())).toBe('ready');
  });

  it('only echoes when the inbox does not exist yet', async () => {
    const h = harness();
    const run = runDemoAgent({
      name: 'orchestrator',
      kind: 'persistent',
      kickoffFile,
      paceS: 60,
      stdin: h.stdin,
      stdout: h.stdout,
      env: { AO_INBOX: join(dir, 'nope.md') },
    });
    await h.until('demo> ');
    h.stdin.write('ping\n');
    await h.until('received: ping\ndemo> ');
    expect(h.output()).not.toContain('newest message');
    h.stdin.end();
    await expect(run).resolves.toBe(0);
  });
});

describe('lastSection', () => {
  it.each([
    ['', null],
    ['\n\n', null],
    ['no headings here\n', 'no headings here'],
    ['## a\none\n## b\ntwo\n', '## b\ntwo'],
    ['## a\n### sub\ntext\n', '## a\n### sub\ntext'],
  ] as const)('%j -> %j', (text, want) => {
    expect(lastSection(text)).toBe(want);
  });
});

describe('resolvePace', () => {
  it.each([
    [undefined, {}, 5],
    [2, {}, 2],
    [2, { AO_DEMO_PACE_S: '0.5' }, 0.5],
    [2, { AO_DEMO_PACE_S: 'fast' }, 2],
    [2, { AO_DEMO_PACE_S: '0' }, 2],
    [undefined, { AO_DEMO_PACE_S: '' }, 5],
    [-1, {}, 5],
  ] as const)('paceS %s with env %j -> %s', (paceS, env, want) => {
    expect(resolvePace(paceS, env)).toBe(want);
  });
});
