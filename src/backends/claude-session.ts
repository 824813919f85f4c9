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
export const SIGNAL_HOOKS = ['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'PermissionRequest', 'Notification', 'Stop', 'SessionEnd'] as const;

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
  const hooks = Object.fromEntries(SIGNAL_HOOKS.map((name) => [name, [{ hooks: [{ type: 'command', command, timeout: 10 }] }]]));
  return ['--settings', JSON.stringify({ hooks })];
}
