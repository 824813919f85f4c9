/** A person's terminal for `ao dash` tests: a shell in a tmux server of the test's own, read with capture-pane and driven with send-keys. */
import { expect } from 'vitest';
import { tmux } from './ao.js';

/**
 * A shell in window `name` of session `dash` on the `view` server (its first window makes the session, of `size`), in
 * `cwd`, with AO_CONFIG empty and `env` set; returns its target, `=dash:<name>`.
 */
export async function openShell(view: string, name: string, cwd: string, env: Record<string, string>, size = { x: 120, y: 40 }): Promise<string> {
  const vars = Object.entries({ AO_CONFIG: '', ...env }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const exists = (await tmux(view, ['has-session', '-t', '=dash'])).code === 0;
  const made = exists
    ? await tmux(view, ['new-window', '-d', '-t', '=dash', '-n', name, '-c', cwd, ...vars, 'sh'])
    : await tmux(view, ['new-session', '-d', '-s', 'dash', '-n', name, '-x', String(size.x), '-y', String(size.y), '-c', cwd, ...vars, 'sh']);
  expect(made.code, made.stderr).toBe(0);
  return `=dash:${name}`;
}
