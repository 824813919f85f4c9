/**
 * A hermetic HOME per test for each real CLI, with the config that points it
 * at its loopback stand-in and skips (or, for captures, keeps) its first-run
 * dialogs. What each CLI needs is in DESIGN.md §10 and docs/CLI-VERSIONS.md.
 */
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CliName } from './clis.js';

/** Any key: the stand-ins do not check it. 40 characters, like a real one. */
export const STANDIN_KEY = 'sk-ant-standin-0123456789abcdefghijklmnop';

export interface HomeOptions {
  /** the stand-in's base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** folders the CLI already trusts (none: it shows its folder-trust dialog) */
  trusted?: string[];
  /** Claude Code: the key already approved (false: it asks about the key) */
  approveKey?: boolean;
  /** ask before each tool: Claude Code's manual mode instead of 2.1.3xx's auto mode; opencode's `permission` set to ask */
  askTools?: boolean;
  /** Codex: `approval_policy` (0.171 refuses the old 'untrusted') */
  codexApproval?: 'on-request' | 'on-failure' | 'never';
}

export interface CliHome {
  home: string;
  /** the environment to run the CLI with (HOME included) */
  env: Record<string, string>;
  remove: () => void;
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

const tomlString = (s: string): string => JSON.stringify(s);

/** Everything a CLI reads from HOME or XDG dirs lands in the temp home. */
function baseEnv(home: string): Record<string, string> {
  return {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_CACHE_HOME: join(home, '.cache'),
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
    NO_UPDATE_NOTIFIER: '1',
  };
}

function claudeHome(home: string, o: HomeOptions): Record<string, string> {
  const projects = Object.fromEntries((o.trusted ?? []).map((p) => [p, { hasTrustDialogAccepted: true, allowedTools: [] }]));
  const config = {
    hasCompletedOnboarding: true,
    numStartups: 1,
    // Claude Code remembers an approved key by its last 20 characters
    customApiKeyResponses: { approved: o.approveKey === false ? [] : [STANDIN_KEY.slice(-20)], rejected: [] },
    projects,
  };
  write(join(home, '.claude.json'), JSON.stringify(config, null, 2));
  // ask before tools (the default of older builds; 2.1.3xx defaults to auto mode)
  if (o.askTools) write(join(home, '.claude', 'settings.json'), JSON.stringify({ permissions: { defaultMode: 'default' } }, null, 2));
  return {
    ANTHROPIC_BASE_URL: o.url,
    ANTHROPIC_API_KEY: STANDIN_KEY,
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
  };
}

function codexHome(home: string, o: HomeOptions): Record<string, string> {
  const trusted = (o.trusted ?? []).map((p) => `[projects.${tomlString(p)}]\ntrust_level = "trusted"\n`).join('\n');
  write(
    join(home, '.codex', 'config.toml'),
    [
      'model = "gpt-standin"',
      'model_provider = "mock"',
      'check_for_update_on_startup = false',
      ...(o.codexApproval ? [`approval_policy = ${tomlString(o.codexApproval)}`] : []),
      '',
      '[model_providers.mock]',
      'name = "mock"',
      `base_url = ${tomlString(`${o.url}/v1`)}`,
      'wire_api = "responses"',
      'env_key = "AO_STANDIN_KEY"',
      'request_max_retries = 0',
      'stream_max_retries = 0',
      '',
      trusted,
    ].join('\n'),
  );
  return { AO_STANDIN_KEY: STANDIN_KEY, CODEX_HOME: join(home, '.codex') };
}

function geminiHome(home: string, o: HomeOptions): Record<string, string> {
  write(
    join(home, '.gemini', 'settings.json'),
    JSON.stringify(
      {
        security: { auth: { selectedType: 'gemini-api-key' }, folderTrust: { enabled: true } },
        general: { disableAutoUpdate: true, disableUpdateNag: true },
        privacy: { usageStatisticsEnabled: false },
        telemetry: { enabled: false },
      },
      null,
      2,
    ),
  );
  write(join(home, '.gemini', 'trustedFolders.json'), JSON.stringify(Object.fromEntries((o.trusted ?? []).map((p) => [p, 'TRUST_FOLDER']))));
  return { GEMINI_API_KEY: STANDIN_KEY, GOOGLE_GEMINI_BASE_URL: o.url };
}

function opencodeHome(home: string, o: HomeOptions): Record<string, string> {
  write(
    join(home, '.config', 'opencode', 'opencode.json'),
    JSON.stringify(
      {
        $schema: 'https://opencode.ai/config.json',
        model: 'anthropic/claude-sonnet-4-5',
        autoupdate: false,
        share: 'disabled',
        provider: { anthropic: { options: { baseURL: `${o.url}/v1`, apiKey: STANDIN_KEY } } },
        // 1.18 runs shell commands without asking unless told to ask
        ...(o.askTools ? { permission: { bash: 'ask', edit: 'ask' } } : {}),
      },
      null,
      2,
    ),
  );
  return { ANTHROPIC_API_KEY: STANDIN_KEY, OPENCODE_DISABLE_AUTOUPDATE: '1', OPENCODE_DISABLE_MODELS_FETCH: '1', OPENCODE_DISABLE_LSP_DOWNLOAD: '1' };
}

const SETUP: Record<CliName, (home: string, o: HomeOptions) => Record<string, string>> = {
  claude: claudeHome,
  codex: codexHome,
  gemini: geminiHome,
  opencode: opencodeHome,
};

/**
 * Where the CLIs' homes are made: not in the temp folder, as a person's HOME is
 * not. Codex, where bubblewrap is installed, runs its shell tool through a helper
 * it links into its home, and refuses to link one under the temp folder (the
 * tool then fails: `bwrap: execvp codex-linux-sandbox`); and a sandboxed agent's
 * /tmp is a private one.
 */
export const HOMES_BASE = existsSync('/var/tmp') && tmpdir() === '/tmp' ? '/var/tmp' : tmpdir();

export function cliHome(name: CliName, options: HomeOptions): CliHome {
  // realpath: CLIs record trusted folders by their resolved path
  const home = realpathSync(mkdtempSync(join(HOMES_BASE, `ao-home-${name}-`)));
  const env = { ...baseEnv(home), ...SETUP[name](home, options) };
  return { home, env, remove: () => rmSync(home, { recursive: true, force: true }) };
}

/** An environment as the inside of a TOML inline table (`env = { ${tomlPairs(env)} }`); JSON strings are TOML basic strings. */
export function tomlPairs(env: Readonly<Record<string, string>>): string {
  return Object.entries(env)
    .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
    .join(', ');
}

/**
 * agents.toml of one persistent agent `lead` running a real CLI against a stand-in (the resume tests):
 * the CLI's program, the environment that points it at the stand-in, a quick heal.
 */
export function leadToml(prefix: string, backend: string, command: string, env: Readonly<Record<string, string>>): string {
  return [
    '[defaults]',
    `session_prefix = "${prefix}"`,
    '',
    '[agents.lead]',
    'kind = "persistent"',
    `backend = "${backend}"`,
    `command = ${JSON.stringify(command)}`,
    `env = { ${tomlPairs(env)} }`,
    '',
    '[watchdog]',
    'backoff_initial_s = 0.5',
    'stall_check_s = 1',
    '',
    '[[phases]]',
    'id = "one"',
    'plan = "one.md"',
    '',
  ].join('\n');
}
