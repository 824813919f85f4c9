/**
 * Issue 8's must-hold tests on the real TUIs (installed from npm, pinned in
 * tests/helpers/clis.ts), each a persistent agent started by `bin/ao up` on a
 * private tmux socket against its loopback stand-in:
 *
 * - folder trust: in a HOME where the project is not yet trusted the TUI shows
 *   its trust dialog; while `ao send` and the watchdog's sweeps go on, no
 *   keystroke reaches it (the dialog stays, the stand-in gets no model turn,
 *   the CLI records no trust); then a person answers and the kickoff arrives
 *   once, byte for byte;
 * - tool permission: the stand-in answers the kickoff with a shell command
 *   that would create a marker file; the TUI asks, and while mail and sweeps
 *   go on the dialog stays, the marker never appears and status reads waiting.
 *
 * opencode 1.18 has no folder-trust dialog (it opens any folder), so it has
 * only the permission case, plus the plain kickoff check in a folder it opens.
 */
import { execa } from 'execa';
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getBackend } from '../../src/backends/index.js';
import { anthropicUserTexts, startAnthropic } from '../fixtures/standins/anthropic.js';
import type { Recorded, StandIn } from '../fixtures/standins/common.js';
import { geminiUserTexts, startGemini } from '../fixtures/standins/gemini.js';
import { openaiUserTexts, startOpenAI } from '../fixtures/standins/openai.js';
import { eventsOf, makeProject, runAo, statusOf, tmux, uniqueSocket, waitFor, type Ao, endStandInTeam } from '../helpers/ao.js';
import { announceInstallFailure, ensureCli, type CliName } from '../helpers/clis.js';
import { cliHome, type CliHome, tomlPairs } from '../helpers/standin-env.js';

/** Quotes, a command substitution, backticks, non-ASCII and blank lines (one and two). */
const ROLE = [
  'Role: review the "journal" and it\'s plan: $(touch PWNED-dollar) `touch PWNED-tick` $HOME',
  '',
  'Ünïcödé — 日本語 ✓ «quotes» ‘single’',
  '',
  '',
  '  indented line; done & done | tee >/dev/null',
].join('\n');
const MAIL = 'hello; $(touch PWNED-mail)';
const FIRST_LINE = ROLE.split('\n')[0]!;
/** How long mail and sweeps go on at a dialog: the watchdog looks every 150 ms to 2 s. */
const AT_DIALOG_MS = 6000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Case {
  cli: CliName;
  start: () => Promise<StandIn>;
  texts: (r: Recorded) => string[];
  /** null: this CLI has no folder-trust dialog */
  trust: {
    /** keys a person presses to accept it */
    accept: string[];
    /** the CLI has recorded the folder as trusted */
    recorded: (home: CliHome, dir: string) => boolean;
    /** the project must be a git repository for the CLI to ask */
    git?: boolean;
  } | null;
  /** a question the TUI asks at start in ask-before-tools mode, and the keys a person answers it with */
  startQuestion?: { dialog: string; keys: string[] };
  /** keys a person presses to refuse the tool (so the TUI ends cleanly) */
  reject: string[];
  /** the pasted text out of the user turn, as far as this CLI keeps it (the byte-for-byte check) */
  kept: (pasted: string) => string;
  /** the user text out of the CLI's wrapping of a paste */
  unwrap: (received: string) => string;
}

const read = (path: string): string => (existsSync(path) ? readFileSync(path, 'utf8') : '');

const CASES: Case[] = [
  {
    cli: 'claude',
    start: startAnthropic,
    texts: anthropicUserTexts,
    // 2.1.332 puts the cursor on "No, exit": a person moves down to "Yes, I trust this folder"
    trust: {
      accept: ['Down', 'Enter'],
      recorded: (h, dir) =>
        (JSON.parse(read(join(h.home, '.claude.json')) || '{}') as { projects?: Record<string, { hasTrustDialogAccepted?: boolean }> }).projects?.[dir]
          ?.hasTrustDialogAccepted === true,
    },
    // 2.1.332 in manual mode first asks "Make auto mode your default permission mode?": a person keeps manual mode
    startQuestion: { dialog: 'question', keys: ['Down', 'Enter'] },
    reject: ['Escape'],
    kept: (t) => t,
    // 2.1.332 sends a paste wrapped: "\n\n<pasted_content id=…>\n" TEXT "\n</pasted_content id=…>\n"
    unwrap: (t) => /^\n\n<pasted_content id="([^"]+)">\n([\s\S]*)\n<\/pasted_content id="\1">\n$/.exec(t)?.[2] ?? `(not wrapped as 2.1.332 does) ${t}`,
  },
  {
    cli: 'codex',
    start: startOpenAI,
    texts: openaiUserTexts,
    trust: { accept: ['Enter'], recorded: (h, dir) => read(join(h.home, '.codex', 'config.toml')).includes(dir), git: true },
    reject: ['Escape'],
    kept: (t) => t,
    unwrap: (t) => t,
  },
  {
    cli: 'gemini',
    start: startGemini,
    texts: geminiUserTexts,
    trust: { accept: ['Enter'], recorded: (h, dir) => read(join(h.home, '.gemini', 'trustedFolders.json')).includes(dir) },
    reject: ['Escape'],
    // Gemini CLI 0.61 draws a pasted text without its blank lines, but sends them: the turn holds the text exactly
    kept: (t) => t,
    unwrap: (t) => t,
  },
  {
    cli: 'opencode',
    start: startAnthropic,
    texts: anthropicUserTexts,
    trust: null,
    reject: ['Escape'],
    // opencode 1.18 shows a paste as "[Pasted ~N lines] " and sends it with that trailing space: all else is kept
    kept: (t) => `${t} `,
    unwrap: (t) => t,
  },
];

function toml(s: string): string {
  return JSON.stringify(s);
}

function agentsToml(c: Case, bin: string, env: Record<string, string>): string {
  const envLine = tomlPairs(env);
  return [
    '[defaults]',
    `session_prefix = "dlg-${c.cli}-"`,
    '',
    '[agents.tui]',
    'kind = "persistent"',
    `backend = "${c.cli}"`,
    `command = ${toml(bin)}`,
    `env = { ${envLine} }`,
    'heal = "heal"',
    '',
    '[[phases]]',
    'id = "one"',
    'plan = "one.md"',
    '',
    '[watchdog]',
    'stall_check_s = 0.5',
    '',
  ].join('\n');
}

interface Rig {
  dir: string;
  socket: string;
  server: StandIn;
  home: CliHome;
  ao: Ao;
  session: string;
  capture: () => Promise<string>;
  keys: (...keys: string[]) => Promise<void>;
  /** the kickoff as ao pastes it: controls stripped, the final newline dropped */
  pasted: () => string;
}

const rigs: Rig[] = [];
// every rig at once, with time for all: one after another, a dozen `ao down`s of TUIs on a loaded machine
// outlasted the hook's 30 s and left the later rigs' tmux servers and watchdogs running
afterAll(async () => {
  await Promise.all(rigs.map(endStandInTeam));
}, 120_000);

async function rig(c: Case, bin: string, options: { trusted: boolean; askTools: boolean }): Promise<Rig> {
  const server = await c.start();
  server.fallback({ kind: 'text', text: 'Noted.' });
  const dir = realpathSync(makeProject({ 'prompts/kickoff.md': '{role_prompt}\n', 'prompts/tui.md': `${ROLE}\n`, 'phases/one.md': '# one\n' }));
  if (c.trust?.git) await execa('git', ['init', '-q', dir]);
  const home = cliHome(c.cli, { url: server.url, trusted: options.trusted ? [dir] : [], askTools: options.askTools, codexApproval: 'on-request' });
  writeFileSync(join(dir, 'agents.toml'), agentsToml(c, bin, home.env));
  const socket = uniqueSocket(`dlg-${c.cli}`);
  const session = `=dlg-${c.cli}-tui:`;
  const r: Rig = {
    dir,
    socket,
    server,
    home,
    session,
    ao: (...args: string[]) => runAo(args, { cwd: dir, socket }),
    capture: async () => (await tmux(socket, ['capture-pane', '-p', '-t', session])).stdout,
    keys: async (...keys: string[]) => {
      for (const k of keys) {
        await tmux(socket, ['send-keys', '-t', session, k]);
        await sleep(300);
      }
    },
    pasted: () => read(join(dir, 'state', 'kickoff', 'tui.md')).replace(/\n+$/, ''),
  };
  rigs.push(r);
  return r;
}

/**
 * `ao up` as a user runs it: it must come back at once whatever the screen
 * shows. Where it sees the dialog (it watches for 4 s) it must say so within
 * 5 s (issue 8). Where the CLI draws its dialog later than that (Codex 0.171
 * and Gemini CLI 0.61 take 3.5-5 s here) it gives up watching and leaves the
 * kickoff to the watchdog; its 4 s watch starts only after the watchdog is
 * seen, so such an `ao up` takes about 5.5 s on this 2-core machine: bounded
 * at 7 s. On a machine loaded by other work both bounds stretch by how much
 * slower than 0.5 s a plain `ao status` runs just before.
 */
async function up(r: Rig): Promise<string> {
  const t0 = Date.now();
  await r.ao('status', '--json');
  const slowdown = Math.max(0, Date.now() - t0 - 500);
  const began = Date.now();
  const result = await r.ao('up');
  const took = Date.now() - began;
  expect(result.code, result.stdout + result.stderr).toBe(0);
  const sawDialog = /waiting at a dialog/.test(result.stdout);
  const bound = (sawDialog ? 5000 : 7000) + slowdown;
  expect(
    took,
    `ao up returns at once (${sawDialog ? 'it saw the dialog' : 'no dialog seen in its watch'}; bound stretched by ${slowdown} ms of load)`,
  ).toBeLessThan(bound);
  return result.stdout;
}

/** Mail and sweeps at a dialog for a while; what a person would see afterwards. */
async function mailAtDialog(r: Rig): Promise<void> {
  expect((await r.ao('send', 'tui', MAIL)).code).toBe(0);
  await sleep(AT_DIALOG_MS / 2);
  expect((await r.ao('send', 'tui', `${MAIL} again`)).code).toBe(0);
  await sleep(AT_DIALOG_MS / 2);
}

/** ao's own account of anything it pasted or typed into the agent (kickoff, notice, nudge: any verdict but not-delivered). */
async function handsOn(r: Rig): Promise<string[]> {
  return (await eventsOf(r.ao))
    .filter((e) => e.agent === 'tui' && /^(?:kickoff-(?:delivered|unconfirmed)|mail-notice(?:-unconfirmed)?|nudge-(?:pasted|unconfirmed))$/.test(e.event))
    .map((e) => `${e.event}: ${e.reason}`);
}

/** What ao did to the agent, for a failure's message. */
async function story(r: Rig): Promise<string> {
  return (await eventsOf(r.ao)).map((e) => `${e.agent} ${e.event}: ${e.reason}`).join('\n');
}

/** The user texts of a request that are the pasted kickoff (Codex also quotes it in a request for a session title: not a turn). */
const kickoffTexts = (c: Case, q: Recorded): string[] =>
  q.model
    ? c
        .texts(q)
        .map(c.unwrap)
        .filter((t) => t.startsWith(FIRST_LINE))
    : [];

/** The first model turn that carries the kickoff; on a timeout, says what the screen showed. */
async function kickoffTurn(c: Case, r: Rig): Promise<Recorded> {
  try {
    return await r.server.waitFor((q) => kickoffTexts(c, q).length > 0, 60_000);
  } catch (error) {
    const status = (await statusOf(r.ao)).agents.tui;
    throw new Error(`${(error as Error).message}\nstatus: ${JSON.stringify(status)}\nscreen:\n${await r.capture()}`);
  }
}

for (const c of CASES) {
  const installed = await ensureCli(c.cli);
  if (!installed.ok) announceInstallFailure(c.cli, installed.reason);
  const bin = installed.ok ? installed.bin : '';

  // one TUI at a time in this file (its project runs one other TUI file beside it, vitest.config.ts): a test's
  // timeout then counts its own work, never a wait for another test's turn
  describe.skipIf(!installed.ok)(`${c.cli} TUI at its dialogs`, { timeout: 120_000 }, () => {
    if (c.trust === null)
      // this CLI asks nothing in a folder it has not seen: what holds is that ao pastes into a ready screen only, once
      it('a folder it has not seen: no dialog, never waiting, and the kickoff arrives once, byte for byte', async () => {
        const r = await rig(c, bin, { trusted: false, askTools: false });
        expect(await up(r)).toMatch(/tui: started/);
        const turn = await kickoffTurn(c, r);
        const want = c.kept(r.pasted());
        expect(JSON.stringify(kickoffTexts(c, turn)[0]), await story(r)).toBe(JSON.stringify(want));
        const screen = await r.capture();
        expect(getDialog(c.cli, screen), screen).toBeNull();
        expect(
          (await eventsOf(r.ao)).filter((e) => e.agent === 'tui' && e.event === 'waiting'),
          'never waiting',
        ).toEqual([]);
        await sleep(1500);
        const turns = r.server.requests.filter((q) => kickoffTexts(c, q).length > 0);
        for (const q of turns) expect(kickoffTexts(c, q)).toEqual([want]);
        expect(
          (await handsOn(r)).filter((e) => e.startsWith('kickoff-')),
          'one kickoff',
        ).toHaveLength(1);
        for (const mark of ['dollar', 'tick']) expect(existsSync(join(r.dir, `PWNED-${mark}`)), mark).toBe(false);
      });
    else
      it('folder trust: nothing reaches the dialog; once a person answers, the kickoff arrives once, byte for byte', async () => {
        const trust = c.trust!;
        const r = await rig(c, bin, { trusted: false, askTools: false });
        const said = await up(r);
        // the dialog may be drawn after ao up stops watching (codex: seconds after its splash)
        expect(said).toMatch(
          /tui: started \(pid \d+[^)]*\); (?:waiting at a dialog \(folder trust\) — the kickoff will be pasted when it is answered \(ao attach tui\)|not ready for its kickoff yet)/,
        );
        await waitFor(async () => ((await statusOf(r.ao)).agents.tui?.state === 'waiting' ? true : undefined), 30_000, 250);

        await mailAtDialog(r);
        const screen = await r.capture();
        expect(getDialog(c.cli, screen), screen).toBe('folder trust');
        expect(
          r.server.requests.filter((q) => q.model),
          'no model turn before the person answers',
        ).toEqual([]);
        expect(
          r.server.requests.some((q) => q.body.includes('Ünïcödé')),
          'the kickoff never left',
        ).toBe(false);
        expect(trust.recorded(r.home, r.dir), 'no trust recorded').toBe(false);
        // the screen watch may be between a look that found the screen ready (the dialog drawn late) and its
        // paste refused at the dialog, which puts the kickoff back: pending again within a look or two
        const status = await waitFor(async () => {
          const tui = (await statusOf(r.ao)).agents.tui;
          return tui?.detail?.includes('kickoff pending') ? tui : undefined;
        }, 10_000).catch(async () => (await statusOf(r.ao)).agents.tui);
        expect(status).toMatchObject({ state: 'waiting' });
        expect(status?.detail).toContain('kickoff pending');
        expect(await handsOn(r), 'ao pasted nothing').toEqual([]);

        await r.keys(...trust.accept);
        const pasted = r.pasted();
        const want = c.kept(pasted);
        const turn = await kickoffTurn(c, r);
        expect(JSON.stringify(kickoffTexts(c, turn)[0]), await story(r)).toBe(JSON.stringify(want));
        expect(trust.recorded(r.home, r.dir), 'the person’s answer was recorded').toBe(true);
        // the mail notice follows as a turn of its own; the kickoff is in no turn twice
        await r.server.waitFor((q) => q.model && c.texts(q).some((t) => t.includes('you have new mail in your inbox')), 30_000);
        await sleep(1500);
        const turns = r.server.requests.filter((q) => kickoffTexts(c, q).length > 0);
        expect(turns.length).toBeGreaterThanOrEqual(2); // the kickoff's turn, then the notice's with the kickoff in its history
        for (const q of turns) expect(kickoffTexts(c, q)).toEqual([want]);
        for (const mark of ['dollar', 'tick', 'mail']) expect(existsSync(join(r.dir, `PWNED-${mark}`)), mark).toBe(false);
      });

    it('tool permission: the dialog stays while mail and sweeps go on, the tool never runs, status reads waiting', async () => {
      const r = await rig(c, bin, { trusted: true, askTools: true });
      const marker = join(r.dir, 'MARKER-made-by-tool');
      r.server.script({ kind: 'tool', command: `touch ${marker}` });
      const said = await up(r);
      expect(said).toMatch(/tui: started/);
      if (c.startQuestion) {
        const q = c.startQuestion;
        await waitFor(async () => ((await statusOf(r.ao)).agents.tui?.detail?.includes(`at a dialog (${q.dialog})`) ? true : undefined), 30_000, 250);
        expect(r.server.requests.filter((x) => x.model)).toEqual([]);
        await r.keys(...q.keys);
      }
      // the kickoff is pasted once the TUI is steadily ready; the stand-in answers it with the tool call
      const turn = await kickoffTurn(c, r);
      expect(JSON.stringify(kickoffTexts(c, turn)[0]), await story(r)).toBe(JSON.stringify(c.kept(r.pasted())));
      await waitFor(async () => ((await statusOf(r.ao)).agents.tui?.state === 'waiting' ? true : undefined), 30_000, 250);
      const modelTurns = r.server.requests.filter((q) => q.model).length;

      await mailAtDialog(r);
      const screen = await r.capture();
      expect(getDialog(c.cli, screen), screen).toBe('tool permission');
      expect(existsSync(marker), 'the tool never ran').toBe(false);
      expect(r.server.requests.filter((q) => q.model).length, 'no turn went on behind the dialog').toBe(modelTurns);
      expect((await statusOf(r.ao)).agents.tui).toMatchObject({ state: 'waiting' });
      expect(
        (await handsOn(r)).filter((e) => !e.startsWith('kickoff-')),
        'no notice was pasted',
      ).toEqual([]);

      // a person refuses; the tool still never ran
      await r.keys(...c.reject);
      await sleep(1000);
      expect(existsSync(marker)).toBe(false);
    });
  });
}

function getDialog(cli: CliName, screen: string): string | null {
  return getBackend(cli).dialog?.(screen) ?? null;
}
