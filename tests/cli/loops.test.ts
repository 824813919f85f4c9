/**
 * One loop iteration of each real agent CLI (installed from npm, pinned in
 * tests/helpers/clis.ts), started by `ao up` on a private tmux socket against
 * its loopback stand-in. The agent's `args` hold a flag that takes several
 * values, and the kickoff must reach the stand-in byte for byte.
 */
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicUserTexts, startAnthropic } from '../fixtures/standins/anthropic.js';
import type { Recorded, StandIn } from '../fixtures/standins/common.js';
import { geminiUserTexts, startGemini } from '../fixtures/standins/gemini.js';
import { openaiUserTexts, startOpenAI } from '../fixtures/standins/openai.js';
import { makeProject, runAo, uniqueSocket, endStandInTeam } from '../helpers/ao.js';
import { announceInstallFailure, ensureCli, type CliName } from '../helpers/clis.js';
import { cliHome, type CliHome, tomlPairs } from '../helpers/standin-env.js';

/** Quotes, a command substitution, backticks, non-ASCII, blank lines, a leading "- " and "review". */
const KICKOFF = [
  '- review the "journal" and it\'s plan: $(rm -rf /tmp/nothing) `whoami` $HOME \\n',
  '',
  'Ünïcödé — 日本語 ✓ «quotes» ‘single’',
  '',
  '',
  '  indented line; done & done | tee >/dev/null',
].join('\n');

interface Case {
  cli: CliName;
  start: () => Promise<StandIn>;
  texts: (r: Recorded) => string[];
  /** the agent's args: a variadic flag first, so a prompt after it could be taken as its value */
  args: string[];
  /** files the args refer to */
  files?: Record<string, string>;
  /** the folder is trusted beforehand (false: ao's argv must cope with an untrusted one) */
  trusted: boolean;
  /** the backend's default kickoff for a loop is stdin */
  viaStdin?: boolean;
}

const CASES: Case[] = [
  { cli: 'claude', start: startAnthropic, texts: anthropicUserTexts, args: ['--allowedTools', 'Bash(npm test)', 'Read'], trusted: true },
  // codex exec refuses a folder that is not a git repository without the flag
  {
    cli: 'codex',
    start: startOpenAI,
    texts: openaiUserTexts,
    args: ['--skip-git-repo-check', '--image', 'pixel.png'],
    files: { 'pixel.png': '' },
    trusted: false,
  },
  { cli: 'gemini', start: startGemini, texts: geminiUserTexts, args: ['--allowed-tools', 'read_file'], trusted: false, viaStdin: true },
  {
    cli: 'opencode',
    start: startAnthropic,
    texts: anthropicUserTexts,
    args: ['--file', 'notes.txt'],
    files: { 'notes.txt': 'notes\n' },
    trusted: true,
    viaStdin: true,
  },
];

/** A 1x1 PNG, for codex's `--image` (it reads the file). */
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

function toml(s: string): string {
  return JSON.stringify(s);
}

function agentsToml(c: Case, bin: string, env: Record<string, string>): string {
  const envLine = tomlPairs(env);
  return [
    '[defaults]',
    `session_prefix = "cli-${c.cli}-"`,
    '',
    '[agents.builder]',
    'kind = "loop"',
    `backend = "${c.cli}"`,
    `command = ${toml(bin)}`,
    `args = [${c.args.map(toml).join(', ')}]`,
    `env = { ${envLine} }`,
    'heal = "none"',
    '',
    '[[phases]]',
    'id = "one"',
    'plan = "one.md"',
    '',
  ].join('\n');
}

for (const c of CASES) {
  const installed = await ensureCli(c.cli);
  if (!installed.ok) announceInstallFailure(c.cli, installed.reason);

  describe.skipIf(!installed.ok)(`${c.cli} loop via ao up`, { timeout: 150_000 }, () => {
    const socket = uniqueSocket(`cli-${c.cli}`);
    let server: StandIn;
    let home: CliHome;
    let dir: string;

    beforeAll(async () => {
      server = await c.start();
      server.fallback({ kind: 'text', text: 'Done: nothing to change.' });
      dir = realpathSync(makeProject({ 'prompts/kickoff.md': `${KICKOFF}\n`, 'prompts/builder.md': 'unused\n', 'phases/one.md': '# one\n', ...c.files }));
      if (c.files?.['pixel.png'] !== undefined) writeFileSync(join(dir, 'pixel.png'), PIXEL);
      home = cliHome(c.cli, { url: server.url, trusted: c.trusted ? [dir] : [] });
      writeFileSync(join(dir, 'agents.toml'), agentsToml(c, installed.ok ? installed.bin : '', home.env));
    });

    afterAll(() => endStandInTeam({ dir, socket, server, home }));

    it('delivers the kickoff byte for byte past a variadic flag', async () => {
      const up = await runAo(['up', '--no-watchdog'], { cwd: dir, socket });
      expect(up.code, up.stdout + up.stderr).toBe(0);
      const rendered = readFileSync(join(dir, 'state', 'kickoff', 'builder.md'), 'utf8');
      expect(rendered).toContain(KICKOFF);
      const turn = await server.waitFor((r) => r.model && c.texts(r).some((t) => t.includes('Ünïcödé')), 90_000);
      const arrived = c.texts(turn).find((t) => t.includes('Ünïcödé'));
      // on stdin the file arrives whole; as an argument the launcher's "$(cat FILE)" drops its final newline
      const want = c.viaStdin ? rendered : rendered.replace(/\n+$/, '');
      expect(JSON.stringify(arrived)).toBe(JSON.stringify(want));
    });
  });
}
