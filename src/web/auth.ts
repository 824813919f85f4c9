/**
 * Every page and API call of `ao web` needs the project's token: from the
 * printed URL once (`?token=`, then an HttpOnly SameSite=Strict cookie and a
 * redirect that drops it from the address bar), from the cookie, or from
 * `Authorization: Bearer`. A state-changing request also needs a same-origin
 * `Origin`, so no cross-site form or fetch can act. Failed tokens are limited
 * per client address.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { FailureLimiter, tokenMatches } from './token.js';

export const COOKIE = 'ao_web_token';

/** How a request proved the token, or why it did not. */
export type Proof = 'cookie' | 'bearer' | 'url' | 'none' | 'wrong';

export interface AuthOptions {
  token: string;
  limiter?: FailureLimiter;
  /** the client's address (rate limiting); tests and the server give it */
  client: (c: Context) => string;
}

/** The token a request carries, and how. */
export function proofOf(token: string, req: { url: string; header: (name: string) => string | undefined; cookie: string | undefined }): Proof {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.header('authorization') ?? '')?.[1];
  const fromUrl = new URL(req.url).searchParams.get('token');
  const given: [Proof, string | undefined | null][] = [
    ['bearer', bearer],
    ['url', fromUrl],
    ['cookie', req.cookie],
  ];
  let presented = false;
  for (const [kind, value] of given) {
    if (value === undefined || value === null || value === '') continue;
    presented = true;
    if (tokenMatches(token, value)) return kind;
  }
  return presented ? 'wrong' : 'none';
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Why a state-changing request is refused, or null. Same origin: the `Origin`
 * names the host the request was sent to (`Host`, or `X-Forwarded-Host` behind
 * a reverse proxy). Without an `Origin` only a Bearer client may act (a script,
 * which no other site's page can make send the header), never a cookie.
 */
export function originRefusal(method: string, proof: Proof, header: (name: string) => string | undefined): string | null {
  if (SAFE_METHODS.has(method.toUpperCase())) return null;
  const origin = header('origin');
  if (origin === undefined || origin === '') {
    if (proof === 'bearer' && header('sec-fetch-site') !== 'cross-site') return null;
    return 'a request that changes the team needs a same-origin Origin header';
  }
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return `Origin ${JSON.stringify(origin.slice(0, 100))} is not a URL`;
  }
  const hosts = [header('host'), header('x-forwarded-host')].filter((h): h is string => Boolean(h));
  return hosts.includes(host) ? null : `Origin ${JSON.stringify(origin.slice(0, 100))} is not this server's`;
}

/** The middleware: 401 without the token, 429 after too many wrong ones, 403 for a cross-origin change. */
export function requireToken(options: AuthOptions): MiddlewareHandler {
  const limiter = options.limiter ?? new FailureLimiter();
  return async (c, next) => {
    const client = options.client(c);
    if (!limiter.allowed(client)) return c.text('429: too many wrong tokens; try again in a minute\n', 429, { 'Retry-After': '60' });
    const proof = proofOf(options.token, { url: c.req.url, header: (n) => c.req.header(n), cookie: getCookie(c, COOKIE) });
    if (proof === 'wrong') limiter.fail(client);
    if (proof === 'none' || proof === 'wrong') {
      return c.text('401: ao web needs its token: open the URL `ao web` printed, or send Authorization: Bearer TOKEN\n', 401, {
        'WWW-Authenticate': 'Bearer realm="ao web"',
      });
    }
    const refusal = originRefusal(c.req.method, proof, (n) => c.req.header(n));
    if (refusal) return c.json({ error: `403: ${refusal}` }, 403);
    if (proof === 'url') {
      // the token leaves the address bar (and history) at once; the cookie carries it from here
      const secure = new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
      setCookie(c, COOKIE, options.token, { httpOnly: true, sameSite: 'Strict', path: '/', secure, maxAge: 30 * 24 * 3600 });
      const url = new URL(c.req.url);
      url.searchParams.delete('token');
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }
    await next();
  };
}
