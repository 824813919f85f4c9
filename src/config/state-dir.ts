import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'smol-toml';
import { DEFAULT_STATE_DIR, inside, plainStateDir, realInside } from './find.js';

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
  return inside(dir, abs) && realInside(dir, abs) ? abs : join(dir, DEFAULT_STATE_DIR);
}

function declaredStateDir(source: string): string | null {
  try {
    const defaults = (parse(source) as { defaults?: { state_dir?: unknown } }).defaults;
    return typeof defaults?.state_dir === 'string' ? defaults.state_dir : null;
  } catch {
    // a syntax error elsewhere in the file: the plain `state_dir = "…"` line of [defaults]
    return plainStateDir(source);
  }
}
