/**
 * `ao web --fleet` over HTTP on real tmux: a fleet of three local projects
 * (alpha running, beta and one whose folder name is markup stopped), each on
 * its own socket named in fleet.toml. One token for the fleet's page and
 * every project under /p/NAME/; each project's API and actions reach that
 * project only; a name with markup in it is text.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAo, sleepersFiles, waitFor, writeProject } from '../helpers/ao.js';
import { fleet } from '../helpers/fleet.js';
import { checkAgainst, schemaOfPath } from '../helpers/openapi.js';
import { readSse, startWeb, type Web } from '../helpers/web.js';

const ODD = '<img src=x onerror=alert(1)>';
const ODD_PATH = `/p/${encodeURIComponent(ODD)}`;
const { root, fallback, sockets, ao } = fleet('wf', ['alpha', 'beta', 'odd'], { teardown: 'afterAll' });
let web: Web;

/** A project of two shell agents that sleep, in two phases. */
const project = (dir: string): string => writeProject(dir, sleepersFiles(['worker', 'checker']));

interface Status {
  project: string;
  agents: { name: string; session: string; state: string; pid: number | null }[];
}

beforeAll(async () => {
  for (const name of ['alpha', 'beta', ODD]) project(join(root, name));
  writeFileSync(
    join(root, 'fleet.toml'),
    [
      ['alpha', sockets.alpha],
      ['beta', sockets.beta],
      [ODD, sockets.odd],
    ]
      .map(([path, socket]) => `[[projects]]\npath = ${JSON.stringify(path)}\ntmux_socket = "${socket}"\n`)
      .join('\n'),
  );
  const up = await ao('fleet', 'up', 'alpha');
  expect(up.code, up.stderr).toBe(0);
  web = await startWeb({ dir: root, socket: fallback }, ['--fleet']);
}, 45_000);

// before the fleet's own teardown
afterAll(() => web?.stop());

const post = (path: string, body: unknown, headers: Record<string, string>) =>
  fetch(new URL(path, web.url), { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('a fleet file that is not there or does not load', () => {
  it('is a usage or config error naming the file (exit 2), and nothing listens', async () => {
    const missing = await ao('web', '--fleet', join(root, 'nope.toml'), '--listen', '127.0.0.1:0');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`fleet file not found: ${join(root, 'nope.toml')}`);
    writeFileSync(join(root, 'broken.toml'), '[[projects]]\npath = "gone"\n');
    const broken = await ao('web', '--fleet', join(root, 'broken.toml'), '--listen', '127.0.0.1:0');
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken\.toml:2:1: projects\.0\.path: folder not found/);
    expect(missing.stdout + broken.stdout).toBe('');
  });
});

describe('the fleet token', () => {
  it('is needed for the fleet page, every project page, its API and its feed: 401 and nothing else', async () => {
    for (const path of [
      '/',
      '/api/fleet',
      '/p/alpha/',
      '/p/alpha/phase',
      '/p/alpha/agents/worker',
      '/p/alpha/api/status',
      '/p/alpha/api/events/stream',
      '/p/nope/',
    ]) {
      const r = await fetch(new URL(path, web.url));
      expect(r.status, path).toBe(401);
      const text = await r.text();
      expect(text, path).not.toContain('worker');
      expect(text, path).not.toContain('alpha');
    }
    const refused = await post('/p/beta/api/agents/worker/messages', { text: 'no token' }, { Origin: new URL(web.url).origin });
    expect(refused.status).toBe(401);
  });

  it('is one for the fleet, kept 0600 beside its file; from the URL it becomes a cookie and leaves the address bar of a project page', async () => {
    const file = join(root, '.ao', 'fleet', 'web-token');
    expect(readFileSync(file, 'utf8').trim()).toBe(web.token);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const r = await fetch(new URL(`/p/beta/phase?token=${web.token}`, web.url), { redirect: 'manual' });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/p/beta/phase');
    const cookie = r.headers.get('set-cookie')!.split(';')[0]!;
    const page = await fetch(new URL('/p/beta/phase', web.url), { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<a href="/p/beta/phase">phase</a>');
  });
});

describe('the fleet page', () => {
  it('lists every project with where it runs, its state and its agents, each opening its team page', async () => {
    const page = await (await web.get('/')).text();
    const card = (name: string): string => new RegExp(`<li class="card[^"]*" data-project="${name}">[\\s\\S]*?</li>`).exec(page)?.[0] ?? '';
    expect(card('alpha')).toContain('href="/p/alpha/"');
    expect(card('alpha')).toContain('<span class="where">local</span>');
    expect(card('alpha')).toMatch(/2 running, 0 waiting, 0 paused, 0 failed · watchdog running/);
    expect(card('alpha')).toContain('phase: one [1/2]');
    expect(card('beta')).toMatch(/0 running, .* 2 stopped · watchdog stopped/);
    const fleet = (await (await web.get('/api/fleet')).json()) as (Status & { fleet: { name: string; healthy: boolean } })[];
    expect(checkAgainst(schemaOfPath('/api/fleet'), fleet)).toEqual([]);
    expect(fleet.map((p) => p.fleet.name)).toEqual(['alpha', 'beta', ODD]);
    expect(fleet[0]!.agents.filter((a) => a.state === 'running').map((a) => a.name)).toEqual(['worker', 'checker', 'watchdog']);
  });

  it('shows a project name with markup in it as text, its link encoded', async () => {
    const page = await (await web.get('/')).text();
    expect(page).not.toContain(ODD);
    expect(page).toContain('<b>&lt;img src=x onerror=alert(1)&gt;</b>');
    expect(page).toContain(`href="${ODD_PATH}/"`);
    const team = await web.get(`${ODD_PATH}/`);
    expect(team.status).toBe(200);
    const text = await team.text();
    expect(text).not.toContain(ODD);
    expect(text).toContain(`href="${ODD_PATH}/agents/worker"`);
    const status = (await (await web.get(`${ODD_PATH}/api/status`)).json()) as Status;
    expect(status.project).toBe(ODD);
  });

  it('answers 404 for a project the fleet does not have, and for an agent a project does not have', async () => {
    for (const path of ['/p/nope/', '/p/nope/api/status', '/p/%E0%A4%A/', '/p/alpha/agents/nobody', '/p/alpha/api/agents/nobody'])
      expect((await web.get(path)).status, path).toBe(404);
  });
});

describe('a project under its prefix', () => {
  it("answers with its own status, not another project's", async () => {
    const alpha = (await (await web.get('/p/alpha/api/status')).json()) as Status;
    const beta = (await (await web.get('/p/beta/api/status')).json()) as Status;
    expect(alpha.project).toBe('alpha');
    expect(beta.project).toBe('beta');
    expect(alpha.agents.find((a) => a.name === 'worker')).toMatchObject({ state: 'running' });
    expect(beta.agents.find((a) => a.name === 'worker')).toMatchObject({ state: 'stopped', pid: null });
    const alphaSessions = new Set(alpha.agents.map((a) => a.session));
    expect(beta.agents.some((a) => alphaSessions.has(a.session))).toBe(false);
    const page = await (await web.get('/p/alpha/')).text();
    expect(page).toContain('<a href="/p/alpha/agents/worker">worker</a>');
    expect(page).toContain('data-base="/p/alpha"');
    expect(page).toContain('href="/p/alpha/static/app.css"');
    expect((await web.get('/p/alpha/static/app.js')).status).toBe(200);
  });

  it('keeps its live feed under its prefix: the status of that project', async () => {
    const feed = await web.get('/p/alpha/api/events/stream', { Accept: 'text/event-stream' });
    expect(feed.status).toBe(200);
    const messages = await readSse(feed, (m) => m.some((x) => x.event === 'status'), 10_000);
    const status = messages.find((m) => m.event === 'status');
    expect((JSON.parse(status!.data) as { status: Status }).status.project).toBe('alpha');
  });

  it("takes a message for that project's agent only, from maintainer, under the Origin rule", async () => {
    const inbox = (name: string): string => {
      try {
        return readFileSync(join(root, name, 'state', 'inbox', 'worker.md'), 'utf8');
      } catch {
        return '';
      }
    };
    const alphaBefore = inbox('alpha');
    const cross = await post(
      '/p/beta/api/agents/worker/messages',
      { text: 'from elsewhere' },
      { Authorization: `Bearer ${web.token}`, Origin: 'http://evil.example' },
    );
    expect(cross.status).toBe(403);
    expect(inbox('beta')).toBe('');
    const sent = await post(
      '/p/beta/api/agents/worker/messages',
      { text: 'hello beta' },
      { Cookie: `ao_web_token=${web.token}`, Origin: new URL(web.url).origin },
    );
    expect(sent.status).toBe(200);
    expect(inbox('beta')).toMatch(/from maintainer\n> hello beta/);
    expect(inbox('alpha')).toBe(alphaBefore);
    const listed = await runAo(['inbox', 'worker'], { cwd: join(root, 'beta'), socket: sockets.beta });
    expect(listed.stdout).toContain('hello beta');
  });

  it('moves that project to its next phase only', async () => {
    const next = await post('/p/beta/api/phase/next', {}, { Authorization: `Bearer ${web.token}` });
    expect(next.status, await next.clone().text()).toBe(200);
    const phase = async (name: string) => ((await (await web.get(`/p/${name}/api/phase`)).json()) as { id: string }).id;
    expect(await phase('beta')).toBe('two');
    expect(await phase('alpha')).toBe('one');
    // the fleet page reads the local projects again at most every second
    await waitFor(async () => (await (await web.get('/')).text()).includes('phase: two [2/2]'), 5_000);
  });
});
