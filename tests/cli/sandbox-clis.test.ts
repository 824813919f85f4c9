/**
 * The real agent CLIs (installed from npm, pinned in tests/helpers/clis.ts) in
 * their bubblewrap sandboxes (issue 24, item 5), started by `ao up` with the
 * watchdog on a private tmux socket against their loopback stand-ins: a Claude
 * Code, a Codex, a Gemini CLI and an opencode loop each complete two
 * iterations (the phase's max_iterations), the second calling its shell tool
 * inside, which writes into the workspace; a
 * sandboxed Claude Code TUI waits at its folder-trust dialog with no keystroke
 * from ao, and once a person accepts, records the trust (in ~/.claude.json,
 * which its sandbox lets it write) and gets its kickoff; so do a Codex and a
 * Gemini CLI TUI (their trust recorded in their own folders of HOME), and an
 * opencode TUI, which asks nothing, gets its kickoff. Each time, what its
 * sandbox refused is nothing it needed, and nothing of the state folder but
 * its own files changed.
 */
import { execa } from 'execa';
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicUserTexts, startAnthropic } from '../fixtures/standins/anthropic.js';
import type { Recorded, StandIn } from '../fixtures/standins/common.js';
import { geminiUserTexts, startGemini } from '../fixtures/standins/gemini.js';
import { openaiUserTexts, startOpenAI } from '../fixtures/standins/openai.js';
import { endStandInTeam, makeProject, runAo, statusOf, tmux, uniqueSocket, waitFor } from '../helpers/ao.js';
import { announceInstallFailure, ensureCli, type CliName } from '../helpers/clis.js';
import { cliHome, type CliHome, tomlPairs } from '../helpers/standin-env.js';

const toml = (s: string): string => JSON.stringify(s);
const read = (path: string): string => (existsSync(path) ? readFileSync(path, 'utf8') : '');

interface LoopCase {
  cli: CliName;
  start: () => Promise<StandIn>;
  texts: (r: Recorded) => string[];
  args: string[];
  /** what the pane shows of the tool's output, run inside the sandbox */
  toolOutput: RegExp;
}

const LOOPS: LoopCase[] = [
  { cli: 'claude', start: startAnthropic, texts: anthropicUserTexts, args: ['--allowedTools', 'Bash'], toolOutput: /tool-output-line/ },
  { cli: 'codex', start: startOpenAI, texts: openaiUserTexts, args: ['--skip-git-repo-check'], toolOutput: /^ {2}↳ tool-output-line$/m },
  { cli: 'gemini', start: startGemini, texts: geminiUserTexts, args: ['--yolo'], toolOutput: /tool-output-line/ },
  { cli: 'opencode', start: startAnthropic, texts: anthropicUserTexts, args: [], toolOutput: /tool-output-line/ },
];

function loopToml(c: LoopCase, bin: string, env: Record<string, string>): string {
  return [
    '[defaults]',
    `session_prefix = "sbx-${c.cli}-"`,
    '[agents.builder]',
    'kind = "loop"',
    `backend = "${c.cli}"`,
    'sandbox = "bwrap"',
    `command = ${toml(bin)}`,
    `args = [${c.args.map(toml).join(', ')}]`,
    `env = { ${tomlPairs(env)} }`,
    'min_iteration_s = 1',
    '[[phases]]',
    'id = "one"',
    'plan = "one.md"',
    'max_iterations = 2',
    '',
  ].join('\n');
}

/** One sandboxed TUI (a persistent agent named lead) whose CLI runs against its stand-in. */
function tuiToml(prefix: string, backend: CliName, bin: string, env: Record<string, string>): string {
  return [
    '[defaults]',
    `session_prefix = "${prefix}"`,
    '[agents.lead]',
    'kind = "persistent"',
    `backend = "${backend}"`,
    'sandbox = "bwrap"',
    `command = ${toml(bin)}`,
    `env = { ${tomlPairs(env)} }`,
    '[watchdog]',
    'stall_check_s = 1',
    '[[phases]]',
    'id = "one"',
    'plan = "one.md"',
    '',
  ].join('\n');
}

for (const c of LOOPS) {
  const installed = await ensureCli(c.cli);
  if (!installed.ok) announceInstallFailure(c.cli, installed.reason);

  describe.skipIf(!installed.ok)(`a sandboxed ${c.cli} loop`, { timeout: 180_000 }, () => {
    const socket = uniqueSocket(`sbx-${c.cli}`);
    let server: StandIn;
    let home: CliHome;
    let dir: string;
    const ao = (...args: string[]) => runAo(args, { cwd: dir, socket });

    beforeAll(async () => {
      server = await c.start();
      dir = realpathSync(makeProject({ 'prompts/kickoff.md': 'Run the check and report.\n', 'prompts/builder.md': 'unused\n', 'phases/one.md': '# one\n' }));
      home = cliHome(c.cli, { url: server.url, trusted: [dir] });
      writeFileSync(join(dir, 'agents.toml'), loopToml(c, installed.ok ? installed.bin : '', home.env));
    });

    afterAll(() => endStandInTeam({ dir, socket, server, home }));

    it('reaches its stand-in and completes two iterations, its shell tool running inside the sandbox', async () => {
      // the second (last) iteration, whose pane stays up, calls a tool that writes into the workspace
      server.script(
        { kind: 'text', text: 'Iteration done.' },
        { kind: 'tool', command: 'echo tool-output-line > tool-wrote.txt; echo tool-output-line', sandbox: true },
      );
      server.fallback({ kind: 'text', text: 'Iteration done.' });
      const checked = await ao('check');
      expect(checked.stdout).toMatch(/^ {4}sandbox: \S*bwrap --ro-bind \/ \/ .* --unshare-pid --die-with-parent --cap-drop ALL --setenv AO_SANDBOX builder /m);
      // as root, Codex's own bubblewrap cannot be made inside ao's: ao tells it to rely on the outer one, and says so
      if (c.cli === 'codex' && process.getuid?.() === 0)
        expect(checked.stdout).toMatch(/ao passes --sandbox danger-full-access, and its bubblewrap sandbox confines it/);
      const up = await ao('up');
      expect(up.code, up.stdout + up.stderr).toBe(0);
      await waitFor(async () => ((await statusOf(ao)).agents.builder?.state === 'paused' ? true : undefined), 150_000, 500);
      const kickoffs = server.requests.filter((r) => r.model && c.texts(r).some((t) => t.includes('Run the check and report.')));
      expect(kickoffs.length).toBeGreaterThanOrEqual(2);
      const pane = (await tmux(socket, ['capture-pane', '-p', '-J', '-S', '-300', '-t', `sbx-${c.cli}-builder`])).stdout;
      expect(pane).toMatch(/^Iteration done\.$/m);
      expect(pane).toMatch(c.toolOutput);
      expect(read(join(dir, 'tool-wrote.txt'))).toBe('tool-output-line\n');
      const events = (await ao('events', '--json', '-n', '200')).stdout;
      expect(events).not.toMatch(/start-error/);
    });
  });
}

const claude = await ensureCli('claude');
describe.skipIf(!claude.ok)('a sandboxed Claude Code TUI', { timeout: 180_000 }, () => {
  const socket = uniqueSocket('sbx-claude-tui');
  let server: StandIn;
  let home: CliHome;
  let dir: string;
  const ao = (...args: string[]) => runAo(args, { cwd: dir, socket });
  const session = 'sbx-tui-lead';
  const screen = async (): Promise<string> => (await tmux(socket, ['capture-pane', '-p', '-t', session])).stdout;
  // in its read-only HOME it keeps its state in ~/.claude (CLAUDE_CONFIG_DIR), started from a copy of ~/.claude.json
  const trusted = (): boolean =>
    (JSON.parse(read(join(home.home, '.claude', '.claude.json')) || '{}') as { projects?: Record<string, { hasTrustDialogAccepted?: boolean }> }).projects?.[
      dir
    ]?.hasTrustDialogAccepted === true;

  beforeAll(async () => {
    server = await startAnthropic();
    server.fallback({ kind: 'text', text: 'Ready and waiting.' });
    dir = realpathSync(makeProject({ 'prompts/kickoff.md': 'Sandboxed kickoff text.\n', 'phases/one.md': '# one\n' }));
    home = cliHome('claude', { url: server.url, trusted: [] });
    writeFileSync(join(dir, 'agents.toml'), tuiToml('sbx-tui-', 'claude', claude.ok ? claude.bin : '', home.env));
  });

  afterAll(() => endStandInTeam({ dir, socket, server, home }));

  it('waits at its trust dialog with no keystroke from ao; accepted by a person, records the trust and gets its kickoff', async () => {
    const maintainers = read(join(home.home, '.claude.json'));
    const up = await ao('up');
    expect(up.code, up.stdout + up.stderr).toBe(0);
    await waitFor(async () => /trust this folder/i.test(await screen()), 60_000, 250);
    // sweeps and a mail notice go on: the dialog stays, no model turn, no trust recorded
    await ao('send', 'lead', 'hello');
    await new Promise((r) => setTimeout(r, 4000));
    expect(await screen()).toMatch(/trust this folder/i);
    expect((await statusOf(ao)).agents.lead?.state).toBe('waiting');
    expect(server.requests.filter((r) => r.model)).toEqual([]);
    expect(trusted()).toBe(false);
    // a person accepts (2.1.332 puts the cursor on "No, exit")
    await tmux(socket, ['send-keys', '-t', session, 'Down']);
    await tmux(socket, ['send-keys', '-t', session, 'Enter']);
    // 2.1.332 then asks "Make auto mode your default permission mode?": a person keeps manual mode
    const asked = await waitFor(
      async () => {
        if (server.requests.some((r) => r.model)) return 'no question';
        return (await statusOf(ao)).agents.lead?.detail?.includes('at a dialog (question)') ? 'question' : undefined;
      },
      30_000,
      250,
    );
    if (asked === 'question') {
      await tmux(socket, ['send-keys', '-t', session, 'Down']);
      await tmux(socket, ['send-keys', '-t', session, 'Enter']);
    }
    const turn = await server.waitFor((r) => r.model && anthropicUserTexts(r).some((t) => t.includes('Sandboxed kickoff text.')), 90_000);
    expect(turn).toBeTruthy();
    expect(trusted()).toBe(true);
    // the maintainer's own ~/.claude.json is as it was
    expect(read(join(home.home, '.claude.json'))).toBe(maintainers);
  });
});

interface TuiCase {
  cli: 'codex' | 'gemini' | 'opencode';
  start: () => Promise<StandIn>;
  texts: (r: Recorded) => string[];
  /** Codex asks its trust question only in a git repository */
  git: boolean;
  /** where the CLI records the trust a person gave, under its own folder of HOME (which its sandbox lets it write); null: it asks none */
  recorded: ((home: CliHome, dir: string) => boolean) | null;
}

const TUIS: TuiCase[] = [
  { cli: 'codex', start: startOpenAI, texts: openaiUserTexts, git: true, recorded: (h, dir) => read(join(h.home, '.codex', 'config.toml')).includes(dir) },
  {
    cli: 'gemini',
    start: startGemini,
    texts: geminiUserTexts,
    git: false,
    recorded: (h, dir) => read(join(h.home, '.gemini', 'trustedFolders.json')).includes(dir),
  },
  // opencode asks nothing in a folder it has not seen: its kickoff is pasted into its ready screen
  { cli: 'opencode', start: startAnthropic, texts: anthropicUserTexts, git: false, recorded: null },
];

for (const c of TUIS) {
  const installed = await ensureCli(c.cli);
  if (!installed.ok) announceInstallFailure(c.cli, installed.reason);

  describe.skipIf(!installed.ok)(`a sandboxed ${c.cli} TUI`, { timeout: 180_000 }, () => {
    const socket = uniqueSocket(`sbx-${c.cli}-tui`);
    let server: StandIn;
    let home: CliHome;
    let dir: string;
    const ao = (...args: string[]) => runAo(args, { cwd: dir, socket });
    const session = `sbx-${c.cli}-tui-lead`;
    const screen = async (): Promise<string> => (await tmux(socket, ['capture-pane', '-p', '-t', session])).stdout;

    beforeAll(async () => {
      server = await c.start();
      server.fallback({ kind: 'text', text: 'Ready and waiting.' });
      dir = realpathSync(makeProject({ 'prompts/kickoff.md': 'Sandboxed kickoff text.\n', 'phases/one.md': '# one\n' }));
      if (c.git) await execa('git', ['init', '-q', dir]);
      home = cliHome(c.cli, { url: server.url, trusted: [], codexApproval: 'on-request' });
      writeFileSync(join(dir, 'agents.toml'), tuiToml(`sbx-${c.cli}-tui-`, c.cli, installed.ok ? installed.bin : '', home.env));
    });

    afterAll(() => endStandInTeam({ dir, socket, server, home }));

    const kickoff = (): Promise<Recorded> =>
      server
        .waitFor((r) => r.model && c.texts(r).some((t) => t.includes('Sandboxed kickoff text.')), 90_000)
        .catch(async (e: Error) => {
          throw new Error(`${e.message}; the screen shows:\n${await screen()}`);
        });

    const recorded = c.recorded;
    if (recorded === null)
      it('gets its kickoff pasted into its ready screen, inside its sandbox', async () => {
        const up = await ao('up');
        expect(up.code, up.stdout + up.stderr).toBe(0);
        expect(await kickoff()).toBeTruthy();
        expect((await statusOf(ao)).agents.lead?.state).toBe('running');
      });
    else
      it('waits at its trust dialog with no keystroke from ao; accepted by a person, records the trust in its own files and gets its kickoff', async () => {
        const up = await ao('up');
        expect(up.code, up.stdout + up.stderr).toBe(0);
        await waitFor(async () => ((await statusOf(ao)).agents.lead?.detail?.includes('at a dialog (folder trust)') ? true : undefined), 60_000, 250).catch(
          async (e: Error) => {
            throw new Error(`${e.message}; the screen shows:\n${await screen()}`);
          },
        );
        // sweeps and a mail notice go on: the dialog stays, no model turn, no trust recorded
        await ao('send', 'lead', 'hello');
        await new Promise((r) => setTimeout(r, 4000));
        expect((await statusOf(ao)).agents.lead?.state).toBe('waiting');
        expect(server.requests.filter((r) => r.model)).toEqual([]);
        expect(recorded(home, dir)).toBe(false);
        // a person accepts (both put the cursor on trusting the folder)
        await tmux(socket, ['send-keys', '-t', session, 'Enter']);
        expect(await kickoff()).toBeTruthy();
        expect(recorded(home, dir)).toBe(true);
      });
  });
}
