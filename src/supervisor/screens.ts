/**
 * The watchdog's eyes and hands on the interactive panes: it looks at each
 * TUI agent's screen, reports a dialog as `waiting` (whatever the agent's heal
 * mode), and pastes what is due — a pending kickoff, a mail notice, a stall
 * nudge — only once the screen has been steadily ready (deliver.ts). What is
 * due lives in state/agents.json, so a kickoff recorded by `ao up` or a heal
 * is pasted however late the screen gets ready, even by a watchdog started
 * after the one that recorded it.
 */
import { fileStamp } from '../state/files.js';
import type { Project } from '../config/types.js';
import { readAgentsState, updateAgentsState, type AgentRecord, type AgentsState, type DeliveryRecord } from '../state/agents.js';
import { hookView, readSignals, signalFile } from '../state/signals.js';
import type { Tmux } from '../tmux/client.js';
import {
  deliver,
  nextSteadiness,
  NOTICE_TEXT,
  NUDGE_TEXT,
  readScreen,
  settleMsOf,
  steadilyReady,
  takesNotices,
  waitingAt,
  watchesScreen,
  type Outcome,
  type Steadiness,
} from './deliver.js';
import { inboxSize } from './mail.js';
import { getBackend } from '../backends/index.js';
import { layout } from '../state/layout.js';
import { readTextFile } from '../state/safe-fs.js';
import { WakeQueue } from './wake.js';
import { unwritableCode } from './writable.js';
import type { AoEvent, EventName } from '../state/event-catalogue.js';

/** between looks while something is due: a steady screen is seen within a settle time plus this */
export const FAST_LOOK_MS = 150;
/** between looks while nothing is due: how soon a new dialog shows as `waiting` */
export const SLOW_LOOK_MS = 2000;
/** between looks at a pane that printed nothing and has nothing due */
export const UNCHANGED_LOOK_MS = 60_000;

export interface ScreensDeps {
  tmux: Tmux;
  project: () => Project;
  /** sessions whose pane lives, from the watchdog's newest snapshot */
  alive: () => ReadonlySet<string>;
  event: (event: AoEvent) => void;
  log: (level: 'info' | 'warn' | 'error', text: string) => void;
  now?: () => number;
  /** resolves once no sweep runs: a heal goes first, the screens wait (a capture is a tmux client process) */
  sweepDone?: () => Promise<void>;
  /** whether the state folder takes writes: while it does not, nothing is pasted */
  writable?: () => boolean;
  /** the state folder refused a write (its error code, the file) */
  refused?: (code: string, what: string) => void;
  /**
   * Has the sweep write these changes into agents.json, which has one writer;
   * resolves with how many still applied, once written. Without it (a screen
   * watch on its own, in tests) they are written here.
   */
  record?: (patches: readonly ScreenPatch[]) => Promise<number>;
}

type Due = DeliveryRecord['what'];

/** A change to one agent's record, applied only if it still describes the same start. */
export interface ScreenPatch {
  agent: string;
  startedAt: string | null;
  apply: (record: AgentRecord) => void;
}

type DeliveryEvent = Extract<EventName, `kickoff-${string}` | `mail-notice${string}` | `nudge-${string}`>;
const EVENT: Record<Due, Record<Outcome['verdict'], DeliveryEvent>> = {
  kickoff: { delivered: 'kickoff-delivered', unconfirmed: 'kickoff-unconfirmed', 'not-delivered': 'kickoff-not-delivered' },
  notice: { delivered: 'mail-notice', unconfirmed: 'mail-notice-unconfirmed', 'not-delivered': 'mail-notice-not-delivered' },
  nudge: { delivered: 'nudge-pasted', unconfirmed: 'nudge-unconfirmed', 'not-delivered': 'nudge-not-delivered' },
};

export class Screens {
  private readonly steady = new Map<string, Steadiness>();
  /** each pane's log as it was when the pane was last captured: an unchanged pane with nothing due is not captured again */
  private readonly lookedAt = new Map<string, { stamp: string; at: number }>();
  private agentsRead: { stamp: string | null; state: AgentsState } | null = null;
  /** the sweep's asks to look (a start, `ao up`, new mail) */
  private readonly wakes = new WakeQueue();
  /** changes a full disk refused: applied with the next write that works */
  private carried: ScreenPatch[] = [];

  constructor(private readonly deps: ScreensDeps) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /** Something may be due now (a start, `ao up`, new mail). */
  wake(): void {
    this.wakes.push({ source: 'sweep' });
  }

  /** Looks until stop(): at once on a wake, else when the last pass said. */
  async run(): Promise<void> {
    while (!this.wakes.isClosed) {
      this.wakes.take();
      let next = SLOW_LOOK_MS;
      try {
        next = await this.pass();
      } catch (error) {
        this.deps.log('warn', `screen pass failed: ${(error as Error).message}`);
      }
      await this.wakes.sleepUntilWake(next);
    }
  }

  stop(): void {
    this.wakes.close();
  }

  /** One look at every interactive pane; delivers what is due. Returns ms until the next look. */
  async pass(): Promise<number> {
    const project = this.deps.project();
    // a paste is recorded before it is made: while nothing can be recorded, nothing is pasted
    if (this.deps.writable?.() === false) return SLOW_LOOK_MS;
    const alive = this.deps.alive();
    const state = this.agentsState(project.stateDir);
    const patches: ScreenPatch[] = this.carried.splice(0);
    let soon = false;
    for (const agent of project.agents) {
      const record = state.agents[agent.name];
      if (!record?.up || !watchesScreen(agent) || !alive.has(agent.session)) {
        this.steady.delete(agent.name);
        this.lookedAt.delete(agent.name);
        continue;
      }
      if (!this.worthALook(project, agent, record)) continue;
      try {
        await this.deps.sweepDone?.();
        soon = (await this.look(project, agent.name, record, patches)) || soon;
      } catch (error) {
        // one agent's trouble is its own: the others are still looked at
        this.deps.log('warn', `screen of ${agent.name}: ${(error as Error).message}`);
      }
    }
    if (patches.length > 0) await this.commit(project.stateDir, patches);
    return soon ? FAST_LOOK_MS : SLOW_LOOK_MS;
  }

  /** Writes the patches; true when all of them still applied. A write the disk refuses keeps them for the next one. */
  private async commit(stateDir: string, patches: ScreenPatch[]): Promise<boolean> {
    let applied = 0;
    try {
      if (this.deps.record) applied = await this.deps.record(patches);
      else await updateAgentsState(stateDir, (s) => void (applied = applyPatches(s, patches)));
      return applied === patches.length;
    } catch (error) {
      const code = unwritableCode(error);
      if (code === null) throw error;
      this.carried.push(...patches);
      this.deps.refused?.(code, 'agents.json');
      return false;
    }
  }

  /** state/agents.json, read and validated again only when it changed (the pass only reads it; the sweep writes its changes) */
  private agentsState(stateDir: string): AgentsState {
    const stamp = fileStamp(layout.agents(stateDir));
    if (stamp === null || this.agentsRead?.stamp !== stamp) this.agentsRead = { stamp, state: readAgentsState(stateDir) };
    return this.agentsRead.state;
  }

  /**
   * Whether to capture the pane now. A pane that printed nothing since its
   * last capture (its log, which tmux's pipe-pane appends every byte of its
   * output to, is unchanged: a stat, where asking tmux would cost a process)
   * shows no new dialog; it is captured again only when something is due for
   * it, or while a dialog is settling or shown.
   */
  private worthALook(project: Project, agent: Project['agents'][number], record: AgentRecord): boolean {
    const last = this.lookedAt.get(agent.name);
    if (last === undefined || last.stamp === '' || logStamp(project, agent.name) !== last.stamp) return true;
    // a pane whose log is not written (its pipe gone) still gets a look now and then
    if (this.now() - last.at >= UNCHANGED_LOOK_MS) return true;
    const steady = this.steady.get(agent.name);
    if (record.pending || record.waitingOn || steady?.state === 'waiting' || steady?.dialog) return true;
    if (record.nudgeDue && takesNotices(agent)) return true;
    return takesNotices(agent) && inboxSize(project.stateDir, agent.name) > (record.mailSeen ?? 0);
  }

  /** Returns whether something is still due and worth a quick look again. */
  private async look(project: Project, name: string, record: AgentRecord, patches: ScreenPatch[]): Promise<boolean> {
    const agent = project.agents.find((a) => a.name === name)!;
    const stamp = logStamp(project, name); // before the capture: output meanwhile makes the next pass look again
    const screen = await this.deps.tmux.capture(agent.session);
    if (screen === null) return false;
    this.lookedAt.set(name, { stamp, at: this.now() });
    const now = this.now();
    const steady = nextSteadiness(this.steady.get(name), readScreen(agent, screen, now));
    this.steady.set(name, steady);
    const patch = (apply: (r: AgentRecord) => void): void => void patches.push({ agent: name, startedAt: record.startedAt, apply });

    // the CLI's own hooks can only add a dialog the screen does not show (yet), never hide one
    const asked = record.startedAt ? hookView(readSignals(signalFile(project.stateDir, name)), Date.parse(record.startedAt)).waiting : null;
    const waiting = waitingAt(steady, now) ?? asked;
    // a dialog just drawn: look again soon to tell a real one from a frame in passing
    const settling = waiting === null && (steady.state === 'waiting' || steady.dialog !== null);
    if (waiting !== (record.waitingOn ?? null)) {
      patch((r) => {
        r.waitingOn = waiting;
      });
      if (waiting !== null)
        this.deps.event({
          agent: name,
          event: 'waiting',
          reason: `${waitingAt(steady, now) === null ? 'its hooks report' : 'its screen shows'} a dialog (${waiting}): left to a person${record.pending ? '; the kickoff is pasted once it is answered' : ''}`,
        });
      else if (record.waitingOn) this.deps.event({ agent: name, event: 'waiting-over', reason: `the dialog (${record.waitingOn}) is gone` });
    }

    // the CLI retrying its provider on screen: waiting on it, not stalled
    const retry = getBackend(agent.backend).retrying?.(screen) ?? null;
    const providerWait = retry === null ? null : `provider (retry ${retry})`;
    if (providerWait !== (record.providerWait ?? null)) {
      patch((r) => {
        r.providerWait = providerWait;
      });
      if (providerWait !== null && !record.providerWait)
        this.deps.event({ agent: name, event: 'waiting', reason: `its screen shows it retrying the provider (retry ${retry})` });
      else if (providerWait === null)
        this.deps.event({ agent: name, event: 'waiting-over', reason: `no longer retrying the provider (${record.providerWait})` });
    }

    const mailSize = inboxSize(project.stateDir, name);
    const due: Due | null = record.pending
      ? 'kickoff'
      : takesNotices(agent) && mailSize > (record.mailSeen ?? 0)
        ? 'notice'
        : record.nudgeDue && takesNotices(agent)
          ? 'nudge'
          : null;
    if (due === null) return settling;
    if (asked !== null || !steadilyReady(steady, now, settleMsOf(agent))) return waiting === null;

    const text = due === 'kickoff' ? readTextFile(layout.kickoff(project.stateDir, name)) : due === 'notice' ? NOTICE_TEXT : NUDGE_TEXT;
    // a transaction: the paste is written down as made before it is made, so a record the disk refuses pastes
    // nothing, and no paste is made twice; one that then went nowhere is put back below
    const taking: ScreenPatch = { agent: name, startedAt: record.startedAt, apply: (r) => take(r, due, mailSize) };
    if (!(await this.commit(project.stateDir, [taking]))) {
      this.carried = this.carried.filter((p) => p !== taking);
      return false;
    }
    const outcome = await deliver(this.deps.tmux, agent, text);
    // our own paste changed the screen: judge it afresh before anything else goes in
    this.steady.delete(name);
    const at = this.now();
    patch((r) => {
      r.delivery = { what: due, verdict: outcome.verdict, reason: outcome.reason, at };
      if (outcome.verdict !== 'not-delivered') return;
      // nothing went in: still due
      if (due === 'kickoff') r.pending = record.pending ?? null;
      else if (due === 'notice' && r.mailSeen === mailSize) r.mailSeen = record.mailSeen ?? 0;
      else if (due === 'nudge') r.nudgeDue = true;
    });
    if (outcome.verdict !== 'not-delivered') this.deps.event({ agent: name, event: EVENT[due][outcome.verdict], reason: outcome.reason });
    return true;
  }
}

/** The pane log's identity, size and modification time; '' when it cannot be read (then every pass looks). */
function logStamp(project: Project, agent: string): string {
  return fileStamp(layout.agentLog(project.stateDir, agent)) ?? '';
}

/** Applies the patches whose agent was not restarted meanwhile; returns how many. */
export function applyPatches(state: AgentsState, patches: readonly ScreenPatch[]): number {
  let applied = 0;
  for (const p of patches) {
    const record = state.agents[p.agent];
    // restarted meanwhile: what was due belongs to the old start
    if (record && record.startedAt === p.startedAt) {
      p.apply(record);
      applied++;
    }
  }
  return applied;
}

/** What is due, marked as no longer due; `delivery` says how the paste went once it has (`ao up` waits for it). */
function take(r: AgentRecord, due: Due, mailSize: number): void {
  if (due === 'kickoff') r.pending = null;
  else if (due === 'notice') r.mailSeen = mailSize;
  else r.nudgeDue = false;
}
