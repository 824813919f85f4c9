// Finding agents.toml: plain file-system checks, apart from the loader so that
// `ao status` can find its config without loading the TOML parser or the schema.
import { accessSync, constants, lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ConfigError, UsageError } from '../errors.js';

export const CONFIG_FILE = 'agents.toml';

/** `[defaults] state_dir` when agents.toml does not set it. */
export const DEFAULT_STATE_DIR = 'state';

/** Whether `child` is `parent` or inside it. */
export function inside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

/** A path with its links resolved: the longest part of it that exists, through realpath, and the rest as written. */
export function realOf(path: string): string {
  const rest: string[] = [];
  for (let head = resolve(path); ; head = dirname(head)) {
    try {
      return join(realpathSync(head), ...rest);
    } catch {
      if (dirname(head) === head) return resolve(path);
      rest.unshift(basename(head));
    }
  }
}

/** `inside` after resolving links on both sides: `rootlink/etc` with `rootlink -> /` is not inside the project. */
export const realInside = (parent: string, child: string): boolean => inside(realOf(parent), realOf(child));

/** The plain `state_dir = "…"` line of [defaults], read line by line without a TOML parser; null when there is none. */
export function plainStateDir(source: string): string | null {
  if (!source.includes('state_dir')) return null;
  let table = '';
  for (const line of source.split('\n')) {
    const header = /^\s*\[\s*([^\]]*?)\s*\]/.exec(line);
    if (header) table = header[1]!;
    const m = table === 'defaults' ? /^\s*state_dir\s*=\s*(?:"([^"\\]*)"|'([^']*)')\s*(?:#.*)?$/.exec(line) : null;
    if (m) return m[1] ?? m[2]!;
  }
  return null;
}

export interface FindOptions {
  /** `-c FILE` */
  config?: string | undefined;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** `-c`, else AO_CONFIG, else the nearest agents.toml walking up from cwd. */
export function findConfig({ config, cwd, env }: FindOptions): string {
  const given = config ?? env.AO_CONFIG;
  if (given) {
    const file = resolve(cwd, given);
    if (!lexists(file)) throw new UsageError(`config file not found: ${file}${config ? '' : ' (from AO_CONFIG)'}`);
    return usableConfig(file);
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const file = join(dir, CONFIG_FILE);
    // the first agents.toml that exists in any form is this project's, usable or not: never walk past it to a parent's
    if (lexists(file)) return usableConfig(file);
    if (dirname(dir) === dir) break;
  }
  throw new UsageError(`no ${CONFIG_FILE} found in ${resolve(cwd)} or any folder above it (create one with \`ao init\`, or pass -c FILE)`);
}

export function lexists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/** The config file if it can be read; else a config error that says what is wrong with it. */
function usableConfig(file: string): string {
  let problem: string | null = null;
  try {
    if (statSync(file).isDirectory()) problem = 'it is a directory, not a file';
    else accessSync(file, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problem =
      code === 'ELOOP'
        ? 'it is a symlink loop'
        : code === 'ENOENT'
          ? `it is a symlink to ${readlinkSync(file)}, which does not exist`
          : code === 'EACCES'
            ? 'permission denied: it cannot be read'
            : (error as Error).message;
  }
  if (problem)
    throw new ConfigError(
      file,
      `cannot use this ${CONFIG_FILE}: ${problem} (ao stops at the first ${CONFIG_FILE} it finds and never looks in the folders above)`,
    );
  return file;
}
