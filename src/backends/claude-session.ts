/**
 * Claude Code's conversations across restarts (checked against 2.1.332): ao
 * chooses the id and starts the first run with `--session-id <uuid>`; every
 * later start continues it with `--resume <uuid>`. An id Claude does not know
 * ends the run at once with "No conversation found with session ID: <uuid>"
 * (exit 1): the watchdog then starts a fresh conversation. `--session-id` on
 * an id that already has a conversation is refused too ("already in use"),
 * which is why a later start never reuses it that way.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { ConversationSupport, LaunchInput } from './types.js';

export const claudeConversations: ConversationSupport = {
  newId: () => randomUUID(),
  refused: (output, id) => output.includes(`No conversation found with session ID: ${id}`),
};

/** The flags that begin or continue the start's conversation. */
export function conversationArgs(input: LaunchInput): string[] {
  const c = input.conversation;
  if (!c) return [];
  return c.resume ? ['--resume', c.id] : ['--session-id', c.id];
}

/** The hooks ao listens to (2.1.332 offers these and more; each costs one short process per event). */
export const SIGNAL_HOOKS = [
  'SessionStart',
  'UserPromptSubmit',
  'PreToolUse',
  'PostToolUse',
  'PermissionRequest',
  'Notification',
  'Stop',
  'SessionEnd',
] as const;

const quote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

/**
 * `--settings <json>`: Claude Code's hooks each run one fixed command, `ao
 * hook-signal FILE`, which reads the hook's JSON on stdin and appends one line
 * to the agent's signal file. Claude runs a hook command with a shell; the
 * words are ao's own paths, quoted, and nothing from the agent is in it.
 */
export function hookArgs(input: LaunchInput): string[] {
  if (!input.signalFile) return [];
  const command = [process.execPath, input.aoEntry, 'hook-signal', input.signalFile].map(quote).join(' ');
  const settings = userSettings(input);
  const theirs = isRecord(settings.hooks) ? settings.hooks : {};
  // the agent's own hooks run as before; ao's are added beside them, event by event
  const hooks: Record<string, unknown> = { ...theirs };
  for (const name of SIGNAL_HOOKS) hooks[name] = [...(Array.isArray(theirs[name]) ? theirs[name] : []), { hooks: [{ type: 'command', command, timeout: 10 }] }];
  return ['--settings', JSON.stringify({ ...settings, hooks })];
}

/**
 * Claude Code keeps one `--settings` (the last since 2.1.169, the first
 * before): an agent's own `--settings` in its `args` (a JSON text or a file)
 * is folded into the one ao passes, and taken out of the args (withoutSettings).
 */
function userSettings(input: LaunchInput): Record<string, unknown> {
  const value = settingsValue(input.agent.args ?? []);
  if (value === null) return {};
  let text = value;
  if (!value.trimStart().startsWith('{')) {
    const file = isAbsolute(value) ? value : resolve(input.agent.cwd ?? '.', value);
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`--settings ${value}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`--settings ${value.length > 60 ? `${value.slice(0, 60)}…` : value}: not JSON (${(error as Error).message})`);
  }
  if (!isRecord(parsed)) throw new Error(`--settings ${value}: not a JSON object`);
  return parsed;
}

/** The value of the last `--settings` in args (`--settings X` or `--settings=X`), or null. */
function settingsValue(args: readonly string[]): string | null {
  let value: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    if (a === '--settings' && i + 1 < args.length) value = args[++i]!;
    else if (a.startsWith('--settings=')) value = a.slice('--settings='.length);
  }
  return value;
}

/** The args without their `--settings` (folded into ao's by hookArgs). */
export function withoutSettings(input: LaunchInput, args: readonly string[]): string[] {
  if (!input.signalFile) return [...args];
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      out.push(...args.slice(i));
      break;
    }
    if (a === '--settings' && i + 1 < args.length) i++;
    else if (!a.startsWith('--settings=')) out.push(a);
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
