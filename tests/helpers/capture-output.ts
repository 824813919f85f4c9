/**
 * Captures what the real CLIs print in one-shot mode against their stand-ins
 * (not a test), for the trouble recognisers, usage parsers and the stream
 * formatter:
 *
 *   npx vite-node tests/helpers/capture-output.ts <claude|codex|gemini|opencode> [scenario,...]
 *
 * Each scenario runs the installed CLI as ao's loop argv does (no tmux; stdout,
 * stderr and the exit status kept apart) and writes
 * tests/fixtures/output/<cli>/<scenario>.json: what the stand-in was told to
 * answer, the time of the run, and the CLI's output. TZ=UTC, so a reset time
 * the CLI prints is comparable with the one the stand-in sent.
 */
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAnthropic } from '../fixtures/standins/anthropic.js';
import type { Reply, StandIn } from '../fixtures/standins/common.js';
import { startGemini } from '../fixtures/standins/gemini.js';
import { startOpenAI } from '../fixtures/standins/openai.js';
import { CLI_PINS, ensureCli, type CliName } from './clis.js';
import { cliHome } from './standin-env.js';

export interface Captured {
  cli: CliName;
  version: string;
  scenario: string;
  /** the argv after the program, the kickoff last (or on stdin) */
  args: string[];
  /** what the stand-in answered, in order */
  replies: Reply[];
  /** unix seconds when the run started */
  startedAt: number;
  /** what the run's reset time was set to (unix seconds), if any */
  resetAt: number | null;
  exitStatus: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  modelRequests: number;
}

interface Scenario {
  name: string;
  /** the CLI's arguments (the kickoff is added as the CLI's loop argv does) */
  args: string[];
  replies: (resetAt: number) => Reply[];
  env?: Record<string, string>;
  /** remove these variables from the CLI's environment */
  unset?: string[];
  /** seconds from now the reset is set to */
  resetIn?: number;
}

const KICKOFF = 'Say hello and stop.';
const CLAUDE = ['-p', '--output-format', 'stream-json', '--verbose'];
const NO_RETRY = { CLAUDE_CODE_MAX_RETRIES: '0' };
const OAUTH = { CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-standin-0123456789abcdefghijklmnop' };

const unified = (resetAt: number): Record<string, string> => ({
  'anthropic-ratelimit-unified-status': 'rejected',
  'anthropic-ratelimit-unified-reset': String(resetAt),
  'anthropic-ratelimit-unified-5h-status': 'rejected',
  'anthropic-ratelimit-unified-5h-reset': String(resetAt),
  'anthropic-ratelimit-unified-representative-claim': 'five_hour',
});

const claudeScenarios: Scenario[] = [
  {
    name: 'ok',
    args: CLAUDE,
    replies: () => [
      { kind: 'text', text: 'Hello from the stand-in.', usage: { input_tokens: 1234, output_tokens: 56, cache_read_tokens: 789, cache_write_tokens: 10 } },
    ],
  },
  {
    name: 'ok-2',
    args: CLAUDE,
    replies: () => [
      { kind: 'text', text: 'Second answer.', usage: { input_tokens: 2000, output_tokens: 300, cache_read_tokens: 4000, cache_write_tokens: 500 } },
    ],
  },
  {
    name: 'tool',
    args: [...CLAUDE, '--allowedTools', 'Bash(echo:*)'],
    replies: () => [
      { kind: 'tool', command: 'echo tool-output-line' },
      { kind: 'text', text: 'Ran it.' },
    ],
  },
  {
    name: 'usage-limit',
    args: CLAUDE,
    env: { ...OAUTH },
    unset: ['ANTHROPIC_API_KEY'],
    resetIn: 3600,
    replies: (r) => [{ kind: 'error', status: 429, headers: unified(r) }],
  },
  {
    name: 'usage-limit-text',
    args: ['-p'],
    env: { ...OAUTH },
    unset: ['ANTHROPIC_API_KEY'],
    resetIn: 3600,
    replies: (r) => [{ kind: 'error', status: 429, headers: unified(r) }],
  },
  { name: 'rate-limit', args: CLAUDE, env: NO_RETRY, replies: () => [{ kind: 'error', status: 429, headers: { 'retry-after': '30' } }] },
  { name: 'overload', args: CLAUDE, env: NO_RETRY, replies: () => [{ kind: 'error', status: 529 }] },
  { name: 'server-error', args: CLAUDE, env: NO_RETRY, replies: () => [{ kind: 'error', status: 500 }] },
  // Claude retries a 529 itself and says so in its stream (system/api_retry) before it answers
  {
    name: 'retry',
    args: CLAUDE,
    env: { CLAUDE_CODE_MAX_RETRIES: '3' },
    replies: () => [
      { kind: 'error', status: 529 },
      { kind: 'error', status: 529 },
      { kind: 'text', text: 'Hello after two retries.' },
    ],
  },
  // overloaded again and again, Claude moves the turn to its --fallback-model itself (system/model_fallback) and answers there
  {
    name: 'model-fallback',
    args: [...CLAUDE, '--model', 'claude-opus-4-1', '--fallback-model', 'claude-sonnet-4-5'],
    env: { CLAUDE_CODE_MAX_RETRIES: '6' },
    replies: () => [
      { kind: 'error', status: 529 },
      { kind: 'error', status: 529 },
      { kind: 'error', status: 529 },
      { kind: 'error', status: 529 },
      { kind: 'error', status: 529 },
      { kind: 'error', status: 529 },
      { kind: 'text', text: 'Hello from the fallback model.' },
    ],
  },
  {
    name: 'auth',
    args: CLAUDE,
    env: NO_RETRY,
    replies: () => [
      { kind: 'error', status: 401, body: JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } }) },
    ],
  },
];

const codexUsageLimit = (r: number): Reply => ({
  kind: 'error',
  status: 429,
  body: JSON.stringify({
    error: {
      type: 'usage_limit_reached',
      message: 'The usage limit has been reached',
      plan_type: 'plus',
      resets_at: r,
      resets_in_seconds: r - Math.floor(Date.now() / 1000),
    },
  }),
});
const CODEX = ['exec', '--skip-git-repo-check'];
const codexOverloaded = (): Reply => ({
  kind: 'error',
  status: 503,
  body: JSON.stringify({ error: { type: 'server_error', code: 'server_is_overloaded', message: 'The server is overloaded. Please try again later.' } }),
});
const codexScenarios: Scenario[] = [
  {
    name: 'ok',
    args: CODEX,
    replies: () => [
      { kind: 'text', text: 'Hello from the stand-in.', usage: { input_tokens: 1500, output_tokens: 42, cache_read_tokens: 1024, cache_write_tokens: 0 } },
    ],
  },
  {
    name: 'ok-json',
    args: [...CODEX, '--json'],
    replies: () => [
      { kind: 'text', text: 'Hello from the stand-in.', usage: { input_tokens: 1500, output_tokens: 42, cache_read_tokens: 1024, cache_write_tokens: 0 } },
    ],
  },
  { name: 'usage-limit', args: CODEX, resetIn: 3600, replies: (r) => [codexUsageLimit(r)] },
  { name: 'usage-limit-json', args: [...CODEX, '--json'], resetIn: 3600, replies: (r) => [codexUsageLimit(r)] },
  { name: 'rate-limit', args: CODEX, replies: () => [{ kind: 'error', status: 429 }] },
  { name: 'rate-limit-json', args: [...CODEX, '--json'], replies: () => [{ kind: 'error', status: 429 }] },
  { name: 'overload', args: CODEX, replies: () => [{ kind: 'error', status: 503 }] },
  { name: 'overload-json', args: [...CODEX, '--json'], replies: () => [{ kind: 'error', status: 503 }] },
  // OpenAI's 503 for an overloaded model: Codex shows its own words for the code, not the body's
  { name: 'capacity', args: CODEX, replies: () => [codexOverloaded()] },
  { name: 'capacity-json', args: [...CODEX, '--json'], replies: () => [codexOverloaded()] },
  {
    name: 'auth',
    args: CODEX,
    replies: () => [
      {
        kind: 'error',
        status: 401,
        body: JSON.stringify({ error: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided' } }),
      },
    ],
  },
  {
    name: 'auth-json',
    args: [...CODEX, '--json'],
    replies: () => [
      {
        kind: 'error',
        status: 401,
        body: JSON.stringify({ error: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided' } }),
      },
    ],
  },
];

const geminiQuota = (): Reply => ({
  kind: 'error',
  status: 429,
  body: JSON.stringify({
    error: {
      code: 429,
      message: 'You exceeded your current quota, please check your plan and billing details.',
      status: 'RESOURCE_EXHAUSTED',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [
            {
              quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
              quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier',
            },
          ],
        },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '3600s' },
      ],
    },
  }),
});
const GEMINI = ['--skip-trust'];
const geminiScenarios: Scenario[] = [
  {
    name: 'ok',
    args: GEMINI,
    replies: () => [
      { kind: 'text', text: 'Hello from the stand-in.', usage: { input_tokens: 900, output_tokens: 33, cache_read_tokens: 100, cache_write_tokens: 0 } },
    ],
  },
  {
    name: 'ok-json',
    args: [...GEMINI, '--output-format', 'json'],
    replies: () => [
      { kind: 'text', text: 'Hello from the stand-in.', usage: { input_tokens: 900, output_tokens: 33, cache_read_tokens: 100, cache_write_tokens: 0 } },
    ],
  },
  {
    name: 'ok-stream',
    args: [...GEMINI, '--output-format', 'stream-json'],
    replies: () => [
      { kind: 'text', text: 'Hello from the stand-in.', usage: { input_tokens: 900, output_tokens: 33, cache_read_tokens: 100, cache_write_tokens: 0 } },
    ],
  },
  { name: 'usage-limit', args: GEMINI, replies: () => [geminiQuota()] },
  { name: 'usage-limit-json', args: [...GEMINI, '--output-format', 'json'], replies: () => [geminiQuota()] },
  // what ao's loop argv asks for since it is made readable by ao format-stream
  { name: 'usage-limit-stream', args: [...GEMINI, '--output-format', 'stream-json'], replies: () => [geminiQuota()] },
  // Gemini CLI retries a 503 with backoff: every request of the run gets one
  { name: 'overload', args: GEMINI, replies: () => Array.from({ length: 30 }, () => ({ kind: 'error', status: 503 }) as Reply) },
  {
    name: 'auth',
    args: GEMINI,
    replies: () => [
      {
        kind: 'error',
        status: 400,
        body: JSON.stringify({ error: { code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT' } }),
      },
    ],
  },
];

const OPENCODE = ['run'];
const anthropicError = (status: number, type: string, message: string): Reply => ({
  kind: 'error',
  status,
  body: JSON.stringify({ type: 'error', error: { type, message } }),
});
const many = (reply: Reply): Reply[] => Array.from({ length: 30 }, () => reply);
const opencodeScenarios: Scenario[] = [
  { name: 'ok', args: OPENCODE, replies: () => [{ kind: 'text', text: 'Hello from the stand-in.' }] },
  { name: 'overload', args: OPENCODE, replies: () => many(anthropicError(529, 'overloaded_error', 'Overloaded')) },
  // opencode shows the API's own message only: the bodies are the Messages API's
  { name: 'server-error', args: OPENCODE, replies: () => many(anthropicError(500, 'api_error', 'Internal server error')) },
  {
    name: 'rate-limit',
    args: OPENCODE,
    replies: () => many(anthropicError(429, 'rate_limit_error', "This request would exceed your organization's rate limit. Please try again later.")),
  },
];

const SCENARIOS: Record<CliName, Scenario[]> = { claude: claudeScenarios, codex: codexScenarios, gemini: geminiScenarios, opencode: opencodeScenarios };
const RUN_TIMEOUT_MS = 150_000;

function standIn(cli: CliName): Promise<StandIn> {
  if (cli === 'codex') return startOpenAI();
  if (cli === 'gemini') return startGemini();
  return startAnthropic();
}

/** The argv ao's loop would run, kickoff included, and what goes on stdin. */
function invocation(cli: CliName, args: string[]): { args: string[]; input: string | undefined } {
  if (cli === 'gemini' || cli === 'opencode') return { args, input: KICKOFF };
  return { args: [...args, '--', KICKOFF], input: undefined };
}

export async function capture(cli: CliName, s: Scenario, bin: string): Promise<Captured> {
  const server = await standIn(cli);
  server.fallback({ kind: 'text', text: 'Fallback answer.' });
  const startedAt = Math.floor(Date.now() / 1000);
  const resetAt = s.resetIn === undefined ? null : startedAt + s.resetIn;
  const replies = s.replies(resetAt ?? 0);
  server.script(...replies);
  const project = realpathSync(mkdtempSync(join(tmpdir(), `ao-out-${cli}-`)));
  const home = cliHome(cli, { url: server.url, trusted: [project] });
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', TZ: 'UTC', ...home.env, ...s.env };
  for (const k of s.unset ?? []) delete env[k];
  const run = invocation(cli, s.args);
  const t0 = Date.now();
  const result = await execa(bin, run.args, {
    cwd: project,
    env,
    extendEnv: false,
    reject: false,
    timeout: RUN_TIMEOUT_MS,
    ...(run.input !== undefined ? { input: run.input } : { stdin: 'ignore' }),
  });
  const durationMs = Date.now() - t0;
  const modelRequests = server.requests.filter((r) => r.model).length;
  await server.close();
  home.remove();
  rmSync(project, { recursive: true, force: true });
  return {
    cli,
    version: CLI_PINS[cli].version,
    scenario: s.name,
    args: run.args,
    replies,
    startedAt,
    resetAt,
    exitStatus: result.exitCode ?? null,
    stdout: String(result.stdout).split(home.home).join('$HOME').split(project).join('$PROJECT'),
    stderr: String(result.stderr).split(home.home).join('$HOME').split(project).join('$PROJECT'),
    durationMs,
    modelRequests,
  };
}

async function main(): Promise<void> {
  const [cli, only] = process.argv.slice(2) as [CliName, string | undefined];
  if (!cli || !(cli in SCENARIOS)) throw new Error('usage: capture-output <claude|codex|gemini|opencode> [scenario,...]');
  const installed = await ensureCli(cli);
  if (!installed.ok) throw new Error(installed.reason);
  const out = join(import.meta.dirname, '..', 'fixtures', 'output', cli);
  mkdirSync(out, { recursive: true });
  for (const s of SCENARIOS[cli].filter((x) => !only || only.split(',').includes(x.name))) {
    const c = await capture(cli, s, installed.bin);
    writeFileSync(join(out, `${s.name}.json`), `${JSON.stringify(c, null, 2)}\n`);
    process.stdout.write(`${cli} ${s.name}: exit ${String(c.exitStatus)} in ${c.durationMs} ms, ${c.modelRequests} model requests\n`);
  }
}

if (process.argv.slice(2).length > 0) await main();
