/**
 * What `ao up` and `ao restart` say about the kickoffs they leave pending.
 * The watchdog owns every paste (it waits for a steadily ready screen however
 * long that takes); the command only watches for a few seconds and reports.
 * Without a watchdog the command delivers itself, by the same rules.
 */
import type { Project } from '../config/types.js';
import { readAgentsState } from '../state/agents.js';
import { deliverWhenReady, type Outcome } from '../supervisor/deliver.js';
import { wakeChannel, type LaunchPlan } from '../supervisor/launch.js';
import type { Tmux } from '../tmux/client.js';
import type { Io } from './io.js';

export interface KickoffNote {
  /** words inside the start line's parentheses */
  inline: string;
  /** a clause after them */
  after: string;
  /** the kickoff went wrong (the command exits 1) */
  failed: boolean;
}

const fromOutcome = (outcome: Outcome): KickoffNote =>
  outcome.verdict === 'delivered'
    ? { inline: ', kickoff pasted', after: '', failed: false }
    : outcome.verdict === 'unconfirmed'
      ? { inline: `, kickoff pasted but not confirmed: ${outcome.reason}`, after: '', failed: true }
      : { inline: `, kickoff not delivered: ${outcome.reason}`, after: '', failed: true };

/** Hands the kickoffs to the watchdog and reports what it made of them within `timeoutMs`. */
export async function watchKickoffs(project: Project, tmux: Tmux, plans: readonly LaunchPlan[], timeoutMs: number, io: Io): Promise<Map<string, KickoffNote>> {
  const notes = new Map<string, KickoffNote>();
  if (plans.length === 0) return notes;
  const since = Date.now();
  const started = new Map(plans.map((p) => [p.agent.name, readAgentsState(project.stateDir).agents[p.agent.name]?.startedAt ?? null]));
  await tmux.signalChannel(wakeChannel(project.stateDir));
  io.err(`waiting for ${plans.map((p) => p.agent.name).join(', ')} to be ready for the kickoff…\n`);
  // Ctrl-C ends the wait, not the delivery: the kickoffs stay pending with the watchdog
  const interrupted = (): void => {
    io.err('interrupted: the watchdog still pastes the pending kickoffs (`ao status` shows them)\n');
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  try {
    while (notes.size < plans.length && Date.now() - since < timeoutMs) {
      const state = readAgentsState(project.stateDir);
      for (const plan of plans) {
        const name = plan.agent.name;
        const record = state.agents[name];
        if (notes.has(name) || !record) continue;
        if (record.startedAt !== started.get(name))
          notes.set(name, { inline: '', after: '; the watchdog has restarted it since (`ao events`)', failed: false });
        else if (!record.pending && record.delivery?.what === 'kickoff' && record.delivery.at >= since)
          notes.set(name, fromOutcome({ verdict: record.delivery.verdict, reason: record.delivery.reason }));
        else if (record.waitingOn)
          notes.set(name, {
            inline: '',
            after: `; waiting at a dialog (${record.waitingOn}) — the kickoff will be pasted when it is answered (ao attach ${name})`,
            failed: false,
          });
      }
      if (notes.size < plans.length) await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    process.removeListener('SIGINT', interrupted);
  }
  for (const plan of plans) {
    if (!notes.has(plan.agent.name))
      notes.set(plan.agent.name, {
        inline: '',
        after: '; not ready for its kickoff yet — the watchdog pastes it once its screen is (`ao status` shows it pending)',
        failed: false,
      });
  }
  return notes;
}

/** No watchdog: delivers here, waiting up to `timeoutMs` for each screen; a dialog ends the wait. */
export async function deliverKickoffs(tmux: Tmux, plans: readonly LaunchPlan[], timeoutMs: number, io: Io): Promise<Map<string, KickoffNote>> {
  if (plans.length > 0) io.err(`waiting for ${plans.map((p) => p.agent.name).join(', ')} to be ready for the kickoff…\n`);
  const outcomes = await Promise.all(plans.map((p) => deliverWhenReady(tmux, p.agent, p.kickoffText, timeoutMs)));
  return new Map(
    plans.map((plan, i) => {
      const outcome = outcomes[i]!;
      const note: KickoffNote = outcome.waitingOn
        ? {
            inline: '',
            after: `; waiting at a dialog (${outcome.waitingOn}) — with no watchdog nothing will paste the kickoff: answer it, then \`ao restart ${plan.agent.name}\``,
            failed: true,
          }
        : fromOutcome(outcome);
      return [plan.agent.name, note];
    }),
  );
}
