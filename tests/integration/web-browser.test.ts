/**
 * `ao web` in a real Chromium (Debian's, driven by playwright-core) against a
 * real team on real tmux, at a phone's 390×844 with touch: the team page
 * follows the team by itself (a killed agent's new pid, a dialog's WAITING),
 * agent text never runs, the page's own form sends as maintainer, a lost
 * connection shows its banner and comes back, and nothing scrolls sideways.
 * Then `ao web --fleet`: its page at that size, a project opened by a tap and
 * followed live under its prefix.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runAo, sleepersFiles, statusOf, team, waitFor, writeProject } from '../helpers/ao.js';
import { fleet } from '../helpers/fleet.js';
import { freePort, startWeb, type Web } from '../helpers/web.js';

// the page's globals, as the functions given to page.evaluate see them (the tests' types have no DOM)
declare const document: { documentElement: { scrollWidth: number; clientWidth: number }; body: object };
declare function getComputedStyle(element: object): { backgroundColor: string };
declare const window: { __same?: number; __pwned?: number };
type Boxed = { getBoundingClientRect(): { width: number; height: number } };

const CHROMIUM = '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
if (!present)
  console.warn(`\n*** ${CHROMIUM} is missing: the install of Debian's chromium failed (.ci/run installs it); the browser tests of ao web are SKIPPED ***\n`);

const screens = join(REPO, 'tests', 'fixtures', 'screens', 'claude');
const t = team(
  'webui',
  {
    'agents.toml': [
      '[defaults]\nbackend = "shell"\n',
      '[agents.builder]\nkind = "persistent"\ncommand = "sh"\nargs = ["-c", "printf \'%s\\\\n\' \'<img src=x onerror=window.__pwned=2>\'; exec sleep 100000"]\n',
      '[agents.adversary]\nkind = "persistent"\ncommand = "sleep"\nargs = ["100000"]\n',
      `[agents.cc]\nkind = "persistent"\nbackend = "claude"\nheal = "heal"\ncommand = "${join(REPO, 'tests', 'fixtures', 'fake-tui.mjs')}"\nargs = [".", "${screens}/ready-1.txt", "300", "${screens}/waiting-trust-2.txt", "${screens}/ready-1.txt", "${screens}/busy-1.txt"]\n`,
      '[[phases]]\nid = "one"\nplan = "one.md"\n',
      '[[phases]]\nid = "two"\nplan = "two.md"\n',
      '[watchdog]\nhealthy_after_s = 0.3\nstall_check_s = 1\nbackoff_initial_s = 0.2\n',
    ].join('\n'),
    'prompts/kickoff.md': 'go\n',
    'prompts/cc.md': 'review\n',
    'phases/one.md': '# one\n\n<script>window.__pwned = 1</script> plan line\n',
    'phases/two.md': '# two\n',
  },
  { teardown: 'afterAll' },
);

let web: Web;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const dialogs: string[] = [];
const errors: string[] = [];

const launch = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });

const noOverflow = async (p: Page): Promise<{ scroll: number; client: number }> =>
  p.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));

describe.skipIf(!present)('ao web in Chromium at 390×844', () => {
  let port = 0;
  beforeAll(async () => {
    expect((await t.ao('up')).code).toBe(0);
    await waitFor(async () => (await statusOf(t.ao)).agents.cc?.state === 'waiting', 20_000);
    expect((await t.ao('send', 'adversary', 'look <img src=x onerror=window.__pwned=3>')).code).toBe(0);
    writeFileSync(join(t.dir, 'state', 'JOURNAL-one.md'), 'worked on it\nclipboard \x1b]52;c;cm0gLXJmIH4=\x07 end of line\n');
    port = await freePort();
    web = await startWeb(t, ['--listen', `127.0.0.1:${port}`]);
    browser = await launch();
    context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    page = await context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${web.url}?token=${web.token}`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
  });

  it('lists every agent with its state and pid; a dialog reads WAITING and what it waits on', async () => {
    expect(new URL(page.url()).search).toBe('');
    const status = await statusOf(t.ao);
    for (const name of ['builder', 'adversary', 'cc', 'watchdog']) {
      const row = page.locator(`tr[data-agent="${name}"]`);
      await expect.poll(() => row.locator('[data-f=pid]').textContent(), { timeout: 5000 }).toBe(String(status.agents[name]!.pid));
    }
    await expect.poll(() => page.locator('tr[data-agent="builder"] [data-f=state]').textContent()).toBe('RUNNING');
    await expect.poll(() => page.locator('tr[data-agent="cc"] [data-f=state]').textContent()).toMatch(/^WAITING/);
    expect(await page.locator('tr[data-agent="cc"] [data-f=waiting]').textContent()).toMatch(/folder trust.*attach in a terminal to answer/);
  });

  it('shows the new pid of an agent killed with SIGKILL by itself, without a reload', async () => {
    await page.evaluate(() => (window.__same = 1));
    const old = (await statusOf(t.ao)).agents.builder!.pid!;
    process.kill(old, 'SIGKILL');
    const cell = page.locator('tr[data-agent="builder"] [data-f=pid]');
    await expect.poll(async () => Number(await cell.textContent()), { timeout: 20_000, interval: 100 }).not.toBe(old);
    await expect.poll(async () => Number(await cell.textContent()), { timeout: 20_000, interval: 100 }).toBeGreaterThan(0);
    const shown = Number(await cell.textContent());
    await waitFor(async () => (await statusOf(t.ao)).agents.builder?.pid === shown, 10_000);
    expect(await page.evaluate(() => window.__same)).toBe(1);
    expect(await page.locator('#events li').count()).toBeGreaterThan(0);
  });

  it('runs nothing an agent wrote: the plan, an inbox message, a journal line with OSC 52 and a screen are text', async () => {
    await page.goto(new URL('/phase', web.url).href);
    expect(await page.locator('#plan').textContent()).toContain('<script>window.__pwned = 1</script> plan line');
    expect(await page.locator('#journal').textContent()).toContain('clipboard  end of line');
    expect(await page.locator('#journal').textContent()).not.toContain('52;');
    await page.goto(new URL('/agents/adversary', web.url).href);
    expect(await page.locator('#inbox').textContent()).toContain('look <img src=x onerror=window.__pwned=3>');
    await page.goto(new URL('/agents/builder', web.url).href);
    await expect.poll(() => page.locator('#screen').textContent(), { timeout: 10_000 }).toContain('<img src=x onerror=window.__pwned=2>');
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('keeps the phase page live: a journal line appears without a reload', async () => {
    await page.goto(new URL('/phase', web.url).href);
    await page.evaluate(() => (window.__same = 2));
    await new Promise((r) => setTimeout(r, 500));
    appendFileSync(join(t.dir, 'state', 'JOURNAL-one.md'), 'a line written <i>now</i>\n');
    await expect.poll(() => page.locator('#journal').textContent(), { timeout: 5000, interval: 100 }).toContain('a line written <i>now</i>');
    expect(await page.evaluate(() => window.__same)).toBe(2);
    expect(await page.locator('main i').count()).toBe(0);
  });

  it('sends a message from the page that arrives from maintainer', async () => {
    await page.goto(new URL('/agents/adversary', web.url).href);
    await page.locator('#message').fill('from the phone');
    await page.locator('#message-form button[type=submit]').tap();
    await expect.poll(() => page.locator('#action-result').textContent(), { timeout: 10_000 }).toMatch(/^sent .* to adversary$/);
    expect(readFileSync(join(t.dir, 'state', 'inbox', 'adversary.md'), 'utf8')).toMatch(/from maintainer\n> from the phone/);
    await expect.poll(() => page.locator('#inbox').textContent(), { timeout: 10_000 }).toContain('from the phone');
  });

  it('scrolls nothing sideways on any page, with taps of 44 px at least', async () => {
    for (const path of ['/', '/phase', '/agents/builder', '/agents/adversary', '/agents/cc', '/agents/watchdog']) {
      await page.goto(new URL(path, web.url).href);
      const { scroll, client } = await noOverflow(page);
      expect(scroll, path).toBeLessThanOrEqual(client);
      for (const box of await page
        .locator('button, nav a, select, .agents th a')
        .evaluateAll((els) => els.map((e) => (e as unknown as Boxed).getBoundingClientRect()).map((r) => [r.width, r.height])))
        expect(Math.min(...box), `${path} tap target`).toBeGreaterThanOrEqual(44);
    }
  });

  it('follows the system: dark and light', async () => {
    const colours: Record<string, string> = {};
    for (const scheme of ['dark', 'light'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(web.url);
      colours[scheme] = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    }
    expect(colours).toEqual({ dark: 'rgb(13, 17, 23)', light: 'rgb(255, 255, 255)' });
  });

  it('shows a banner when the connection is lost and reconnects by itself', async () => {
    await page.goto(web.url);
    await expect.poll(() => page.locator('#banner').isHidden()).toBe(true);
    expect(await web.stop()).toBe(0);
    await expect.poll(() => page.locator('#banner').isVisible(), { timeout: 10_000 }).toBe(true);
    web = await startWeb(t, ['--listen', `127.0.0.1:${port}`]);
    await expect.poll(() => page.locator('#banner').isHidden(), { timeout: 15_000 }).toBe(true);
    expect((await statusOf(t.ao)).agents.adversary?.state).toBe('running');
  });
});

const ODD = '<img src=x onerror=window.__pwned=1>-a-long-project-name-that-has-to-wrap-on-a-phone';
// torn down after the file, after the fleet's page and browser of the describe below
const { root, fallback, sockets } = fleet('wfb', ['alpha', 'odd'], { teardown: 'afterAll' });
let fleetWeb: Web;
let fleetBrowser: Browser;
let fleetPage: Page;

/** Two shell agents that sleep, in one phase, healed fast. */
const project = (dir: string): string =>
  writeProject(dir, sleepersFiles(['worker', 'checker'], { phases: ['one'], watchdog: 'healthy_after_s = 0.3\nstall_check_s = 1\nbackoff_initial_s = 0.2' }));

const alphaPids = async (): Promise<Record<string, number | null>> => {
  const r = await runAo(['status', '--json'], { cwd: join(root, 'alpha'), socket: sockets.alpha });
  return Object.fromEntries((JSON.parse(r.stdout) as { agents: { name: string; pid: number | null }[] }).agents.map((a) => [a.name, a.pid]));
};

describe.skipIf(!present)('ao web --fleet in Chromium at 390×844', () => {
  beforeAll(async () => {
    project(join(root, 'alpha'));
    project(join(root, ODD));
    writeFileSync(
      join(root, 'fleet.toml'),
      `[[projects]]\npath = "alpha"\ntmux_socket = "${sockets.alpha}"\n\n[[projects]]\npath = ${JSON.stringify(ODD)}\ntmux_socket = "${sockets.odd}"\n`,
    );
    const up = await runAo(['fleet', 'up', 'alpha'], { cwd: root, socket: fallback });
    expect(up.code, up.stderr).toBe(0);
    fleetWeb = await startWeb({ dir: root, socket: fallback }, ['--fleet']);
    fleetBrowser = await launch();
    const context = await fleetBrowser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    fleetPage = await context.newPage();
    await fleetPage.goto(`${fleetWeb.url}?token=${fleetWeb.token}`);
  }, 60_000);

  afterAll(async () => {
    await fleetBrowser?.close();
    await fleetWeb?.stop();
  });

  it('lists both projects with nothing sideways, taps of 44 px, and a name with markup as text', async () => {
    expect(new URL(fleetPage.url()).pathname).toBe('/');
    await expect.poll(() => fleetPage.locator('li[data-project="alpha"] [data-f=summary]').textContent()).toMatch(/^2 running/);
    expect(await fleetPage.locator('li.card .open b').allTextContents()).toEqual(['alpha', ODD]);
    const { scroll, client } = await noOverflow(fleetPage);
    expect(scroll).toBeLessThanOrEqual(client);
    for (const [w, h] of await fleetPage
      .locator('nav a, .card .open')
      .evaluateAll((els) => els.map((e) => (e as unknown as Boxed).getBoundingClientRect()).map((r) => [r.width, r.height])))
      expect(Math.min(w!, h!)).toBeGreaterThanOrEqual(44);
    expect(await fleetPage.locator('main img').count()).toBe(0);
    expect(await fleetPage.evaluate(() => window.__pwned)).toBeUndefined();
  });

  it("opens a project's team page by a tap, and that page follows its team live (a killed agent's new pid)", async () => {
    await fleetPage.locator('li[data-project="alpha"] a.open').tap();
    await fleetPage.waitForURL(/\/p\/alpha\/$/);
    const pids = await alphaPids();
    await expect.poll(() => fleetPage.locator('tr[data-agent="worker"] [data-f=pid]').textContent(), { timeout: 5000 }).toBe(String(pids.worker));
    await fleetPage.evaluate(() => (window.__same = 1));
    process.kill(pids.worker!, 'SIGKILL');
    const cell = fleetPage.locator('tr[data-agent="worker"] [data-f=pid]');
    await expect.poll(async () => Number(await cell.textContent()), { timeout: 20_000, interval: 100 }).not.toBe(pids.worker);
    await expect.poll(async () => Number(await cell.textContent()), { timeout: 20_000, interval: 100 }).toBeGreaterThan(0);
    const shown = Number(await cell.textContent());
    await waitFor(async () => (await alphaPids()).worker === shown, 10_000);
    expect(await fleetPage.evaluate(() => window.__same)).toBe(1);
  });

  it("sends from an agent's page under the prefix to that project's inbox, from maintainer; its pages scroll nothing sideways", async () => {
    await fleetPage.locator('tr[data-agent="checker"] a').tap();
    await fleetPage.waitForURL(/\/p\/alpha\/agents\/checker$/);
    await fleetPage.locator('#message').fill('from the fleet page');
    await fleetPage.locator('#message-form button[type=submit]').tap();
    await expect.poll(() => fleetPage.locator('#action-result').textContent(), { timeout: 10_000 }).toMatch(/^sent .* to checker$/);
    expect(readFileSync(join(root, 'alpha', 'state', 'inbox', 'checker.md'), 'utf8')).toMatch(/from maintainer\n> from the fleet page/);
    for (const path of ['/p/alpha/', '/p/alpha/phase', '/p/alpha/agents/worker', `/p/${encodeURIComponent(ODD)}/`]) {
      await fleetPage.goto(new URL(path, fleetWeb.url).href);
      const { scroll, client } = await noOverflow(fleetPage);
      expect(scroll, path).toBeLessThanOrEqual(client);
    }
    expect(await fleetPage.evaluate(() => window.__pwned)).toBeUndefined();
  });
});
