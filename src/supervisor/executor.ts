import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { getBackend } from '../backends/index.js';
import type { AgentSpec } from '../config/types.js';
import { writeTextAtomic } from '../state/files.js';
import type { Tmux } from '../tmux/client.js';
import type { LaunchPlan } from './launch.js';

export interface StartResult {
  agent: string;
  pid: number | null;
  /** for paste kickoffs: whether the kickoff was delivered and submitted */
  kickoff: 'delivered' | 'not-ready' | 'not-submitted' | null;
}

/** Writes the kickoff, then starts the agent as its pane's own program. */
export async function startSession(tmux: Tmux, plan: LaunchPlan, replaceDead: boolean): Promise<void> {
  await writeTextAtomic(plan.kickoffFile, plan.kickoffText);
  if (plan.session.logFile) mkdirSync(dirname(plan.session.logFile), { recursive: true });
  if (replaceDead) await tmux.killSession(plan.session.name);
  await tmux.newSession(plan.session);
}

/** Polls the pane until the backend's detector reads `ready`. */
export async function waitReady(tmux: Tmux, agent: AgentSpec, timeoutMs: number): Promise<boolean> {
  const backend = getBackend(agent.backend);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const screen = await tmux.capture(agent.session);
    if (screen === null) return false;
    if (backend.detect(screen, { readyPattern: agent.readyPattern }) === 'ready') return true;
    await sleep(100);
  }
  return false;
}

/** Pastes a kickoff into a ready TUI; never typed as keys (DESIGN §4.6). */
export async function deliverKickoff(tmux: Tmux, plan: LaunchPlan, timeoutMs = 30_000): Promise<StartResult['kickoff']> {
  if (!(await waitReady(tmux, plan.agent, timeoutMs))) return 'not-ready';
  // the Enter that submits is sent on its own: a trailing newline would submit early
  const { submitted } = await tmux.paste(plan.agent.session, plan.kickoffText.replace(/[\r\n]+$/, ''));
  return submitted ? 'delivered' : 'not-submitted';
}
