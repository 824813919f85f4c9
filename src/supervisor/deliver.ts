/**
 * The one way text reaches a pane: kickoffs, mail notices and nudges all go
 * through here (DESIGN §4.6, §4.8). Text is pasted, never typed, with every
 * control sequence stripped; it goes only into a screen that has read ready,
 * with no dialog anywhere on it, for the backend's settle time; and Enter
 * follows only while the screen still shows no dialog. When in doubt, nothing
 * is sent.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { getBackend } from '../backends/index.js';
import type { ScreenState } from '../backends/types.js';
import type { AgentSpec } from '../config/types.js';
import { safeText } from '../text/safe.js';
import type { Tmux } from '../tmux/client.js';

/** Fixed text: no path, no project name, nothing a shell could expand (the kickoff says where the inbox is). */
export const NOTICE_TEXT = 'ao: you have new mail in your inbox.';
export const NUDGE_TEXT = 'ao: you have been silent for a while. Re-read your phase plan and your inbox, then carry on.';

/** A dialog must be on screen this long before the agent is reported waiting (a frame in passing is not one). */
export const WAITING_AFTER_MS = 300;

export function settleMsOf(agent: AgentSpec): number {
  return getBackend(agent.backend).settleMs;
}

/** An interactive program that takes typed input: the only panes ao ever pastes into. */
export function hasTui(agent: AgentSpec): boolean {
  return agent.kind === 'persistent'; // loops and tasks run one-shot modes; services read nothing
}

/** The screens the watchdog reads: interactive agents, and any agent whose kickoff is pasted. */
export function watchesScreen(agent: AgentSpec): boolean {
  return hasTui(agent) || agent.kickoff === 'paste';
}

/** Mail notices: TUIs, and a shell agent only when it asks for them (`notify = true`). */
export function takesNotices(agent: AgentSpec): boolean {
  if (!hasTui(agent)) return false;
  return agent.backend === 'shell' ? agent.notify : true;
}

/** Text as it may be pasted: controls stripped, the trailing newline dropped (Enter is sent on its own). */
export function pasteText(text: string): string {
  return safeText(text).replace(/\n+$/, '');
}

/** What one capture shows. */
export interface Reading {
  state: ScreenState;
  /** the dialog on screen (`folder trust`, `tool permission`, …), or null */
  dialog: string | null;
  screen: string;
  at: number;
}

/** Pure: a capture read by the agent's backend. A waiting screen always names a dialog. */
export function readScreen(agent: AgentSpec, screen: string, at: number): Reading {
  const backend = getBackend(agent.backend);
  const state = backend.detect(screen, { readyPattern: agent.readyPattern });
  const dialog = backend.dialog?.(screen) ?? (state === 'waiting' ? 'question' : null);
  return { state, dialog, screen, at };
}

/** How long the screen has read the same way. */
export interface Steadiness {
  state: ScreenState;
  dialog: string | null;
  since: number;
}

/** Pure: the steadiness after one more reading. */
export function nextSteadiness(previous: Steadiness | undefined, reading: Reading): Steadiness {
  const same = previous !== undefined && previous.state === reading.state && previous.dialog === reading.dialog;
  return { state: reading.state, dialog: reading.dialog, since: same ? previous.since : reading.at };
}

/** Ready for a paste: ready, no dialog, for the settle time. */
export function steadilyReady(s: Steadiness | undefined, now: number, settleMs: number): boolean {
  return s !== undefined && s.state === 'ready' && s.dialog === null && now - s.since >= settleMs;
}

/** The dialog the agent waits at, once it has stayed on screen a moment; else null. */
export function waitingAt(s: Steadiness | undefined, now: number): string | null {
  if (s === undefined || (s.state !== 'waiting' && s.dialog === null)) return null;
  return now - s.since >= WAITING_AFTER_MS ? (s.dialog ?? 'question') : null;
}

export type Verdict = 'delivered' | 'unconfirmed' | 'not-delivered';

export interface Outcome {
  verdict: Verdict;
  reason: string;
  /** the screen ao saw last, after its own keys */
  screen?: string;
}

/**
 * Pastes text into a pane the caller found steadily ready, then submits it.
 * `not-delivered`: nothing was sent (the screen was no longer ready): try
 * again later. `unconfirmed`: the text was pasted but ao cannot tell that it
 * was taken: never send it again. `delivered`: the agent went busy or took
 * the input.
 */
export async function deliver(tmux: Tmux, agent: AgentSpec, text: string, options: { stepMs?: number } = {}): Promise<Outcome> {
  const step = options.stepMs ?? 200;
  const look = async (): Promise<Reading | null> => {
    const screen = await tmux.capture(agent.session);
    return screen === null ? null : readScreen(agent, screen, Date.now());
  };
  const before = await look();
  if (before === null) return { verdict: 'not-delivered', reason: 'its pane is gone' };
  if (before.state !== 'ready' || before.dialog !== null) return { verdict: 'not-delivered', reason: `its screen reads ${before.dialog ?? before.state}` };
  await tmux.pasteBuffer(agent.session, pasteText(text));
  await sleep(options.stepMs ?? getBackend(agent.backend).enterAfterMs ?? step);
  const pasted = await look();
  if (pasted === null) return { verdict: 'unconfirmed', reason: 'pasted; then its pane went away' };
  if (pasted.dialog !== null || pasted.state === 'waiting')
    return { verdict: 'unconfirmed', reason: `pasted, not submitted: ${pasted.dialog ?? 'a dialog'} appeared` };
  // Enter at most twice, each time only into a screen that still shows no dialog
  for (let attempt = 0; attempt < 2; attempt++) {
    await tmux.sendKeys(agent.session, ['Enter']);
    await sleep(step);
    const after = await look();
    if (after === null) return { verdict: 'unconfirmed', reason: 'submitted; then its pane went away' };
    if (after.state === 'busy') return { verdict: 'delivered', reason: 'the agent went busy', screen: after.screen };
    if (after.screen !== pasted.screen) return { verdict: 'delivered', reason: 'the input was taken', screen: after.screen };
    if (after.dialog !== null || after.state !== 'ready')
      return { verdict: 'unconfirmed', reason: `submitted; its screen reads ${after.dialog ?? after.state}` };
  }
  return { verdict: 'unconfirmed', reason: 'pasted; Enter changed nothing on screen', screen: pasted.screen };
}

/**
 * Waits for the screen to be steadily ready and delivers, for a caller with
 * no watchdog to hand the delivery to (`ao up --no-watchdog`). A dialog ends
 * the wait at once: the screen belongs to the person now.
 */
export async function deliverWhenReady(tmux: Tmux, agent: AgentSpec, text: string, timeoutMs: number): Promise<Outcome & { waitingOn?: string }> {
  const deadline = Date.now() + timeoutMs;
  let steady: Steadiness | undefined;
  while (Date.now() < deadline) {
    const screen = await tmux.capture(agent.session);
    if (screen === null) return { verdict: 'not-delivered', reason: 'its pane is gone' };
    const now = Date.now();
    steady = nextSteadiness(steady, readScreen(agent, screen, now));
    const waiting = waitingAt(steady, now);
    if (waiting !== null) return { verdict: 'not-delivered', reason: `its screen shows a dialog (${waiting})`, waitingOn: waiting };
    if (steadilyReady(steady, now, settleMsOf(agent))) {
      const outcome = await deliver(tmux, agent, text);
      if (outcome.verdict !== 'not-delivered') return outcome;
      steady = undefined;
    }
    await sleep(150);
  }
  return { verdict: 'not-delivered', reason: 'its screen never read ready' };
}
