import { statSync } from 'node:fs';
import { layout } from '../state/layout.js';

/** Bytes in an agent's inbox: grown since the last notice means new mail. */
export function inboxSize(stateDir: string, agent: string): number {
  try {
    return statSync(layout.inbox(stateDir, agent)).size;
  } catch {
    return 0;
  }
}
