import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { originRefusal, proofOf } from '../../../src/web/auth.js';
import { isLoopback, parseListen, urlOf } from '../../../src/web/listen.js';
import { FailureLimiter, projectToken, tokenMatches } from '../../../src/web/token.js';
import { checkAgainst } from '../../helpers/openapi.js';

const TOKEN = 'a'.repeat(32);
const req = (url: string, headers: Record<string, string> = {}, cookie?: string) => ({ url, header: (n: string) => headers[n], cookie });

describe('the token', () => {
  it('is made once per project, 0600, and kept', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ao-web-token-'));
    try {
      const state = join(dir, 'state');
      const first = projectToken(state);
      expect(first).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(projectToken(state)).toBe(first);
      const file = join(state, 'web-token');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8').trim()).toBe(first);
      writeFileSync(file, 'short\n');
      const second = projectToken(state);
      expect(second).not.toBe(first);
      expect(second).toMatch(/^[A-Za-z0-9_-]{32}$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('matches only itself', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(TOKEN, `${TOKEN}x`)).toBe(false);
    expect(tokenMatches(TOKEN, 'b'.repeat(32))).toBe(false);
    expect(tokenMatches(TOKEN, undefined)).toBe(false);
  });

  it('is proved by Bearer, the URL or the cookie; a wrong one is told apart from none', () => {
    expect(proofOf(TOKEN, req('http://h/', { authorization: `Bearer ${TOKEN}` }))).toBe('bearer');
    expect(proofOf(TOKEN, req(`http://h/?token=${TOKEN}`))).toBe('url');
    expect(proofOf(TOKEN, req('http://h/', {}, TOKEN))).toBe('cookie');
    expect(proofOf(TOKEN, req('http://h/'))).toBe('none');
    expect(proofOf(TOKEN, req('http://h/', { authorization: 'Bearer nope' }))).toBe('wrong');
  });

  it('is limited per address after ten wrong tries within a minute', () => {
    const limiter = new FailureLimiter(10, 60_000);
    for (let i = 0; i < 10; i++) {
      expect(limiter.allowed('1.2.3.4', 1000 + i)).toBe(true);
      limiter.fail('1.2.3.4', 1000 + i);
    }
    expect(limiter.allowed('1.2.3.4', 2000)).toBe(false);
    expect(limiter.allowed('5.6.7.8', 2000)).toBe(true);
    expect(limiter.allowed('1.2.3.4', 61_010)).toBe(true);
  });
});

describe('a request that changes the team', () => {
  const h = (headers: Record<string, string>) => (n: string) => headers[n];
  it('needs an Origin of this host, or Bearer without one', () => {
    expect(originRefusal('GET', 'cookie', h({}))).toBeNull();
    expect(originRefusal('POST', 'cookie', h({ host: '127.0.0.1:7420', origin: 'http://127.0.0.1:7420' }))).toBeNull();
    expect(originRefusal('POST', 'cookie', h({ host: '127.0.0.1:7420', origin: 'http://evil.example' }))).toMatch(/not this server's/);
    expect(originRefusal('POST', 'cookie', h({ host: '127.0.0.1:7420' }))).toMatch(/same-origin Origin/);
    expect(originRefusal('POST', 'bearer', h({ host: '127.0.0.1:7420' }))).toBeNull();
    expect(originRefusal('POST', 'bearer', h({ host: '127.0.0.1:7420', 'sec-fetch-site': 'cross-site' }))).toMatch(/same-origin/);
    expect(originRefusal('POST', 'cookie', h({ host: '127.0.0.1:8000', 'x-forwarded-host': 'box.tail.ts.net', origin: 'https://box.tail.ts.net' }))).toBeNull();
    expect(originRefusal('DELETE', 'cookie', h({ host: 'a', origin: 'null' }))).not.toBeNull();
  });
});

describe('--listen', () => {
  it.each([
    ['127.0.0.1:7420', '127.0.0.1', 7420, true],
    ['[::1]:80', '::1', 80, true],
    ['0.0.0.0:7420', '0.0.0.0', 7420, false],
    ['localhost:0', 'localhost', 0, true],
    ['192.168.1.5:9000', '192.168.1.5', 9000, false],
  ])('%s', (value, host, port, loopback) => {
    expect(parseListen(value)).toEqual({ host, port });
    expect(isLoopback(host)).toBe(loopback);
  });
  it.each(['7420', 'host', 'h:99999', ':80', '[::1:80'])('refuses %s', (value) => expect(() => parseListen(value)).toThrow(/HOST:PORT/));
  it('names a URL a browser opens', () => {
    expect(urlOf('0.0.0.0', 7420)).toBe('http://localhost:7420/');
    expect(urlOf('::1', 80)).toBe('http://[::1]:80/');
  });
});

describe('the OpenAPI check', () => {
  it('fails an answer that does not fit, and passes one that does', () => {
    const usage = { input_tokens: 1, output_tokens: 2, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: null, iterations: 1 };
    expect(checkAgainst('Usage', usage)).toEqual([]);
    expect(checkAgainst('Usage', { ...usage, cost_usd: '1' })).toEqual(['$.cost_usd: string, expected number or null']);
    expect(checkAgainst('Usage', { ...usage, extra: 1 })).toEqual(['$.extra: not in the OpenAPI file']);
    const { iterations: _, ...missing } = usage;
    expect(checkAgainst('Usage', missing)).toEqual(['$.iterations: missing']);
  });
});
