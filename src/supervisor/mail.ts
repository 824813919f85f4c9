import { lstatSync } from 'node:fs';
import { layout } from '../state/layout.js';

/** Bytes in an agent's inbox: grown since the last notice means new mail. */
export function inboxSize(stateDir: string, agent: string): number {
  try {
    return lstatSync(layout.inbox(stateDir, agent)).size; // a link's own size: never its target's
  } catch {
    return 0;
  }
}
