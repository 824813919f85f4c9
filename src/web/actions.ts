/**
 * What the pages and the API may do: the CLI's own commands (`ao send`, `ao
 * restart`, `ao down AGENT`, `ao phase next|set`) under the same rules, run
 * in this process with their output kept. Never a keystroke into a pane,
 * never an answer to a dialog, never a shell command. A message from the web
 * is from `maintainer`.
 */
import { appendMessage, MESSAGE_CAP, sanitizeMessage } from '../coord/inbox.js';
import { AoError } from '../errors.js';
import type { GlobalOptions, Io } from '../cli/io.js';
import { safeText } from '../text/safe.js';

export interface ActionOutcome {
  /** an HTTP status: 200 done, 400 refused (the CLI's exit 2), 500 failed */
  status: 200 | 400 | 500;
  /** what the command printed (or why it did not run), as safe text */
  output: string;
  error?: string;
}

/** Runs one command with an Io that keeps what it prints; its typed error becomes a refusal. */
export async function runCommand(io: Io, command: (io: Io) => Promise<number>): Promise<ActionOutcome> {
  const printed: string[] = [];
  const keep: Io = { ...io, out: (s) => void printed.push(s), err: (s) => void printed.push(s), isTTY: false };
  try {
    const code = await command(keep);
    const output = safeText(printed.join('')).trim();
    return code === 0 ? { status: 200, output } : { status: code === 2 ? 400 : 500, output, error: output || `exit ${code}` };
  } catch (error) {
    const message = safeText(error instanceof Error ? error.message : String(error));
    return { status: error instanceof AoError && error.exitCode === 2 ? 400 : 500, output: safeText(printed.join('')).trim(), error: message };
  }
}

/** The environment the commands run with: the web server's, without the pane TMUX names (so the caller is found by its processes alone). */
export function commandIo(io: Io, dir: string): Io {
  const env = { ...io.env };
  delete env.TMUX;
  delete env.TMUX_PANE;
  delete env.AO_AGENT;
  return { ...io, env, cwd: dir };
}

export async function sendMessage(stateDir: string, agent: string, text: unknown): Promise<ActionOutcome> {
  if (typeof text !== 'string') return { status: 400, output: '', error: 'a message needs {"text": "..."}' };
  if (Buffer.byteLength(text) > MESSAGE_CAP) return { status: 400, output: '', error: `the message is over ${MESSAGE_CAP} bytes: nothing sent` };
  if (sanitizeMessage(text) === '') return { status: 400, output: '', error: `no message for ${agent}` };
  try {
    const message = await appendMessage(stateDir, agent, 'maintainer', text);
    return { status: 200, output: `sent ${message.id} to ${agent}` };
  } catch (error) {
    return { status: error instanceof AoError && error.exitCode === 2 ? 400 : 500, output: '', error: safeText((error as Error).message) };
  }
}

export interface ActionDeps {
  options: GlobalOptions;
  io: Io;
}

export async function restartAgent(deps: ActionDeps, agent: string): Promise<ActionOutcome> {
  const { restart } = await import('../cli/commands/restart.js');
  return runCommand(deps.io, (io) => restart({ ...deps.options, agent }, io));
}

export async function stopAgent(deps: ActionDeps, agent: string): Promise<ActionOutcome> {
  const { down } = await import('../cli/commands/down.js');
  return runCommand(deps.io, (io) => down({ ...deps.options, agents: [agent] }, io));
}

export async function movePhase(deps: ActionDeps, action: 'next' | 'set', id?: string): Promise<ActionOutcome> {
  if (action === 'set' && (typeof id !== 'string' || id === '')) return { status: 400, output: '', error: 'phase set needs {"id": "..."}' };
  const { phase } = await import('../cli/commands/phase.js');
  return runCommand(deps.io, (io) => phase({ ...deps.options, action, id }, io));
}
