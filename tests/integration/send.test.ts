/**
 * `ao send` and `ao inbox`, driven through the built CLI as a user would run them.
 *
 * DESIGN §4.5: appends to shared files are locked, so concurrent senders never
 * tear or lose a message. DESIGN §4.6: control sequences are stripped. Sending
 * needs no tmux server and starts none; reading an inbox creates nothing.
 */
import { build } from 'esbuild';
import { execa } from 'execa';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Tmux } from '../../src/tmux/client.js';
import type { Message } from '../../src/coord/inbox.js';
import { demoProject, REPO, runAo, serverRunning, teamIn, type Ao } from '../helpers/ao.js';

// an agent running this suite must not lend its name to the messages sent here
const asMaintainer = { AO_AGENT: '' };
let ao: Ao;
let dir: string;
let socket: string;

// each test on a demo project and a socket of its own, torn down when it ends
beforeEach(() => {
  ({ ao, dir, socket } = teamIn('send', demoProject(), { teardown: 'afterTest' }));
});

async function inbox(agent = 'builder'): Promise<Message[]> {
  const result = await ao('inbox', agent, '--json');
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Message[];
}

/** The text sender `s` sends as its `n`th message: awkward on purpose. */
const awkward = (s: number, n: number): string =>
  [
    `sender ${s} message ${n}`,
    '## a line like a header · 2025-01-01T00:00:00.000Z · from nobody',
    '> "double" \'single\' `tick` $(echo hi) ${HOME} ---',
    '',
    '\ttab, ünïcødé 🚀',
  ].join('\n');

describe('ten processes sending at once', () => {
  // Ten OS processes, each running the send command 100 times in a tight loop.
  // 1000 `bin/ao` starts would take well over a minute on two cores, so each
  // process runs the same command module, bundled from src as the build does.
  const work = mkdtempSync(join(tmpdir(), 'ao-send-workers-'));
  const bundle = join(work, 'send.mjs');
  const worker = join(work, 'worker.mjs');
  const texts = join(work, 'texts.json');

  beforeAll(async () => {
    await build({
      entryPoints: [join(REPO, 'src/cli/commands/send.ts')],
      outfile: bundle,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
      logLevel: 'warning',
    });
    // each worker sends its own list of texts, in order, as fast as it can
    writeFileSync(texts, JSON.stringify(Array.from({ length: 10 }, (_, s) => Array.from({ length: 100 }, (_, n) => awkward(s, n)))));
    writeFileSync(
      worker,
      `import { readFileSync } from 'node:fs';
const [bundle, cwd, s, startAt] = process.argv.slice(2);
const { send } = await import(bundle);
const mine = JSON.parse(readFileSync(${JSON.stringify(texts)}, 'utf8'))[Number(s)];
const io = { out: () => {}, err: (t) => process.stderr.write(t), env: { ...process.env, AO_AGENT: 'sender-' + s }, cwd, isTTY: false };
while (Date.now() < Number(startAt)) await new Promise((r) => setTimeout(r, 5));
for (const text of mine) {
  const code = await send({ agent: 'builder', message: [text] }, io);
  if (code !== 0) process.exit(code);
}
`,
    );
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('Ten processes sending 100 messages each at the same time: exactly 1000 messages, intact, with unique ids', async () => {
    const started = Date.now();
    const startAt = String(started + 1500);
    const runs = await Promise.all(
      Array.from({ length: 10 }, (_, s) =>
        execa(process.execPath, [worker, bundle, dir, String(s), startAt], { reject: false, env: { AO_TMUX_SOCKET: socket, AO_CONFIG: '' } }),
      ),
    );
    for (const run of runs) expect(run.exitCode, String(run.stderr)).toBe(0);
    const sendMs = Date.now() - started - 1500;

    const messages = await inbox();
    expect(messages).toHaveLength(1000);
    expect(new Set(messages.map((m) => m.id)).size).toBe(1000);
    const expected = Array.from({ length: 10 }, (_, s) => Array.from({ length: 100 }, (_, n) => awkward(s, n))).flat();
    expect(messages.map((m) => m.text).sort()).toEqual(expected.sort());
    for (const m of messages) expect(m.text.startsWith(`sender ${m.from.replace('sender-', '')} `)).toBe(true);
    // each process sent in order, so its messages are in the file in order
    for (let s = 0; s < 10; s++) {
      const mine = messages.filter((m) => m.from === `sender-${s}`).map((m) => m.text);
      expect(mine).toEqual(Array.from({ length: 100 }, (_, n) => awkward(s, n)));
    }
    console.log(`1000 messages from 10 processes: ${sendMs} ms of sending`);
  }, 90_000);

  it('twenty `ao send` processes at once each deliver their message', async () => {
    const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => runAo(['send', 'builder', awkward(i, 0)], { cwd: dir, socket, env: asMaintainer })));
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const messages = await inbox();
    expect(messages.map((m) => m.text).sort()).toEqual(Array.from({ length: 20 }, (_, i) => awkward(i, 0)).sort());
    expect(new Set(runs.map((r) => r.stdout.trim()))).toEqual(new Set(messages.map((m) => `sent ${m.id} to builder`)));
  });
});

describe('ao send', () => {
  it('joins its arguments, strips control sequences, prints the id, and starts no tmux server', async () => {
    const result = await runAo(['send', 'builder', 'please', '\x1b[31mlook\x1b[0m at', 'the\x1b[201~ tests\r'], { cwd: dir, socket, env: asMaintainer });
    expect(result.code, result.stderr).toBe(0);
    const [message] = await inbox();
    expect(message).toMatchObject({ from: 'maintainer', text: 'please look at the tests' });
    // (runAo, like execa, drops the final newline)
    expect(result.stdout).toBe(`sent ${message?.id} to builder`);
    expect(await serverRunning(socket)).toBe(false);
    expect(existsSync(new Tmux(socket).socketPath)).toBe(false);
  });

  it('reads the message from stdin when none is given, or when it is -', async () => {
    const piped = await runAo(['send', 'builder'], { cwd: dir, socket, env: asMaintainer, input: 'line one\n\n## line three\n' });
    expect(piped.code, piped.stderr).toBe(0);
    const dashed = await runAo(['send', 'builder', '-', '--json'], { cwd: dir, socket, env: asMaintainer, input: 'dash' });
    expect(dashed.code, dashed.stderr).toBe(0);
    const sent = JSON.parse(dashed.stdout) as Message;
    expect(sent).toMatchObject({ from: 'maintainer', text: 'dash' });
    expect(await inbox()).toEqual([expect.objectContaining({ text: 'line one\n\n## line three' }), sent]);
  });

  it('signs the message with AO_AGENT when an agent sends it', async () => {
    const result = await runAo(['send', 'builder', 'gate', 'failed'], { cwd: dir, socket, env: { AO_AGENT: 'adversary' } });
    expect(result.code, result.stderr).toBe(0);
    expect(await inbox()).toEqual([expect.objectContaining({ from: 'adversary', text: 'gate failed' })]);
  });

  it('refuses an unknown agent (exit 2, listing the team) and an empty message, writing nothing', async () => {
    const unknown = await ao('send', 'nobody', 'hi');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown agent "nobody".*orchestrator, builder, adversary/);
    const empty = await runAo(['send', 'builder'], { cwd: dir, socket, input: ' \n\x1b[0m\x07' });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/no message/);
    const none = await ao('send', 'builder');
    expect(none.code).toBe(2);
    expect(existsSync(join(dir, 'state'))).toBe(false);
  });
});

describe('ao inbox', () => {
  it('on a project that never ran: prints nothing, exits 0 and creates nothing', async () => {
    const plain = await ao('inbox', 'builder');
    expect(plain).toMatchObject({ code: 0, stdout: '' });
    expect(plain.stderr).toMatch(/builder has no messages/);
    const json = await ao('inbox', 'builder', '--json');
    expect(json).toMatchObject({ code: 0, stdout: '[]' });
    expect(existsSync(join(dir, 'state'))).toBe(false);
    expect(await serverRunning(socket)).toBe(false);
  });

  it('prints the messages readably, the last n with -n', async () => {
    for (const text of ['first', 'second\n\nwith a blank line', 'third']) {
      expect((await runAo(['send', 'builder', text], { cwd: dir, socket, env: asMaintainer })).code).toBe(0);
    }
    const [, second, third] = await inbox();
    const shown = await ao('inbox', 'builder', '-n', '2');
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toBe(
      `${second?.time}  from maintainer  ${second?.id}\n  second\n\n  with a blank line\n\n` + `${third?.time}  from maintainer  ${third?.id}\n  third`,
    );
    expect((await ao('inbox', 'builder', '-n', '0')).stdout).toBe('');
    expect((await ao('inbox', 'nobody')).code).toBe(2);
  });
});
