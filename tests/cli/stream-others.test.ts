/**
 * Real Codex (0.171.0, `codex exec --json`) and Gemini CLI (0.61.0,
 * `--output-format stream-json`) loops through `ao up`, with the watchdog,
 * against their stand-ins: the pane shows readable progress (the answer, the
 * tool call, the usage) and no raw JSON line, the raw stream is kept in
 * state/streams, and `ao cost --json` adds up the tokens the stand-in
 * reported for each iteration. Two iterations: the phase's max_iterations.
 */
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USAGE, type Recorded, type StandIn, type Usage } from '../fixtures/standins/common.js';
import { startGemini } from '../fixtures/standins/gemini.js';
import { startOpenAI } from '../fixtures/standins/openai.js';
import { makeProject, runAo, statusOf, tmux, uniqueSocket, waitFor, endStandInTeam } from '../helpers/ao.js';
import { announceInstallFailure, ensureCli } from '../helpers/clis.js';
import { cliHome, type CliHome, tomlPairs } from '../helpers/standin-env.js';

/** what the stand-in reports for each answer (a tool call reports DEFAULT_USAGE) */
const EACH: Usage = { input_tokens: 2100, output_tokens: 64, cache_read_tokens: 1024, cache_write_tokens: 0 };

interface Case {
  cli: 'codex' | 'gemini';
  start: () => Promise<StandIn>;
  args: string[];
  /** the readable line of the tool call */
  tool: RegExp;
  /** the requests whose usage the CLI adds to its own count (Gemini's router asks the model too) */
  counted: (r: Recorded) => boolean;
}

const CASES: Case[] = [
  { cli: 'codex', start: startOpenAI, args: ['--skip-git-repo-check'], tool: /^⚙ shell: .*echo tool-output-line/m, counted: (r) => r.model },
  {
    cli: 'gemini',
    start: startGemini,
    args: ['--allowed-tools', 'run_shell_command'],
    tool: /^⚙ run_shell_command: echo tool-output-line/m,
    counted: (r) => r.method === 'POST' && /:(?:stream)?generateContent/i.test(r.url),
  },
];

const toml = (s: string): string => JSON.stringify(s);

for (const c of CASES) {
  const installed = await ensureCli(c.cli);
  if (!installed.ok) announceInstallFailure(c.cli, installed.reason);

  describe.skipIf(!installed.ok)(`a ${c.cli} loop, readable, with its usage kept`, { timeout: 180_000 }, () => {
    const socket = uniqueSocket(`stream-${c.cli}`);
    let server: StandIn;
    let home: CliHome;
    let dir: string;
    const ao = (...args: string[]) => runAo(args, { cwd: dir, socket });

    beforeAll(async () => {
      server = await c.start();
      dir = realpathSync(makeProject({ 'prompts/kickoff.md': 'Run the check and report.\n', 'prompts/builder.md': 'unused\n', 'phases/one.md': '# one\n' }));
      home = cliHome(c.cli, { url: server.url, trusted: [dir] });
      const env = tomlPairs(home.env);
      writeFileSync(
        join(dir, 'agents.toml'),
        [
          '[defaults]',
          `session_prefix = "stream-${c.cli}-"`,
          '[agents.builder]',
          'kind = "loop"',
          `backend = "${c.cli}"`,
          `command = ${toml(installed.ok ? installed.bin : '')}`,
          `args = [${c.args.map(toml).join(', ')}]`,
          `env = { ${env} }`,
          'min_iteration_s = 1',
          '[[phases]]',
          'id = "one"',
          'plan = "one.md"',
          'max_iterations = 2',
          '',
        ].join('\n'),
      );
    });

    afterAll(() => endStandInTeam({ dir, socket, server, home }));

    it('shows progress, not JSON, in the pane; keeps the stream; ao cost is what the stand-in reported', async () => {
      // the second (last) iteration, whose pane stays up, calls a tool; Codex runs it in its sandbox
      server.script({ kind: 'text', text: 'Iteration done.', usage: EACH }, { kind: 'tool', command: 'echo tool-output-line', sandbox: true });
      server.fallback({ kind: 'text', text: 'Iteration done.', usage: EACH });
      const up = await ao('up');
      expect(up.code, up.stdout + up.stderr).toBe(0);
      // two iterations, then the phase's cap holds the loop
      await waitFor(async () => ((await statusOf(ao)).agents.builder?.state === 'paused' ? true : undefined), 150_000, 500);

      const pane = (await tmux(socket, ['capture-pane', '-p', '-J', '-S', '-300', '-t', `stream-${c.cli}-builder`])).stdout;
      const log = readFileSync(join(dir, 'state', 'logs', 'builder.log'), 'utf8');
      for (const text of [pane, log]) {
        expect(text).toMatch(/^Iteration done\.$/m);
        expect(text).toMatch(c.tool);
        expect(text).toMatch(/^ {2}↳ tool-output-line$/m);
        expect(text).toMatch(/^■ (?:turn )?done · \d+ in \/ \d+ out/m);
        expect(text.split('\n').filter((l) => /^\s*[{[]"/.test(l))).toEqual([]);
      }
      // the raw stream of the last iteration, and the one before it
      for (const file of ['builder.jsonl', 'builder.jsonl.1']) {
        const raw = join(dir, 'state', 'streams', file);
        expect(existsSync(raw), file).toBe(true);
        const lines = readFileSync(raw, 'utf8').split('\n').filter(Boolean);
        expect(lines.length).toBeGreaterThan(1);
        for (const l of lines) expect(() => JSON.parse(l) as unknown, l).not.toThrow();
      }

      const cost = JSON.parse((await ao('cost', '--json')).stdout) as { rows: Record<string, unknown>[] };
      // what the stand-in reported: the tool call's turn and each answer, plus (Gemini) its router's requests
      const counted = server.requests.filter(c.counted);
      const answers = server.requests.filter((r) => r.model).length - 1;
      const helpers = counted.length - answers - 1;
      const sum = (k: keyof Usage): number => (1 + helpers) * DEFAULT_USAGE[k] + answers * EACH[k];
      expect(cost.rows).toEqual([
        {
          phase: 'one',
          agent: 'builder',
          input_tokens: sum('input_tokens') - sum('cache_read_tokens'),
          output_tokens: sum('output_tokens'),
          cache_read_tokens: sum('cache_read_tokens'),
          cache_write_tokens: 0,
          cost_usd: null,
          iterations: 2,
        },
      ]);
    });
  });
}
