/**
 * An agent's environment on its way to its pane: a 0600 file that ao creates
 * itself (O_EXCL, O_NOFOLLOW, an unpredictable name) in state/env, which the
 * pane's launcher reads and removes before the agent runs. Only its path goes
 * on a command line: no value ever does (DESIGN §4.11).
 *
 * One line a variable, read by a POSIX sh with `IFS= read -r` and `export`,
 * never evaluated: `=NAME=VALUE` as it is, or, for a value holding a newline
 * or a backslash, `%NAME=ESCAPED` with `\\` and `\n` that the launcher turns
 * back with printf's %b.
 */
import { randomHex, sha256 } from './digest.js';
import { closeSync, constants, lstatSync, mkdirSync, openSync, readdirSync, rmSync, writeSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { layout } from './layout.js';

/** an environment variable's name, as agents.toml's `env` keys and the launcher accept them */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** names the launcher keeps for its own loop (src/supervisor/launch.ts): never passed, refused in agents.toml */
export const LAUNCHER_PREFIX = '_ao_';

/** The file's text for an environment; throws on what no environment can hold. */
export function envFileText(env: Readonly<Record<string, string>>): string {
  let text = '';
  for (const [name, value] of Object.entries(env)) {
    if (!ENV_NAME.test(name) || name.startsWith(LAUNCHER_PREFIX)) throw new Error(`"${name}" cannot be an environment variable's name`);
    if (value.includes('\0')) throw new Error(`the value of ${name} holds a NUL byte, which no environment can carry`);
    text += /[\n\\]/.test(value) ? `%${name}=${value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n` : `=${name}=${value}\n`;
  }
  return text;
}

/** A fresh path for one start's environment file (nothing is created). */
export function newEnvFile(stateDir: string, agent: string): string {
  return layout.envFile(stateDir, agent, randomHex(8));
}

/**
 * Creates the file, 0600, refusing one that exists or a link in its place,
 * in a folder that is ao's own (0700, not a link).
 */
export function writeEnvFile(file: string, env: Readonly<Record<string, string>>): void {
  const text = envFileText(env);
  ensureOwnFolder(dirname(file), 'an environment');
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/**
 * The watchdog's environment file, which tmux's respawn of its pane reads again, so
 * it is kept while the team runs: outside the state folder (which holds no secret),
 * in the user's runtime folder as tmux keeps its sockets (`$XDG_RUNTIME_DIR/ao`, else
 * `/tmp/ao-<uid>`), 0600 in a 0700 folder of the user's own. `ao down` removes it.
 */
export function watchdogEnvFile(stateDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(runtimeDir(env), `watchdog-${sha256(stateDir).slice(0, 16)}.env`);
}

/** The user's runtime folder of ao's, as tmux keeps its sockets: `$XDG_RUNTIME_DIR/ao`, else `/tmp/ao-<uid>`. */
export const runtimeDir = (env: NodeJS.ProcessEnv = process.env): string =>
  env.XDG_RUNTIME_DIR && env.XDG_RUNTIME_DIR.startsWith('/') ? join(env.XDG_RUNTIME_DIR, 'ao') : join(tmpdir(), `ao-${process.getuid?.() ?? 'user'}`);

/** Makes `dir` a 0700 folder of this user's own, or throws: a link, a file or another user's folder in its place is refused. */
export function ensureOwnFolder(dir: string, what: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  if (!stat.isDirectory()) throw new Error(`${dir} is not a folder (a link or a file in its place): refusing to write ${what} there`);
  if (stat.uid !== process.getuid?.()) throw new Error(`${dir} belongs to another user: refusing to write ${what} there`);
  if ((stat.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/** Writes a kept environment file anew (the watchdog's): the old one removed, the new one created as writeEnvFile does. */
export function rewriteEnvFile(file: string, env: Readonly<Record<string, string>>): void {
  rmSync(file, { force: true });
  writeEnvFile(file, env);
}

/** Removes an environment file no launcher will read (its start failed). */
export function removeEnvFile(file: string): void {
  rmSync(file, { force: true });
}

/** Which file is at `file` now (null: none), told apart from one made there later under the same name. */
export function fileIdentity(file: string): string | null {
  try {
    const stat = lstatSync(file, { bigint: true });
    return `${stat.dev}:${stat.ino}:${stat.ctimeNs}`;
  } catch {
    return null;
  }
}

/**
 * Removes the watchdog's kept environment file if it is still the one seen
 * before its watchdog was stopped (`identity`): a racing `ao up` may have
 * written a new watchdog's since, which its launcher has yet to read.
 */
export function removeEnvFileIf(file: string, identity: string | null): void {
  if (identity !== null && fileIdentity(file) === identity) removeEnvFile(file);
}

/**
 * What a crash between writing a file and its launcher reading it left: files
 * older than `olderThanMs` (a launcher reads its file within milliseconds).
 * Returns how many were removed.
 */
export function removeStaleEnvFiles(stateDir: string, olderThanMs = 60_000, now = Date.now()): number {
  const dir = layout.envFiles(stateDir);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const file = join(dir, name);
    try {
      if (now - lstatSync(file).mtimeMs > olderThanMs) {
        rmSync(file, { force: true });
        removed++;
      }
    } catch {
      // gone already
    }
  }
  return removed;
}
