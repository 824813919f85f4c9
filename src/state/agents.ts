import { join } from 'node:path';
import { readJson, withLock, writeJsonAtomic } from './files.js';

/** What ao remembers of an agent between commands (state/agents.json). */
export interface AgentRecord {
  /** the user brought it up and has not brought it down */
  up: boolean;
  /** ISO time of the last start */
  startedAt: string | null;
  restarts: number;
  iteration: number;
  /** the model it was started with */
  model: string | null;
  /** failed | backoff, set by the watchdog; null otherwise */
  condition?: 'failed' | 'backoff' | null;
}

export interface AgentsState {
  version: 1;
  agents: Record<string, AgentRecord>;
}

export const agentsFile = (stateDir: string): string => join(stateDir, 'agents.json');

export function emptyRecord(): AgentRecord {
  return { up: false, startedAt: null, restarts: 0, iteration: 0, model: null, condition: null };
}

export function readAgentsState(stateDir: string): AgentsState {
  return readJson<AgentsState>(agentsFile(stateDir)) ?? { version: 1, agents: {} };
}

/** Locked read-modify-write of state/agents.json. */
export async function updateAgentsState(stateDir: string, change: (state: AgentsState) => void): Promise<AgentsState> {
  return withLock(stateDir, async () => {
    const state = readAgentsState(stateDir);
    change(state);
    await writeJsonAtomic(agentsFile(stateDir), state);
    return state;
  });
}
