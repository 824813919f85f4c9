import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parse } from 'smol-toml';

/** `[defaults] state_dir` when agents.toml does not set it. */
export const DEFAULT_STATE_DIR = 'state';

/** Whether `child` is `parent` or inside it. */
export function inside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

/**
 * The state folder an agents.toml names, read as leniently as possible: for
 * an agents.toml that does not validate (or does not even parse), so that
 * the commands that show the running team find its state folder. A value
 * outside the project folder is refused, as `loadProject` refuses it.
 */
export function stateDirOf(configFile: string): string {
  const dir = dirname(configFile);
  let value: string | null = null;
  try {
    value = declaredStateDir(readFileSync(configFile, 'utf8'));
  } catch {
    // unreadable: the default
  }
  const abs = resolve(dir, value ?? DEFAULT_STATE_DIR);
  return inside(dir, abs) ? abs : join(dir, DEFAULT_STATE_DIR);
}

function declaredStateDir(source: string): string | null {
  try {
    const defaults = (parse(source) as { defaults?: { state_dir?: unknown } }).defaults;
    return typeof defaults?.state_dir === 'string' ? defaults.state_dir : null;
  } catch {
    // a syntax error elsewhere in the file: the plain `state_dir = "…"` line of [defaults]
    let table = '';
    for (const line of source.split('\n')) {
      const header = /^\s*\[\s*([^\]]*?)\s*\]/.exec(line);
      if (header) table = header[1]!;
      const m = table === 'defaults' ? /^\s*state_dir\s*=\s*(?:"([^"\\]*)"|'([^']*)')\s*(?:#.*)?$/.exec(line) : null;
      if (m) return m[1] ?? m[2]!;
    }
    return null;
  }
}
