// bench/soak's team: the temp project (the demo team over nine generated phases,
// plus a Claude Code loop and a Codex loop against loopback stand-ins where the
// CLIs are installed), the stand-ins with the provider's moods, and the tmpfs the
// state folder lives on.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { log } from './soak-lib.mjs';

export const PHASES = 9;
/** the loops' `min_iteration_s`, as in the soak of issue 20 */
export const MIN_ITERATION_S = 30;
/** the CLI loops' `stall_minutes`: short, so a hung provider is caught within the run */
export const CLI_STALL_MINUTES = 1;

/**
 * The stand-ins and the CLI homes are TypeScript test fixtures; esbuild bundles
 * them into one module in the soak's snapshot (whose node_modules is the repo's).
 */
export async function loadFixtures(root, snap) {
  const out = join(snap, 'soak-fixtures.mjs');
  buildSync({ ...fixturesBuild(root), outfile: out });
  return import(out);
}

/**
 * How the fixtures are bundled. They run outside vitest here, so nothing they
 * import may import vitest (tests/unit/bench/soak-fixtures.test.ts checks it).
 */
export function fixturesBuild(root) {
  const contents = [
    "export { startAnthropic } from './tests/fixtures/standins/anthropic.ts';",
    "export { startOpenAI } from './tests/fixtures/standins/openai.ts';",
    "export { cliHome, tomlPairs } from './tests/helpers/standin-env.ts';",
    "export { CLI_PINS, cacheDir } from './tests/helpers/clis.ts';",
  ].join('\n');
  return { stdin: { contents, resolveDir: root, loader: 'ts' }, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'error' };
}

/** The installed CLI's executable, or null: the soak never installs one (the CLI tests do). */
export function installedCli(fixtures, name) {
  const pin = fixtures.CLI_PINS[name];
  const dir = fixtures.cacheDir(pin);
  const bin = join(dir, 'node_modules', '.bin', pin.bin);
  return existsSync(join(dir, '.ao-installed')) && existsSync(bin) ? bin : null;
}

/** Phase k's plan: one file to build; every other phase's review also wants a note, so it fails once and is fixed. */
function phasePlan(k) {
  const review =
    k % 2 === 0
      ? ['', 'Besides the Build list, the adversary checks:', '', `- \`sandbox/NOTES-${k}.md\`: phase ${k} reviewed`]
      : ['', 'The adversary checks every file of the Build list, byte for byte.'];
  return [
    `# Phase ${k}: step ${k}`,
    '',
    `Step ${k} of the soak.`,
    '',
    '## Build',
    '',
    `- \`sandbox/step-${k}.txt\`: step ${k} done`,
    '',
    '## Review',
    ...review,
    '',
  ].join('\n');
}

/** The demo's pace: nine phases take about three quarters of the run (a phase is ~10 paces, faults slow it). */
export function demoPace(minutes) {
  return Math.max(2, Math.round(((minutes * 60 * 0.75) / (PHASES * 10)) * 10) / 10);
}

function cliAgent(name, backend, model, bin, env, tomlPairs, args = []) {
  return [
    `[agents.${name}]`,
    'kind = "loop"',
    `backend = "${backend}"`,
    `model = "${model}"`,
    `command = ${JSON.stringify(bin)}`,
    ...(args.length ? [`args = [${args.map((a) => JSON.stringify(a)).join(', ')}]`] : []),
    `env = { ${tomlPairs(env)} }`,
    `min_iteration_s = ${MIN_ITERATION_S}`,
    `stall_minutes = ${CLI_STALL_MINUTES}`,
    '',
  ];
}

/** agents.toml of the soak's team; `cli` holds the CLI loops' bins and envs (or nothing with --no-clis). */
export function teamToml({ prefix, minutes, cli }) {
  const lines = [
    '# bench/soak: the demo team over nine phases, with CLI loops against loopback stand-ins',
    '[defaults]',
    'backend = "demo"',
    'model = "demo-standard"',
    `session_prefix = "${prefix}"`,
    'stall_minutes = 10',
    '',
    '[models]',
    'standard = "demo-standard"',
    'strong = "demo-strong"',
    '',
    '[agents.orchestrator]',
    'kind = "persistent"',
    'heal = "heal"',
    '',
    '[agents.builder]',
    'kind = "loop"',
    `pace_s = ${demoPace(minutes)}`,
    '',
    '[agents.adversary]',
    'kind = "loop"',
    `pace_s = ${demoPace(minutes)}`,
    '',
  ];
  if (cli.claude) lines.push(...cliAgent('claude', 'claude', 'claude-sonnet-4-5', cli.claude.bin, cli.claude.env, cli.tomlPairs));
  if (cli.codex) lines.push(...cliAgent('codex', 'codex', 'gpt-5-codex', cli.codex.bin, cli.codex.env, cli.tomlPairs, ['--skip-git-repo-check']));
  lines.push('[watchdog]', 'stall_check_s = 5', '');
  for (let k = 1; k <= PHASES; k++) {
    lines.push('[[phases]]', `id = "step-${k}"`, `plan = "${String(k).padStart(2, '0')}-step.md"`);
    if (k % 3 === 2) lines.push('models = { builder = "strong" }');
    lines.push('');
  }
  return lines.join('\n');
}

/** The added agent's table, appended live to agents.toml. */
export const ADDED_AGENT = ['', '[agents.helper]', 'kind = "persistent"', 'heal = "heal"', ''].join('\n');

export function writeProject(dir, root) {
  mkdirSync(join(dir, 'phases'), { recursive: true });
  mkdirSync(join(dir, 'prompts'), { recursive: true });
  for (let k = 1; k <= PHASES; k++) writeFileSync(join(dir, 'phases', `${String(k).padStart(2, '0')}-step.md`), phasePlan(k));
  for (const p of ['kickoff.md', 'orchestrator.md', 'builder.md', 'adversary.md']) cpSync(join(root, 'prompts', p), join(dir, 'prompts', p));
  const cliPrompt = 'You run in a soak test. Read your inbox, then answer "done".\n';
  for (const p of ['claude.md', 'codex.md', 'helper.md']) writeFileSync(join(dir, 'prompts', p), cliPrompt);
}

// ---------------------------------------------------------------- the provider's moods

/** What each stand-in answers in each mood; `untilS` is when the mood is over (a limit's reset). */
export function moodReplies(mood, untilS) {
  const now = Math.floor(Date.now() / 1000);
  switch (mood) {
    case 'ok':
      return { anthropic: { kind: 'text', text: 'done' }, openai: { kind: 'text', text: 'done' } };
    case 'limit': {
      const headers = {
        'anthropic-ratelimit-unified-status': 'rejected',
        'anthropic-ratelimit-unified-reset': String(untilS),
        'anthropic-ratelimit-unified-representative-claim': 'five_hour',
      };
      const body = JSON.stringify({
        error: {
          type: 'usage_limit_reached',
          message: 'The usage limit has been reached',
          plan_type: 'plus',
          resets_at: untilS,
          resets_in_seconds: Math.max(1, untilS - now),
        },
      });
      return { anthropic: { kind: 'error', status: 429, headers }, openai: { kind: 'error', status: 429, body } };
    }
    case 'overload':
      return {
        anthropic: { kind: 'error', status: 529, body: JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }) },
        openai: {
          kind: 'error',
          status: 503,
          body: JSON.stringify({ error: { type: 'server_error', code: 'server_is_overloaded', message: 'The server is overloaded' } }),
        },
      };
    case 'hang': {
      // a hung request is dropped when the mood is over (the stand-in caps a hang at 120 s)
      const hangMs = Math.max(1000, untilS * 1000 - Date.now());
      return { anthropic: { kind: 'hang', hangMs }, openai: { kind: 'hang', hangMs } };
    }
    default:
      throw new Error(`unknown mood ${mood}`);
  }
}

// ---------------------------------------------------------------- tmpfs

/** Mounts a tmpfs of `mb` MB on `dir` (0700); returns null when mounted, else why not. */
export function mountTmpfs(dir, mb) {
  if (process.getuid?.() !== 0) return 'not running as root';
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${mb}m,mode=0700`, 'tmpfs', dir], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 ? null : `mount failed: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`;
}

export function unmountTmpfs(dir) {
  for (let i = 0; i < 5; i++) {
    const r = spawnSync('umount', [dir], { encoding: 'utf8', timeout: 10_000 });
    if (r.status === 0) return true;
    // a process of the team still has a file open there: lazy, so the mount goes when it does
    if (i === 4) return spawnSync('umount', ['-l', dir], { timeout: 10_000 }).status === 0;
    spawnSync('sleep', ['0.5']);
  }
  log(`could not unmount ${dir}`);
  return false;
}
