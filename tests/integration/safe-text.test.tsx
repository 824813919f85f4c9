/**
 * The safe-text rule over every command and the dashboard (issue 21, item 3):
 * escape sequences an agent, a file, a pane or the config holds (clipboard write,
 * window title, clear screen, hyperlink, in 7-bit and 8-bit forms, BEL, a bidi
 * override) reach no person's terminal. The state is poisoned by writing its
 * files directly, as an agent that can write there could; one real pane prints
 * the sequences; agents.toml holds them in a key for the config-error case.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, render } from 'ink-testing-library';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { layout } from '../../src/state/layout.js';
import { initialPhaseState } from '../../src/state/phase.js';
import { Tmux } from '../../src/tmux/client.js';
import { Dashboard, type DashActions } from '../../src/ui/App.js';
import { Engine } from '../../src/ui/engine.js';
import { initialDashState } from '../../src/ui/model.js';
import { createStore } from '../../src/ui/store.js';
import { team, waitFor, type AoResult, type Team } from '../helpers/ao.js';

/** Every kind of sequence, between the words that must still show: MARK, link, END. */
const P = 'MARK\x1b]52;c;aGk=\x07\x1b]0;pwned\x07\x1b[2J\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\\x9b2J\x9d0;t\x9c\x07\u202eEND';
const SHOWN = 'MARKlinkEND';
/** ESC, BEL, the C1 controls as code points (U+0080–U+009F, which UTF-8 writes as C2 80–C2 9F), bidi controls */
// eslint-disable-next-line no-control-regex
const LEAK = /[\x07\x1b\x80-\x9f\u202a-\u202e\u2066-\u2069]/;

/** A TOML basic string holding `text`: its controls as \u escapes, C1 and bidi raw (TOML allows them). */
const toml = (text: string): string =>
  // eslint-disable-next-line no-control-regex
  `"${text.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\x00-\x1f\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;

/** The output as text (UTF-8 decoded), with no leak; the place of the first leak in the message. */
function expectClean(what: string, r: AoResult): void {
  for (const [stream, text] of [
    ['stdout', r.stdout],
    ['stderr', r.stderr],
  ] as const) {
    const at = text.search(LEAK);
    expect(at, `${what} ${stream} leaks at ${at}: ${JSON.stringify(text.slice(Math.max(0, at - 40), at + 40))}`).toBe(-1);
  }
}

const TOML = (dir: string): string =>
  `[defaults]\nsession_prefix = "sx-"\n\n[[phases]]\nid = "one"\nplan = "one.md"\n\n` +
  `[agents.p]\nkind = "service"\ncommand = "sh"\nargs = ["-c", "cat '${join(dir, 'payload.txt')}'; exec sleep 1000", ${toml(P)}]\n\n` +
  `[agents.f]\nkind = "service"\ncommand = "sleep"\nargs = [${toml(P)}]\nenabled = false\n\n` +
  `[agents.e]\nkind = "service"\ncommand = "sleep"\nargs = ["1000"]\nenabled = false\n\n` +
  `[agents.z]\nkind = "service"\ncommand = "sleep"\nargs = ["1000"]\nenabled = false\n`;

let t: Team;
let stateDir: string;

/** Every file an agent (or anything that writes to the state folder) can fill, filled with P. */
function poison(): void {
  const now = Date.now();
  const agents = JSON.parse(readFileSync(layout.agents(stateDir), 'utf8')) as { agents: Record<string, Record<string, unknown>> };
  Object.assign(agents.agents.p!, {
    model: P,
    waitingOn: P,
    conversationId: P,
    delivery: { what: 'kickoff', verdict: 'not-delivered', reason: P, at: now },
  });
  const down = { up: true, startedAt: new Date(now - 60_000).toISOString(), restarts: 1, iteration: 0, model: P };
  agents.agents.f = { ...down, life: { is: 'failed', why: P } };
  agents.agents.e = { ...down, life: { is: 'error', retryAt: 0, message: P } };
  agents.agents.z = { ...down, life: { is: 'paused', until: null, why: P } };
  writeFileSync(layout.agents(stateDir), JSON.stringify(agents));

  const time = new Date(now).toISOString();
  for (const event of ['failed', 'gate-fail', P])
    appendFileSync(layout.events(stateDir), `${JSON.stringify({ time, agent: 'p', event, reason: `${P}\n${P}`, details: { [P]: P, n: [P] } })}\n`);
  appendFileSync(layout.events(stateDir), `${JSON.stringify({ time: P, agent: P, event: 'failed', reason: P })}\n`);

  const phase = { ...initialPhaseState(), startedAt: time };
  phase.history.push({ at: P, phase: P, event: P, detail: P }, { at: time, phase: 'one', event: 'gate-fail', detail: `${P}\n${P}` });
  writeFileSync(layout.phase(stateDir), JSON.stringify(phase));

  writeFileSync(layout.review(stateDir, 'one'), `# review\n\nVERDICT: FAIL one\n${P}\n- ${P}\n`);
  writeFileSync(layout.journal(stateDir, 'one'), `# journal\n${P}\n`);
  mkdirSync(layout.inboxes(stateDir), { recursive: true });
  writeFileSync(layout.inbox(stateDir, 'p'), `## m1 · ${time} · from ${P}\n> ${P}\n> ${P}\n\n`);

  const usage = { input_tokens: 1, output_tokens: 2, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: 0.5 };
  for (const [agent, ph] of [
    ['p', P],
    [P, 'one'],
    [P.repeat(20), P.repeat(20)],
  ])
    appendFileSync(layout.usage(stateDir), `${JSON.stringify({ time, agent, phase: ph, iteration: 1, usage })}\n`);

  mkdirSync(join(stateDir, 'signals'), { recursive: true });
  writeFileSync(join(stateDir, 'signals', 'p.jsonl'), `${JSON.stringify({ time, hook: P, session: P, type: P })}\n`);
  appendFileSync(layout.agentLog(stateDir, 'p'), `${P}\r\n${P}\n`);
}

beforeAll(async () => {
  t = team('safetext', { 'agents.toml': 'placeholder', 'prompts/kickoff.md': '# {agent}\n', 'phases/one.md': '# one\n' });
  writeFileSync(join(t.dir, 'agents.toml'), TOML(t.dir));
  writeFileSync(join(t.dir, 'payload.txt'), `${P}\n${P}\n`);
  writeFileSync(join(t.dir, 'fleet.toml'), `[[projects]]\npath = ${JSON.stringify(t.dir)}\n`);
  stateDir = join(t.dir, 'state');
  const up = await t.ao('up', '--no-watchdog');
  expect(up.code, up.stdout + up.stderr).toBe(0);
  // the pane printed the payload (tmux shows the marks around what it acted on)
  await waitFor(async () => (await t.ao('logs', 'p')).stdout.includes('MARK'), 15_000);
  poison();
}, 60_000);

afterAll(async () => {
  cleanup();
  await t.cleanup();
});

/** Each command, its text and its JSON; `shows` says the poisoned text reached it (the test could fail). */
const COMMANDS: Array<{ args: string[]; shows?: boolean }> = [
  { args: ['status'], shows: true },
  { args: ['status', '--json'], shows: true },
  { args: ['explain', 'p'], shows: true },
  { args: ['explain', 'p', '--json'], shows: true },
  { args: ['explain', 'f'], shows: true },
  { args: ['events', '-n', '100'], shows: true },
  { args: ['events', 'p', '--json'], shows: true },
  { args: ['phase'], shows: true },
  { args: ['phase', '--json'], shows: true },
  { args: ['cost'], shows: true },
  { args: ['cost', '--json'], shows: true },
  { args: ['check'], shows: true },
  { args: ['check', '--json'], shows: true },
  { args: ['up', '--dry-run'], shows: true },
  { args: ['doctor'] },
  { args: ['doctor', '--json'] },
  { args: ['inbox', 'p'], shows: true },
  { args: ['inbox', 'p', '--json'], shows: true },
  { args: ['logs', 'p'], shows: true },
  { args: ['logs', 'p', '-n', '5'], shows: true },
  { args: ['fleet', 'status', '-f', 'fleet.toml'] },
  { args: ['fleet', 'status', '-f', 'fleet.toml', '--json'] },
  { args: ['version'] },
  { args: ['version', '--json'] },
];

describe('no escape sequence from a state file, a pane or the config reaches the terminal', () => {
  it.each(COMMANDS)('ao $args', async ({ args, shows }) => {
    const r = await t.ao(...args);
    expectClean(args.join(' '), r);
    if (shows) expect(`${r.stdout}${r.stderr}`, args.join(' ')).toContain('MARK');
    if (args.includes('--json') && args[0] !== 'events') {
      // JSON escapes rather than strips: the value read back is the raw text
      const parsed: unknown = JSON.parse(r.stdout);
      // (check prints the argv, which tmux's quoting changes; an inbox is cleaned as it is parsed, for panes as for people)
      if (shows && args[0] !== 'check' && args[0] !== 'inbox') expect(JSON.stringify(parsed)).toContain(JSON.stringify(P).slice(1, -1));
    }
  });

  it('the text keeps what is not a control: the words between the sequences', async () => {
    expect((await t.ao('status')).stdout).toContain(SHOWN);
    expect((await t.ao('phase')).stdout).toContain(SHOWN);
    expect((await t.ao('events')).stdout).toContain(SHOWN);
    const status = (await t.ao('status')).stdout.split('\n');
    // one row per agent: no field of a record starts a line of its own
    expect(status.filter((l) => l.startsWith('MARK'))).toEqual([]);
  });

  describe('the config error, from a key holding the sequences, is clean in every command and its excerpt short', () => {
    // the team's own agents.toml again after each case, whatever the case did
    afterEach(() => writeFileSync(join(t.dir, 'agents.toml'), TOML(t.dir)));
    it.each([
      ['an unknown key (a schema error)', `\n[agents.p2]\nkind = "service"\ncommand = "x"\n${toml(P + 'k'.repeat(300))} = 1\n`],
      ['raw controls in the file (a syntax error echoes the line)', `\n# ${P}\n`],
      ['100k levels of nesting on one line', `\nk = [${'['.repeat(100_000)}${']'.repeat(100_000)}]\n`],
    ])(
      '%s',
      async (_what, bad) => {
        writeFileSync(join(t.dir, 'agents.toml'), TOML(t.dir) + bad);
        for (const args of [
          ['status'],
          ['check'],
          ['events'],
          ['phase'],
          ['cost'],
          ['explain', 'p'],
          ['doctor'],
          ['inbox', 'p'],
          ['logs', 'p'],
          ['up', '--dry-run'],
        ]) {
          const r = await t.ao(...args);
          expectClean(`${args.join(' ')} with a bad agents.toml`, r);
          expect(r.stderr.length + r.stdout.length, args.join(' ')).toBeLessThan(20_000);
          if (args[0] === 'check') {
            expect(r.code).toBe(2);
            expect(r.stderr).toMatch(/agents\.toml:\d+/);
            // the 300-character key is shortened: the line is the known keys (31 of them for an agent) and a capped name
            expect(Math.max(...r.stderr.split('\n').map((l) => l.length))).toBeLessThan(520);
          }
        }
      },
      150_000,
    );
  });

  it('the dashboard: every panel, the pane preview and the log view, drawn from the same state', async () => {
    const project = loadProject(join(t.dir, 'agents.toml'), { ...process.env, AO_TMUX_SOCKET: t.socket, AO_CONFIG: '', TMUX: '' });
    const store = createStore(initialDashState());
    const engine = new Engine({ project, tmux: new Tmux(t.socket), store, configError: `agents.toml:3:1: ${P}\n3 | ${P}` });
    const noop = (): void => undefined;
    const actions: DashActions = { attach: noop, restart: noop, toggle: noop, send: noop, advance: noop, quit: noop, focus: noop };
    const app = render(<Dashboard store={store} actions={actions} color={false} size={{ columns: 200, rows: 60 }} initialSelected="p" />);
    // ink's own styles (SGR: ESC [ … m) are the only sequences a frame may hold; none of P's is one
    // eslint-disable-next-line no-control-regex
    const ownStyles = /\x1b\[[0-9;]*m/g;
    const frame = (): string => (app.lastFrame() ?? '').replace(ownStyles, '');
    const frames: string[] = [];
    const states = [];
    for (const view of ['preview', 'log'] as const) {
      engine.focus('p', view);
      await engine.tick();
      await waitFor(async () => frame().includes('MARK'), 5_000, 20);
      frames.push(frame());
      states.push(store.get());
    }
    // the pane's own terminal acted on what it printed (ESC [2J cleared MARK): what it shows now comes through
    expect(states[0]?.preview?.lines.join('\n')).toContain('END');
    expect(states[1]?.log?.lines.join('\n')).toContain('MARK');
    for (const f of [...frames, ...app.frames.map((x) => x.replace(ownStyles, ''))]) {
      const at = f.search(LEAK);
      expect(at, `dashboard frame leaks at ${at}: ${JSON.stringify(f.slice(Math.max(0, at - 40), at + 40))}`).toBe(-1);
    }
    // what the store holds, which every component draws from, holds no leak either
    for (const state of states) {
      expect(JSON.stringify(state)).not.toMatch(/\\u001b|\\u0007/);
      expect(JSON.stringify(state)).not.toMatch(LEAK);
    }
    expect(frames.join('\n')).toContain(SHOWN);
    app.unmount();
  }, 60_000);
});
