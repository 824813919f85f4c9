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
