import { join } from 'node:path';

/**
 * Where an agent's inbox lives (DESIGN §6). Kept free of dependencies so that
 * config resolution can share it without loading the locking code.
 */
export function inboxPath(stateDir: string, agent: string): string {
  return join(stateDir, 'inbox', `${agent}.md`);
}
