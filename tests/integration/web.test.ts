/**
 * `ao web` over HTTP against a real team on real tmux: the token on every
 * page and API call, the Origin rule for changes, the API's answers against
 * its OpenAPI file, agent text shown as text, the live feed, and a team that
 * runs on when the server stops.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleepersTeam, statusOf, team, waitFor } from '../helpers/ao.js';
import { checkAgainst, schemaOfPath } from '../helpers/openapi.js';
import { freePort, readSse, startWeb, type Web } from '../helpers/web.js';

const ESC = '\x1b';
const SCREEN_HTML = '<img src=x onerror=alert(document.cookie)>';
const t = team(
  'web',
  {
    'agents.toml': [
      '[defaults]\nbackend = "shell"\n',
      '[agents.builder]\nkind = "persistent"\ncommand = "sh"\nargs = ["-c", "printf \'%s\\\\n\' \'<img src=x onerror=alert(document.cookie)>\' \'<b>bold</b>\'; exec sleep 100000"]\n',
      '[agents.adversary]\nkind = "persistent"\ncommand = "sleep"\nargs = ["100000"]\n',
      '[[phases]]\nid = "one"\nplan = "one.md"\n',
      '[[phases]]\nid = "two"\nplan = "two.md"\n',
      '[watchdog]\nhealthy_after_s = 0.3\nstall_check_s = 1\n',
    ].join('\n'),
    'prompts/kickoff.md': 'go\n',
    'phases/one.md': '# one\n\n<script>window.__pwned = 1</script> plan line\n',
    'phases/two.md': '# two\n',
  },
  { teardown: 'afterAll' },
);
let web: Web;

beforeAll(async () => {
  expect((await t.ao('up')).code).toBe(0);
  await waitFor(async () => (await statusOf(t.ao)).agents.builder?.state === 'running', 15_000);
  writeFileSync(join(t.dir, 'state', `JOURNAL-one.md`), `worked on it\nclipboard ${ESC}]52;c;cm0gLXJmIH4=${ESC}\\ stolen? no\n`);
  web = await startWeb(t);
}, 45_000);

afterAll(async () => {
  await web?.stop();
});

describe('the token', () => {
  it('is needed for every page, API call and the feed: 401 and nothing else', async () => {
    for (const path of ['/', '/phase', '/agents/builder', '/api/status', '/api/events/stream', '/static/app.js', '/no-such-page']) {
      const r = await fetch(new URL(path, web.url));
      expect(r.status, path).toBe(401);
      const body = await r.text();
      expect(body, path).not.toContain('builder');
      expect(body.length, path).toBeLessThan(200);
    }
    const wrong = await fetch(new URL('/api/status', web.url), { headers: { Authorization: 'Bearer nope-not-it' } });
    expect(wrong.status).toBe(401);
  });

  it('in the printed URL sets an HttpOnly SameSite=Strict cookie and leaves the address bar', async () => {
    const r = await fetch(new URL(`/?token=${web.token}`, web.url), { redirect: 'manual' });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/');
    const cookie = r.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await fetch(web.url, { headers: { Cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('data-agent="builder"');
  });

  it('is kept 0600 in the state folder', () => {
    const token = readFileSync(join(t.dir, 'state', 'web-token'), 'utf8').trim();
    expect(token).toBe(web.token);
  });
});

describe('the API', () => {
  it.each(['/api/status', '/api/phase', '/api/cost', '/api/events', '/api/agents/{name}', '/api/agents/{name}/screen'])(
    '%s answers as the OpenAPI file says',
    async (path) => {
      const r = await web.get(`${path.replace('{name}', 'builder')}${path === '/api/events' ? '?after=0' : ''}`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/application\/json/);
      expect(checkAgainst(schemaOfPath(path), await r.json())).toEqual([]);
    },
  );

  it('says what ao status --json says', async () => {
    const api = (await (await web.get('/api/status')).json()) as { agents: { name: string; pid: number | null; state: string }[] };
    const cli = await statusOf(t.ao);
    for (const name of ['builder', 'adversary']) {
      const row = api.agents.find((a) => a.name === name)!;
      expect(row.pid).toBe(cli.agents[name]!.pid);
      expect(row.state).toBe('running');
    }
  });

  it('answers 404 for an agent the team does not have', async () => {
    expect((await web.get('/api/agents/nobody')).status).toBe(404);
  });
});

describe('actions', () => {
  const inbox = (): string => {
    try {
      return readFileSync(join(t.dir, 'state', 'inbox', 'adversary.md'), 'utf8');
    } catch {
      return '';
    }
  };
  const post = (path: string, body: unknown, headers: Record<string, string>) =>
    fetch(new URL(path, web.url), { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('refuses a POST with the token but another Origin, and one from a cookie without an Origin', async () => {
    const before = inbox();
    const cross = await post(
      '/api/agents/adversary/messages',
      { text: 'from elsewhere' },
      { Authorization: `Bearer ${web.token}`, Origin: 'http://evil.example' },
    );
    expect(cross.status).toBe(403);
    const bare = await post('/api/agents/adversary/messages', { text: 'no origin' }, { Cookie: `ao_web_token=${web.token}` });
    expect(bare.status).toBe(403);
    const next = await post('/api/phase/next', {}, { Cookie: `ao_web_token=${web.token}`, Origin: 'http://127.0.0.1:1' });
    expect(next.status).toBe(403);
    expect(inbox()).toBe(before);
    expect(((await (await web.get('/api/phase')).json()) as { id: string }).id).toBe('one');
  });

  it('sends a message that arrives in the inbox from maintainer, as ao send would', async () => {
    const origin = new URL(web.url).origin;
    const r = await post('/api/agents/adversary/messages', { text: `review it ${SCREEN_HTML}` }, { Cookie: `ao_web_token=${web.token}`, Origin: origin });
    expect(r.status).toBe(200);
    expect(inbox()).toMatch(/from maintainer\n> review it <img src=x/);
    const listed = await t.ao('inbox', 'adversary');
    expect(listed.stdout).toContain('maintainer');
    const empty = await post('/api/agents/adversary/messages', { text: `${ESC}[2J` }, { Authorization: `Bearer ${web.token}` });
    expect(empty.status).toBe(400);
    const sent = inbox();
    const huge = await post('/api/agents/adversary/messages', { text: 'x'.repeat(1200 * 1024) }, { Authorization: `Bearer ${web.token}` });
    expect(huge.status).toBe(413);
    expect(inbox()).toBe(sent);
  });

  it('refuses a phase set to a phase that does not exist, as ao phase set does', async () => {
    const r = await post('/api/phase/set', { id: 'nine' }, { Authorization: `Bearer ${web.token}` });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toMatch(/unknown phase "nine"/);
  });
});

describe('agent text on the pages', () => {
  it('is text: the plan, the inbox, the journal and the screen escape their markup and lose their control sequences', async () => {
    const phase = await (await web.get('/phase')).text();
    expect(phase).toContain('&lt;script&gt;window.__pwned = 1&lt;/script&gt; plan line');
    expect(phase).not.toContain('<script>window');
    expect(phase).toContain('clipboard  stolen? no');
    expect(phase).not.toContain(ESC);
    expect(phase).not.toContain('cm0gLXJmIH4=');
    await waitFor(async () => (await (await web.get('/api/agents/builder/screen')).text()).includes('onerror'), 10_000);
    const agent = await (await web.get('/agents/builder')).text();
    expect(agent).toContain('&lt;img src=x onerror=alert(document.cookie)&gt;');
    expect(agent).toContain('&lt;b&gt;bold&lt;/b&gt;');
    expect(agent).not.toMatch(/<img|<b>bold/);
    const adversary = await (await web.get('/agents/adversary')).text();
    expect(adversary).toContain('review it &lt;img src=x onerror=alert(document.cookie)&gt;');
    for (const page of [phase, agent, adversary, await (await web.get('/')).text()]) {
      // the one script is ao's own file; no inline one, no handler attribute
      expect(page.match(/<script\b[^>]*>/g)).toEqual(['<script src="/static/app.js" defer>']);
      expect(page).not.toMatch(/<[^>]*\son[a-z]+=/i);
    }
  });
});

describe('the live feed', () => {
  it('sends the team at once and a new event as it happens', async () => {
    const r = await web.get('/api/events/stream');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/event-stream/);
    const seen = readSse(r, (m) => m.some((x) => x.event === 'event' && x.data.includes('"agent":"adversary"') && x.data.includes('restart')), 20_000);
    await new Promise((res) => setTimeout(res, 300));
    const restarted = await t.ao('restart', 'adversary');
    expect(restarted.code).toBe(0);
    const messages = await seen;
    const status = messages.find((m) => m.event === 'status');
    expect(status).toBeDefined();
    expect(checkAgainst('Status', (JSON.parse(status!.data) as { status: unknown }).status)).toEqual([]);
    expect(messages.some((m) => m.event === 'event' && m.data.includes('"event":"restart"'))).toBe(true);
  });
});

describe('failed tokens', () => {
  it('are limited: after ten wrong ones, 429 even for the right one', async () => {
    // one wrong token was sent already (the 401 test); the tenth wrong one in a minute is the last answered
    const answers: number[] = [];
    for (let i = 0; i < 12 && answers.at(-1) !== 429; i++)
      answers.push((await fetch(new URL('/api/status', web.url), { headers: { Authorization: `Bearer wrong-${i}` } })).status);
    expect(answers).toEqual([...Array<number>(9).fill(401), 429]);
    const limited = await web.get('/api/status');
    expect(limited.status).toBe(429);
  });
});

describe('stopping ao web', () => {
  it('ends it and leaves the team running', async () => {
    const before = await statusOf(t.ao);
    expect(await web.stop()).toBe(0);
    const after = await statusOf(t.ao);
    for (const name of ['builder', 'adversary', 'watchdog']) {
      expect(after.agents[name]!.state).toBe('running');
      expect(after.agents[name]!.pid).toBe(before.agents[name]!.pid);
    }
  });
});

describe('[web] listen', () => {
  it('has the watchdog keep ao web running with the team: started by ao up, back after kill -9, stopped by ao down', async () => {
    const port = await freePort();
    const kept = sleepersTeam('webkeep', ['solo'], `[web]\nlisten = "127.0.0.1:${port}"\n`, { teardown: 'afterTest' });
    expect((await kept.ao('up')).code).toBe(0);
    const url = (await kept.ao('web', '--url')).stdout.trim();
    expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/\\?token=[\\w-]{32}$`));
    const token = new URL(url).searchParams.get('token')!;
    const answers = async (): Promise<boolean> => {
      try {
        return (await fetch(`http://127.0.0.1:${port}/api/status`, { headers: { Authorization: `Bearer ${token}` } })).status === 200;
      } catch {
        return false;
      }
    };
    await waitFor(answers, 20_000);
    const before = (await statusOf(kept.ao)).agents;
    const first = before.web!;
    expect(first.state).toBe('running');
    process.kill(first.pid!, 'SIGKILL');
    const back = await waitFor(async () => {
      const web = (await statusOf(kept.ao)).agents.web;
      return web?.state === 'running' && web.pid !== first.pid && (await answers()) ? web : undefined;
    }, 30_000);
    expect(back.restarts).toBeGreaterThan(first.restarts);
    // killing ao web touched nothing else of the team
    const after = (await statusOf(kept.ao)).agents;
    expect(after.solo).toMatchObject({ state: 'running', pid: before.solo!.pid, restarts: before.solo!.restarts });
    // the token stays out of the pane's log
    expect(readFileSync(join(kept.dir, 'state', 'logs', 'web.log'), 'utf8')).not.toContain(token);
    expect((await kept.ao('down')).code).toBe(0);
    expect(await answers()).toBe(false);
  }, 80_000);
});
