/**
 * The provider-trouble recognisers and usage parsers, fed the real output of
 * Claude Code 2.1.332, Codex 0.171.0 and Gemini CLI 0.61.0 against the
 * stand-ins (tests/fixtures/output, captured with
 * `npx vite-node tests/helpers/capture-output.ts <cli>`). Expected reset
 * times and token counts come from what the stand-in was told to send.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { claudeFellBack, claudeSessionId, claudeTextTrouble, claudeTrouble, claudeUsage } from '../../../src/backends/claude-stream.js';
import { codexSessionId, codexTrouble, codexUsage } from '../../../src/backends/codex-stream.js';
import { geminiSessionId, geminiTrouble, geminiUsage } from '../../../src/backends/gemini-stream.js';
import { nextClockTime, parseReset, type Trouble } from '../../../src/backends/trouble.js';
import { DEFAULT_USAGE } from '../../fixtures/standins/common.js';
import type { Captured } from '../../helpers/capture-output.js';

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'output');
const load = (cli: string, name: string): Captured => JSON.parse(readFileSync(join(DIR, cli, `${name}.json`), 'utf8')) as Captured;
/** what a pane log holds: both streams */
const pane = (c: Captured): string => `${c.stderr}\n${c.stdout}`;
/** the CLIs print a reset to the minute */
const toMinute = (unixSeconds: number): number => Math.floor(unixSeconds / 60) * 60_000;
/** "now" for a capture: a few seconds after it ran */
const nowOf = (c: Captured): number => c.startedAt * 1000 + 5000;

type Recognise = (output: string, exitStatus: number | null, now: number) => Trouble;

beforeAll(() => {
  // the captures ran with TZ=UTC; Codex prints the reset in the zone it runs in
  process.env.TZ = 'UTC';
});

const RECOGNISE: Record<string, Recognise> = { claude: claudeTrouble, codex: codexTrouble, gemini: geminiTrouble };

describe.each<[string, string, Trouble['kind'], 'exact' | 'minute' | 'minute-end' | null, RegExp]>([
  ['claude', 'ok', null, null, /^$/],
  ['claude', 'tool', null, null, /^$/],
  ['claude', 'usage-limit', 'usage-limit', 'exact', /You've hit your 5-hour limit · resets \d+:\d\d[ap]m \(UTC\)/],
  ['claude', 'usage-limit-text', 'usage-limit', 'minute', /You've hit your 5-hour limit/],
  ['claude', 'rate-limit', 'rate-limit', null, /Request rejected \(429\)/],
  ['claude', 'overload', 'overload', null, /API Error: 529/],
  ['claude', 'server-error', 'overload', null, /API Error: 500/],
  ['claude', 'auth', 'auth', null, /Invalid API key/],
  ['codex', 'ok', null, null, /^$/],
  ['codex', 'ok-json', null, null, /^$/],
  ['codex', 'usage-limit', 'usage-limit', 'minute-end', /You’ve hit your usage limit.*try again at \d+:\d\d [AP]M/],
  ['codex', 'usage-limit-json', 'usage-limit', 'minute-end', /You’ve hit your usage limit/],
  ['codex', 'rate-limit', 'rate-limit', null, /429 Too Many Requests/],
  ['codex', 'rate-limit-json', 'rate-limit', null, /429 Too Many Requests/],
  ['codex', 'overload', 'overload', null, /503 Service Unavailable/],
  ['codex', 'overload-json', 'overload', null, /503 Service Unavailable/],
  ['codex', 'auth', 'auth', null, /401 Unauthorized/],
  ['codex', 'auth-json', 'auth', null, /401 Unauthorized/],
  ['gemini', 'ok', null, null, /^$/],
  ['gemini', 'ok-stream', null, null, /^$/],
  ['gemini', 'usage-limit', 'usage-limit', null, /exhausted your daily quota/],
  ['gemini', 'usage-limit-json', 'usage-limit', null, /exhausted your daily quota/],
  ['gemini', 'usage-limit-stream', 'usage-limit', null, /^You have exhausted your daily quota on this model\.$/],
  ['gemini', 'overload', 'overload', null, /503|UNAVAILABLE/],
  ['gemini', 'auth', 'auth', null, /API key not valid/],
])('%s %s', (cli, name, kind, reset, message) => {
  const c = load(cli, name);
  const recognise = RECOGNISE[cli] ?? claudeTrouble;

  it(`is ${String(kind)} from the pane's text and exit status ${String(c.exitStatus)}`, () => {
    const t = recognise(pane(c), c.exitStatus, nowOf(c));
    expect(t.kind).toBe(kind);
    expect(t.message).toMatch(message);
    if (reset === 'exact') expect(t.resetAt).toBe((c.resetAt ?? NaN) * 1000);
    else if (reset === 'minute') expect(t.resetAt).toBe(toMinute(c.resetAt ?? NaN));
    // Codex drops the seconds: the limit has lifted once the printed minute is over
    else if (reset === 'minute-end') expect(t.resetAt).toBe(toMinute(c.resetAt ?? NaN) + 60_000);
    else expect(t.resetAt).toBeNull();
  });

  it('says the same from stdout alone (the raw stream ao keeps)', () => {
    if (c.stdout.trim() === '' || !/^\s*\{/.test(c.stdout)) return;
    expect(recognise(c.stdout, c.exitStatus, nowOf(c)).kind).toBe(kind);
  });
});

describe('the screen of a TUI (no exit status yet)', () => {
  it('reads a usage limit and its reset from the words Claude shows', () => {
    const c = load('claude', 'usage-limit-text');
    const t = claudeTextTrouble(`some earlier output\n${c.stdout}\n❯ `, nowOf(c));
    expect(t).toEqual({ kind: 'usage-limit', resetAt: toMinute(c.resetAt ?? NaN), message: c.stdout.trim() });
  });

  it('does not take words far above the tail (an agent discussing a 529) for trouble', () => {
    const filler = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
    expect(claudeTextTrouble(`API Error: 529 overloaded\n${filler}`, 0).kind).toBeNull();
  });
});

describe('reset times', () => {
  it('is the next such time of day, tomorrow once it has passed', () => {
    const now = Date.UTC(2026, 0, 5, 14, 0);
    expect(nextClockTime(13, 22, now, 'UTC')).toBe(Date.UTC(2026, 0, 6, 13, 22));
    expect(nextClockTime(15, 5, now, 'UTC')).toBe(Date.UTC(2026, 0, 5, 15, 5));
    expect(parseReset('resets 1:22pm (Europe/Berlin)', /resets/, now)).toBe(Date.UTC(2026, 0, 6, 12, 22));
    expect(parseReset('resets Jan 9, 1pm (UTC)', /resets/, now)).toBe(Date.UTC(2026, 0, 9, 13, 0));
    expect(parseReset('try again at 3:42 PM.', /try again at/, now)).toBe(Date.UTC(2026, 0, 5, 15, 42));
  });

  it('Codex: the end of the printed minute, today when it is the minute now running or one just gone (not tomorrow)', () => {
    const at = (h: number, m: number, s = 0): number => Date.UTC(2026, 0, 5, h, m, s);
    const limit = (clock: string): string => `ERROR: You’ve hit your usage limit. Upgrade to Pro or try again at ${clock}.`;
    expect(codexTrouble(limit('2:00 PM'), 1, at(14, 0, 20)).resetAt).toBe(at(14, 1));
    expect(codexTrouble(limit('2:01 PM'), 1, at(14, 0, 20)).resetAt).toBe(at(14, 2));
    expect(codexTrouble(limit('1:59 PM'), 1, at(14, 0, 20)).resetAt).toBe(at(14, 0));
    expect(codexTrouble(limit('1:50 PM'), 1, at(14, 0, 20)).resetAt).toBe(Date.UTC(2026, 0, 6, 13, 51));
    expect(codexTrouble(limit('Jan 7th, 2026 2:00 PM'), 1, at(14, 0, 20)).resetAt).toBe(Date.UTC(2026, 0, 7, 14, 1));
  });
});

describe('Claude: a reset printed as a time of day', () => {
  it('is today when it is the minute now running or one just gone (already lifted), not tomorrow', () => {
    const at = (h: number, m: number, s = 0): number => Date.UTC(2026, 0, 5, h, m, s);
    const screen = (clock: string): string => `You've hit your 5-hour limit · resets ${clock} (UTC)\n`;
    expect(claudeTextTrouble(screen('2pm'), at(14, 0, 20)).resetAt).toBe(at(14, 0));
    expect(claudeTextTrouble(screen('1:58pm'), at(14, 0, 20)).resetAt).toBe(at(13, 58));
    expect(claudeTextTrouble(screen('3pm'), at(14, 0, 20)).resetAt).toBe(at(15, 0));
    expect(claudeTextTrouble(screen('1pm'), at(14, 0, 20)).resetAt).toBe(Date.UTC(2026, 0, 6, 13, 0));
  });
});

describe('usage', () => {
  const sent = (c: Captured): { input_tokens: number; output_tokens: number; cache_read_tokens: number; cache_write_tokens: number } => {
    const r = c.replies[0];
    if (r?.kind !== 'text' || r.usage === undefined) throw new Error(`${c.scenario}: no usage was sent`);
    return { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, ...r.usage };
  };

  it.each(['ok', 'ok-2'])('Claude %s: what the stand-in sent, and the cost Claude Code computed', (name) => {
    const c = load('claude', name);
    const u = claudeUsage(c.stdout);
    const { cost_usd, ...tokens } = u ?? { cost_usd: null };
    expect(tokens).toEqual(sent(c));
    expect(cost_usd).toBeGreaterThan(0);
    expect(claudeSessionId(c.stdout)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('Claude: a run that failed reports zero, a stream cut before the result none', () => {
    expect(claudeUsage(load('claude', 'overload').stdout)).toEqual({
      input_tokens: 0,
      output_tokens: 0,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      cost_usd: 0,
    });
    const ok = load('claude', 'ok').stdout;
    expect(claudeUsage(ok.slice(0, ok.indexOf('"type":"result"')))).toBeNull();
  });

  it('Codex --json: cached input apart from the rest, no cost', () => {
    const c = load('codex', 'ok-json');
    const s = sent(c);
    // the Responses API counts cached tokens inside input_tokens
    expect(codexUsage(c.stdout)).toEqual({
      input_tokens: s.input_tokens - s.cache_read_tokens,
      output_tokens: s.output_tokens,
      cache_read_tokens: s.cache_read_tokens,
      cache_write_tokens: 0,
      cost_usd: null,
    });
    expect(codexSessionId(c.stdout)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("Codex text mode: only the total it prints after 'tokens used'", () => {
    const c = load('codex', 'ok');
    const s = sent(c);
    expect(codexUsage(pane(c))?.input_tokens).toBe(s.input_tokens - s.cache_read_tokens + s.output_tokens);
    expect(codexSessionId(pane(c))).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('Gemini stream-json and json: the main turn plus the model router it asked first', () => {
    for (const name of ['ok-stream', 'ok-json']) {
      const c = load('gemini', name);
      const s = sent(c);
      const u = geminiUsage(c.stdout);
      // the stand-in answers the router's request with its default usage
      const r = DEFAULT_USAGE;
      expect(u).toEqual({
        input_tokens: s.input_tokens - s.cache_read_tokens + r.input_tokens - r.cache_read_tokens,
        output_tokens: s.output_tokens + r.output_tokens,
        cache_read_tokens: s.cache_read_tokens + r.cache_read_tokens,
        cache_write_tokens: 0,
        cost_usd: null,
      });
      expect(geminiSessionId(c.stdout)).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(geminiUsage(load('gemini', 'ok').stdout)).toBeNull();
  });
});

describe('Claude Code switching to its --fallback-model within a run', () => {
  // the wire shape of the marker: an assistant message's content block {type: "fallback", from: {model}, to: {model}}
  const marker = JSON.stringify({
    type: 'assistant',
    message: {
      content: [
        { type: 'fallback', from: { model: 'claude-opus-4-8' }, to: { model: 'claude-sonnet-4-6' } },
        { type: 'text', text: 'hi' },
      ],
    },
  });

  it('reads the switch from the stream, and nothing from a run on its own model', () => {
    const ok = load('claude', 'ok').stdout;
    expect(claudeFellBack(`${marker}\n${ok}`)).toEqual({ from: 'claude-opus-4-8', to: 'claude-sonnet-4-6' });
    expect(claudeFellBack(ok)).toBeNull();
  });

  it('reads 2.1.332’s own system/model_fallback event after three 529s (captured), in a run that exits 0', () => {
    const c = load('claude', 'model-fallback');
    expect(c.exitStatus).toBe(0);
    expect(claudeTrouble(c.stdout, c.exitStatus, c.startedAt * 1000).kind).toBeNull();
    // Claude names the ids it sent: the stand-in's opus alias became claude-opus-5-5
    expect(claudeFellBack(c.stdout)).toEqual({ from: 'claude-opus-5-5', to: 'claude-sonnet-4-5' });
    expect(claudeFellBack('not json\n{"type":"assistant","message":{"content":"text"}}')).toBeNull();
  });
});
