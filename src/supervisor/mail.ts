import { statSync } from 'node:fs';
import { inboxPath } from '../coord/inbox.js';

/** Bytes in an agent's inbox: grown since the last notice means new mail. */
export function inboxSize(stateDir: string, agent: string): number {
  try {
    return statSync(inboxPath(stateDir, agent)).size;
  } catch {
    return 0;
  }
}
