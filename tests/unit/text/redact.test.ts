import { describe, expect, it } from 'vitest';
import { Redactor } from '../../../src/text/redact.js';

const redact = (r: Redactor, text: string): string => r.redact(Buffer.from(text, 'latin1')).bytes.toString('latin1');

describe('Redactor', () => {
  it('takes out known values, longest first, and counts them by name', () => {
    const r = new Redactor([
      { name: 'agents.a.env.SHORT', value: 'abc123' },
      { name: 'agents.a.env.LONG', value: 'abc123-and-more' },
    ]);
    expect(redact(r, 'x abc123-and-more y abc123 z')).toBe('x [redacted] y [redacted] z');
    expect(Object.fromEntries(r.counts)).toEqual({ 'agents.a.env.LONG': 1, 'agents.a.env.SHORT': 1 });
  });

  it.each([
    ['sk-ant-api03-AbC_dEf-123', 'sk-ant-… (an Anthropic key)'],
    ['sk-proj-abcdefghijklmnop1234', 'sk-… (an OpenAI-style key)'],
    ['ghp_abcdefghijklmnopqrstuvwxyz0123', 'ghp_… (a GitHub token)'],
    ['github_pat_11ABCDEFG0123456789_abcdefghij', 'ghp_… (a GitHub token)'],
    ['xoxb-1234-5678-abcdef', 'xox…-… (a Slack token)'],
    ['AIzaSyA-1234567890abcdefghijklmnopq', 'AIza… (a Google API key)'],
  ])('takes out %s, a well-known key shape', (key, name) => {
    const r = new Redactor([]);
    expect(redact(r, `before ${key} after`)).toBe('before [redacted] after');
    expect(r.counts.get(name)).toBe(1);
  });

  it('keeps the word Bearer and takes the token; leaves alone what only looks close', () => {
    const r = new Redactor([]);
    expect(redact(r, 'Authorization: Bearer eyJhbGciOi.JIUzI1NiJ9.abc')).toBe('Authorization: Bearer [redacted]');
    const plain = 'task-done sk-short risk-averse ghp_x xoxb- AIza Bearer of news';
    expect(redact(r, plain)).toBe(plain);
  });

  it('works on any bytes: a log that is not UTF-8 keeps every other byte as it was', () => {
    const r = new Redactor([{ name: 'k', value: 'sécret-value' }]);
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00]), Buffer.from(' sécret-value ', 'utf8'), Buffer.from([0xc3])]);
    const out = r.redact(bytes);
    expect(out.redacted).toBe(1);
    expect(out.bytes).toEqual(Buffer.concat([Buffer.from([0xff, 0xfe, 0x00]), Buffer.from(' [redacted] '), Buffer.from([0xc3])]));
  });
});
