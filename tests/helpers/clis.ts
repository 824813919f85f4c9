/**
 * The real agent CLIs the tests run, installed from npm once per version into
 * a cache outside the clone and reused after:
 * `${XDG_CACHE_HOME:-$HOME/.cache}/ao-test-clis/<pkg>@<version>/`.
 *
 * The versions are pinned here and nowhere else (docs/CLI-VERSIONS.md says
 * what they were checked against).
 */
import { execa } from 'execa';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export type CliName = 'claude' | 'codex' | 'gemini' | 'opencode';

export interface CliPin {
  pkg: string;
  version: string;
  /** the executable under node_modules/.bin */
  bin: string;
}

export const CLI_PINS: Readonly<Record<CliName, CliPin>> = {
  claude: { pkg: '@anthropic-ai/claude-code', version: '2.1.332', bin: 'claude' },
  codex: { pkg: '@openai/codex', version: '0.171.0', bin: 'codex' },
  gemini: { pkg: '@google/gemini-cli', version: '0.61.0', bin: 'gemini' },
  opencode: { pkg: 'opencode-ai', version: '1.18.33', bin: 'opencode' },
};

/** Installs take minutes on a cold cache; a hung registry must still end. */
const INSTALL_TIMEOUT_MS = 8 * 60_000;
const DONE = '.ao-installed';

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME !== '' ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'ao-test-clis');
}

/** `@scope/name` becomes `scope+name`, so one folder per package and version. */
export function cacheDir(pin: CliPin, root = cacheRoot()): string {
  return join(root, `${pin.pkg.replace(/^@/, '').replace('/', '+')}@${pin.version}`);
}

export type Installed = { ok: true; bin: string; version: string } | { ok: false; reason: string };

/**
 * The CLI's executable, installing it first when the cache lacks it. The
 * install goes to a temp folder renamed into place, so two test files that
 * race never see a half-installed package.
 */
export async function ensureCli(name: CliName): Promise<Installed> {
  const pin = CLI_PINS[name];
  const dir = cacheDir(pin);
  const bin = join(dir, 'node_modules', '.bin', pin.bin);
  if (existsSync(join(dir, DONE)) && existsSync(bin)) return { ok: true, bin, version: pin.version };
  mkdirSync(cacheRoot(), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(tmp, { recursive: true });
  const result = await execa('npm', ['install', '--prefix', tmp, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `${pin.pkg}@${pin.version}`], {
    reject: false,
    timeout: INSTALL_TIMEOUT_MS,
    // a package.json of its own keeps npm from walking up into some other project
    env: { npm_config_update_notifier: 'false' },
  });
  if (result.exitCode !== 0 || !existsSync(join(tmp, 'node_modules', '.bin', pin.bin))) {
    rmSync(tmp, { recursive: true, force: true });
    const why = result.timedOut ? `timed out after ${INSTALL_TIMEOUT_MS / 1000}s` : `exit ${String(result.exitCode)}: ${String(result.stderr).slice(-800)}`;
    return { ok: false, reason: `npm install ${pin.pkg}@${pin.version} failed (${why})` };
  }
  writeFileSync(join(tmp, DONE), `${pin.pkg}@${pin.version}\n`);
  try {
    renameSync(tmp, dir);
  } catch {
    // another worker won the race; its copy is as good as ours
    rmSync(tmp, { recursive: true, force: true });
  }
  if (!existsSync(join(dir, DONE))) return { ok: false, reason: `install of ${pin.pkg}@${pin.version} did not land in ${dir}` };
  return { ok: true, bin, version: pin.version };
}

/** The version the installed package says it is (to check the pin took). */
export function installedVersion(name: CliName): string | null {
  const pin = CLI_PINS[name];
  const file = join(cacheDir(pin), 'node_modules', ...pin.pkg.split('/'), 'package.json');
  if (!existsSync(file)) return null;
  return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? null;
}

/** The one allowed skip: say loudly, on stderr, that the install failed. */
export function announceInstallFailure(name: CliName, reason: string): void {
  const bar = '!'.repeat(78);
  process.stderr.write(`\n${bar}\n!! SKIPPING ${name} CLI tests: ${reason}\n${bar}\n\n`);
}
