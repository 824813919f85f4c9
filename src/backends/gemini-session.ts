/**
 * Gemini CLI's conversations across restarts (checked against 0.61.0): ao
 * chooses the id and starts the first run with `--session-id <uuid>`; every
 * later start continues it with `--resume <uuid>` (its help names only
 * "latest" and an index, but a session's uuid is taken too, in the TUI and
 * headless). An id Gemini does not know among the folder's sessions ends the
 * run at once with `Error resuming session: Invalid session identifier
 * "<uuid>".` (exit 42): the watchdog then starts a fresh conversation.
 * `--session-id` on an id that already has a session is refused ("already
 * exists"), so a later start never reuses it that way.
 */
import { randomUUID } from 'node:crypto';
import type { ConversationSupport, LaunchInput } from './types.js';

export const geminiConversations: ConversationSupport = {
  newId: () => randomUUID(),
  refused: (output, id) => output.includes(`Invalid session identifier "${id}"`),
};

/** The flags that begin or continue the start's conversation. */
export function geminiConversationArgs(input: LaunchInput): string[] {
  const c = input.conversation;
  if (!c) return [];
  return c.resume ? ['--resume', c.id] : ['--session-id', c.id];
}
