import { statSync } from 'node:fs';
import { getBackend } from '../backends/index.js';
import type { AgentSpec } from '../config/types.js';
import { inboxPath } from '../coord/inbox.js';
import type { AgentRecord } from '../state/agents.js';
import type { Tmux } from '../tmux/client.js';

/** The fixed notice typed into a pane: never the message itself (DESIGN §4.6). */
export const mailNotice = (inbox: string): string => `ao: you have new mail. Read your inbox: ${inbox}`;

export function inboxSize(stateDir: string, agent: string): number {
  try {
    return statSync(inboxPath(stateDir, agent)).size;
  } catch {
    return 0;
  }
}

/**
 * Tells an agent it has mail when its inbox grew and its screen is idle or
 * waiting; a busy agent is told on a later sweep. Returns whether it told.
 */
export async function notifyMail(tmux: Tmux, stateDir: string, agent: AgentSpec, record: AgentRecord): Promise<boolean> {
  const size = inboxSize(stateDir, agent.name);
  if (size <= (record.mailSeen ?? 0)) {
    if (size < (record.mailSeen ?? 0)) record.mailSeen = size; // the inbox was emptied by hand
    return false;
  }
  const screen = await tmux.capture(agent.session);
  if (screen === null) return false;
  const state = getBackend(agent.backend).detect(screen, { readyPattern: agent.readyPattern });
  if (state !== 'ready' && state !== 'waiting') return false;
  await tmux.paste(agent.session, mailNotice(inboxPath(stateDir, agent.name)));
  record.mailSeen = size;
  return true;
}
