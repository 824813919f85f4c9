/**
 * The stream formatters fed the real streams of Claude Code 2.1.332, codex
 * exec --json 0.171.0 and Gemini CLI 0.61.0 (tests/fixtures/output), the raw
 * file's cap and rotation, and the formatter as the agent's parent.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { claudeUsage } from '../../../src/backends/claude-stream.js';
import { openRaw } from '../../../src/stream/raw.js';
import { formatStream, formatterFor, lineFeeder, type StreamBackend } from '../../../src/stream/run.js';
import type { LifeSign } from '../../../src/stream/lines.js';
import { hookView, readSignals } from '../../../src/state/signals.js';
import { streamBackendOf, withFormatter } from '../../../src/stream/launch.js';
import type { AgentSpec } from '../../../src/config/types.js';
import type { Captured } from '../../helpers/capture-output.js';
import { agentSpec } from '../../helpers/builders.js';

const load = (cli: string, name: string): Captured =>
  JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'output', cli, `${name}.json`), 'utf8')) as Captured;

function format(backend: StreamBackend, stream: string, chunk = 7): string {
  let out = '';
  const feed = lineFeeder(formatterFor(backend), null, (t) => (out += t));
  // in small chunks: lines (and UTF-8 characters) split across reads
  const bytes = Buffer.from(stream);
  for (let i = 0; i < bytes.length; i += chunk) feed.chunk(bytes.subarray(i, i + chunk));
  feed.end();
  return out;
}

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'ao-stream-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('Claude stream-json', () => {
  it('shows the text, the tool call with its input, the result and the usage; no JSON', () => {
    const c = load('claude', 'tool');
    const out = format('claude', c.stdout);
    const u = claudeUsage(c.stdout);
    expect(out.split('\n').filter((l) => l.trimStart().startsWith('{'))).toEqual([]);
    expect(out).toMatch(/^▶ claude 2\.1\.332 · \S+ · session [0-9a-f-]{36}$/m);
    expect(out).toContain('⚙ Bash: echo tool-output-line\n  ↳ tool-output-line\nRan it.\n');
    expect(out).toContain(
      `${u?.input_tokens} in / ${u?.output_tokens} out / ${u?.cache_read_tokens} cache read / ${u?.cache_write_tokens} cache write · $${u?.cost_usd?.toFixed(4)}`,
    );
    // the init event alone is ~4.5 KB of JSON; the readable form is a few short lines
    expect(out.split('\n').every((l) => l.length <= 220)).toBe(true);
  });

  it('says why a run failed, with the reset of a usage limit', () => {
    const out = format('claude', load('claude', 'usage-limit').stdout);
    expect(out).toMatch(/⚠ rate limit rejected, resets \d{4}-\d\d-\d\dT/);
    expect(out).toMatch(/✗ You've hit your 5-hour limit · resets/);
    expect(out).toMatch(/■ failed/);
  });
});

it('codex --json and Gemini stream-json read the same way', () => {
  const codex = format('codex', load('codex', 'ok-json').stdout);
  expect(codex).toMatch(/^Hello from the stand-in\.$/m);
  expect(codex).toMatch(/^■ turn done · \d+ in \/ 42 out/m);
  const gemini = format('gemini', load('gemini', 'ok-stream').stdout);
  expect(gemini).toMatch(/^Hello from the stand-in\.$/m);
  expect(gemini).toMatch(/^■ done · \d+ in \/ 40 out/m);
});

it('codex --json and Gemini stream-json say why a run failed: a usage limit, in words', () => {
  const codex = format('codex', load('codex', 'usage-limit-json').stdout);
  expect(codex).toMatch(/^✗ You’ve hit your usage limit\. .*try again at \d+:\d\d [AP]M\.$/m);
  const gemini = format('gemini', load('gemini', 'usage-limit-stream').stdout);
  expect(gemini).toMatch(/^✗ \[API Error: You have exhausted your daily quota on this model\.\] Please wait/m);
  expect(gemini).toMatch(/^■ failed · /m);
  for (const out of [codex, gemini]) expect(out.split('\n').filter((l) => l.trimStart().startsWith('{'))).toEqual([]);
});

describe('the raw file', () => {
  it('is rotated per iteration and, past its cap, keeps the last line (the result)', () => {
    const file = join(tempDir(), 'streams', 'builder.jsonl');
    const stream = load('claude', 'ok').stdout;
    const first = openRaw(file);
    for (const l of stream.split('\n')) first.line(`${l}\n`);
    first.close();
    const small = openRaw(file, 200);
    for (const l of stream.split('\n')) small.line(`${l}\n`);
    small.close();
    expect(readFileSync(`${file}.1`, 'utf8')).toBe(`${stream}\n`);
    const capped = readFileSync(file, 'utf8');
    expect(capped.length).toBeLessThan(stream.length);
    expect(claudeUsage(capped)).toEqual(claudeUsage(stream));
    expect(capped).toContain('"type":"ao_raw_cut"');
  });
});

describe('as the parent of the agent', () => {
  const run = async (script: string, raw: string | null): Promise<{ code: number; out: string }> => {
    let out = '';
    const code = await formatStream({ backend: 'claude', raw, command: ['sh', '-c', script] }, { stdin: new PassThrough(), write: (t) => (out += t) });
    return { code, out };
  };

  it("exits with the agent's status, and 128+N when a signal ended it", async () => {
    expect((await run('exit 3', null)).code).toBe(3);
    expect((await run('kill -TERM $$', null)).code).toBe(143);
  });

  it("formats the agent's stdout and keeps it raw", async () => {
    const file = join(tempDir(), 'raw.jsonl');
    const { code, out } = await run(`printf '%s\\n' '{"type":"assistant","message":{"content":[{"type":"text","text":"hi"}]}}' 'plain text'`, file);
    expect(code).toBe(0);
    expect(out).toBe('hi\nplain text\n');
    expect(readFileSync(file, 'utf8')).toBe('{"type":"assistant","message":{"content":[{"type":"text","text":"hi"}]}}\nplain text\n');
    expect(existsSync(`${file}.1`)).toBe(false);
  });
});

describe('Claude retrying an overloaded API (system/api_retry)', () => {
  it('prints a line for each retry, so the pane shows life, and tells of each retry and of the answer after', () => {
    const c = load('claude', 'retry');
    const signs: LifeSign[] = [];
    let out = '';
    const feed = lineFeeder(
      formatterFor('claude', (s) => void signs.push(s)),
      null,
      (t) => (out += t),
    );
    feed.chunk(Buffer.from(c.stdout));
    feed.end();
    expect(out).toMatch(/^· API retry 1\/3 \(overloaded, 529\), next in 0\.5s$/m);
    expect(out).toMatch(/^· API retry 2\/3 \(overloaded, 529\), next in 1\.\ds$/m);
    expect(out).toContain('Hello after two retries.');
    expect(signs.map((s) => (s.kind === 'retry' ? `retry ${s.attempt}/${s.max} ${s.waitMs}` : s.kind))).toEqual([
      'retry 1/3 538',
      'retry 2/3 1057',
      'answered',
    ]);
  });

  it('shows the CLI’s own switch to its --fallback-model as a line of its own', () => {
    let out = '';
    const feed = lineFeeder(
      formatterFor('claude', () => undefined),
      null,
      (t) => (out += t),
    );
    const block = { type: 'fallback', from: { model: 'claude-opus-4-8' }, to: { model: 'claude-sonnet-4-6' } };
    feed.chunk(Buffer.from(`${JSON.stringify({ type: 'assistant', message: { content: [block, { type: 'text', text: 'on sonnet' }] } })}\n`));
    feed.end();
    expect(out).toBe('· model fallback claude-opus-4-8 → claude-sonnet-4-6\non sonnet\n');
    out = '';
    const captured = lineFeeder(
      formatterFor('claude', () => undefined),
      null,
      (t) => (out += t),
    );
    captured.chunk(Buffer.from(load('claude', 'model-fallback').stdout));
    captured.end();
    expect(out).toMatch(/^· model fallback claude-opus-5-5 → claude-sonnet-4-5 \(overloaded\)$/m);
    expect(out).toContain('Hello from the fallback model.');
  });

  it('writes the retries to the signal file, which the watchdog reads as waiting on the provider', async () => {
    const dir = tempDir();
    const signals = join(dir, 'signals', 'builder.jsonl');
    const stream = load('claude', 'retry')
      .stdout.split('\n')
      .filter((l) => !l.includes('"type":"assistant"') && !l.includes('"type":"result"'))
      .join('\n');
    const stdin = new PassThrough();
    const done = formatStream({ backend: 'claude', raw: null, signals, command: [] }, { stdin, write: () => undefined });
    stdin.end(stream);
    await done;
    const view = hookView(readSignals(signals), 0);
    expect(view.provider?.retry).toBe('2/3');
    expect(view.last).toBeNull();
  });
});

describe('which argv is wrapped', () => {
  const agent = (kind: AgentSpec['kind'], backend: AgentSpec['backend']): AgentSpec => agentSpec({ name: 'builder', kind, backend });

  it('wraps a loop that asks for a JSON stream, nothing else', () => {
    const claude = ['claude', '-p', '--output-format', 'stream-json', '--verbose', '--'];
    expect(withFormatter('/s', agent('loop', 'claude'), claude, '/ao/bin/ao', '/node')).toEqual([
      '/node',
      '/ao/bin/ao',
      'format-stream',
      '--backend',
      'claude',
      '--raw',
      '/s/streams/builder.jsonl',
      '--signals',
      '/s/signals/builder.jsonl',
      '--',
      ...claude,
    ]);
    expect(withFormatter('/s', agent('persistent', 'claude'), claude, '/ao', '/node')).toEqual(claude);
    expect(streamBackendOf('codex', ['codex', 'exec', '--'])).toBeNull();
    expect(streamBackendOf('codex', ['codex', 'exec', '--json', '--'])).toBe('codex');
    expect(streamBackendOf('gemini', ['gemini', '-o', 'stream-json'])).toBe('gemini');
  });
});
