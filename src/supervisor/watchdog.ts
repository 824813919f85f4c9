/**
 * The watchdog process (`ao watchdog`, run in its own tmux session by `ao up`).
 * Its loop waits for a wake (wake.ts, fed by wake-sources.ts: tmux's
 * pane-died hook, a launcher's exit record, a slow look at the agents' pids
 * in /proc, an edited file) or for `stall_check_s` at the latest; then a
 * sweep observes (observation.ts: one tmux snapshot, the state files),
 * decides (decide.ts, pure) and applies (apply.ts), writing agents.json once
 * before anything starts. Every event goes to one sink (event-sink.ts).
 */
import type { Project } from '../config/types.js';
import { adoptRunning, recoverAgentsState, writeAgentsState, type AgentsState } from '../state/agents.js';
import type { EventRecord } from '../state/events.js';
import { withLock } from '../state/files.js';
import { deliverOutboxes } from '../coord/outbox.js';
import { MESSAGE_CAP } from '../coord/inbox.js';
import { capLogs } from '../state/logcap.js';
import { phaseView, recoverPhaseStateOf } from '../state/phase.js';
import type { Tmux } from '../tmux/client.js';
import { ownSessions, type PaneInfo } from '../tmux/snapshot.js';
import { applyActions, prepareStarts, type SweepContext } from './apply.js';
import { decideAgents, decidePhase, type EventAction, type SweepAction } from './decide.js';
import { land } from '../workspace/land.js';
import { errorLine, EventSink, type SinkEvent } from './event-sink.js';
import { watchdogSession } from './sessions.js';
import { Observer } from './observation.js';
import { observedPids } from './observe.js';
import { ConfigChanges, reloadConfig, reloadedEvents } from './reload.js';
import { applyPatches, Screens, type ScreenPatch } from './screens.js';
import { WakeQueue, type Wake } from './wake.js';
import { DeathWatch, listenForHook, LOST_EXIT_POLL_MS, watchProjectFiles, type WakeSourceDeps } from './wake-sources.js';
import { UNWRITABLE_PROBE_MS, unwritableCode } from './writable.js';

export { LOST_EXIT_POLL_MS, WATCH_READY_MS } from './wake-sources.js';

export interface WatchdogDeps {
  project: Project;
  tmux: Tmux;
  aoEntry: string;
  env: NodeJS.ProcessEnv;
  log: (level: 'info' | 'warn' | 'error', event: EventRecord | string) => void;
  now?: () => number;
  /** the tmux session the watchdog runs in: once it is gone (ao down, the server killed) the watchdog stops */
  ownSession?: string;
  /** called once the sweeps have ended, before the run winds down (the process arms its last deadline) */
  stopping?: () => void;
}

export class Watchdog {
  private readonly deps: WatchdogDeps;
  /** what wakes the next sweep early */
  private readonly wakes = new WakeQueue();
  private readonly sources: WakeSourceDeps;
  private readonly deaths: DeathWatch;
  private readonly sink: EventSink;
  private readonly observer: Observer;
  private readonly screens: Screens;
  private readonly config: ConfigChanges;
  private lastGeneration: number | null = null;
  private readonly plansEdited = new Set<string>();
  /** sessions whose pane lived at the last snapshot */
  private alive: ReadonlySet<string> = new Set();
  /** the sweep that runs now, if one does: the screen watch waits for it */
  private sweep: Promise<unknown> | null = null;
  /** a wake asked the screen watch to look too; it looks once the sweep it woke is done */
  private screensDue = false;
  /** sweeps that failed in a row, and when the first of them did */
  private failures = 0;
  private firstFailure = 0;
  private lastLogCap = 0;
  /** changes the screen watch waits to see written (a paste's record before the paste): the next sweep writes them */
  private screenOutcomes: Array<{ patches: readonly ScreenPatch[]; done: (applied: number) => void; fail: (error: unknown) => void }> = [];

  constructor(deps: WatchdogDeps) {
    this.deps = deps;
    const now = (): number => this.now();
    this.sink = new EventSink({ project: () => this.project, log: deps.log, now });
    this.sources = {
      project: () => this.project,
      tmux: deps.tmux,
      wakes: this.wakes,
      trouble: (what, error) => this.sink.trouble(what, error),
      log: (level, text) => deps.log(level, text),
    };
    this.deaths = new DeathWatch(this.sources);
    this.observer = new Observer({ tmux: deps.tmux, log: (level, text) => deps.log(level, text) });
    this.screens = new Screens({
      tmux: deps.tmux,
      project: () => this.project,
      alive: () => this.alive,
      event: (e) => this.sink.event(e),
      log: (level, text) => deps.log(level, text),
      now,
      writable: () => this.sink.writable,
      refused: (code, what) => this.sink.refused(code, what),
      sweepDone: async () => {
        await this.sweep?.catch(() => undefined);
      },
      // agents.json has one writer: the screen watch's outcomes go in with the next sweep's write
      record: (patches) =>
        new Promise<number>((done, fail) => {
          this.screenOutcomes.push({ patches, done, fail });
          this.wakes.push({ source: 'screens' });
        }),
    });
    this.config = new ConfigChanges(deps.project.configFile);
  }

  get project(): Project {
    return this.deps.project;
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /** Records an event of the watchdog process (its start, the config in force): events.jsonl, the log, [notify]. */
  event(event: SinkEvent): void {
    this.sink.event(event);
  }

  /** Watches agents.toml, prompts/, phases/ and the gate files; returns a function that stops watching. */
  watchFiles(): Promise<() => Promise<void>> {
    return watchProjectFiles(this.sources);
  }

  /**
   * Runs until stop(): waits for a wake or the sweep's own timer, then sweeps
   * (observe, decide, apply). A sweep that throws (a full disk, EIO, a bug) is
   * reported once, then retried with a backoff from 200 ms to 30 s that wakes
   * cannot cut short; the first good sweep reports the recovery. The watchdog
   * itself never exits on it.
   */
  async run(options: { lostExitPollMs?: number } = {}): Promise<void> {
    // a stop asked before the run began (SIGTERM while the watchers were starting) ends it at once
    if (this.wakes.isClosed) return;
    const stopWatching = this.deaths.start(options.lostExitPollMs ?? LOST_EXIT_POLL_MS);
    const abort = new AbortController();
    const listening = listenForHook(this.sources, abort.signal);
    const looking = this.screens.run();
    try {
      while (!this.wakes.isClosed) {
        this.take(this.wakes.take());
        const wakeAt = await this.guardedTick();
        // after the first sweep, good or not: the phase is known if it could be
        this.sink.phaseKnown();
        this.sink.followOthers();
        this.capLogsNow();
        this.sink.reportBadFiles();
        await this.wakes.sleepUntilWake(this.nextSweepIn(wakeAt), { wakes: this.failures === 0 && this.sink.writable });
      }
    } finally {
      this.deps.stopping?.();
      stopWatching();
      abort.abort();
      this.screens.stop();
      await Promise.all([listening, looking]);
      await this.sink.close();
    }
  }

  stop(): void {
    this.wakes.close();
    this.screens.stop();
    // no sweep will write them: nothing waits for one
    for (const o of this.screenOutcomes.splice(0)) o.fail(new Error('the watchdog is stopping'));
  }

  /** What the wakes since the last sweep ask of this one, beyond the sweep itself. */
  private take(wakes: readonly Wake[]): void {
    for (const wake of wakes) {
      if (wake.source === 'config') this.config.changed();
      else if (wake.source === 'plan') this.plansEdited.add(wake.file);
    }
    // the screen watch's own outcomes are no reason for it to look again
    if (wakes.some((w) => w.source !== 'screens')) this.screensDue = true;
  }

  /** One sweep, its failure reported once and its recovery once; returns when the next is due at the latest. */
  private async guardedTick(): Promise<number | null> {
    try {
      const sweep = this.tick();
      this.sweep = sweep;
      const wakeAt = await sweep.finally(() => (this.sweep = null));
      if (this.failures > 0) {
        const s = Math.round((this.now() - this.firstFailure) / 1000);
        this.sink.event({ agent: 'watchdog', event: 'sweep-recovered', reason: `sweeps work again after ${this.failures} failed in ${s} s` });
        this.failures = 0;
        this.sink.recovered();
      }
      return wakeAt;
    } catch (error) {
      const code = unwritableCode(error);
      const first = this.failures === 0;
      if (code === null || !first) this.failures++;
      if (code !== null && first) {
        // nothing was started: the sweep's own record was written first, and refused
        this.sink.refused(code, (error as NodeJS.ErrnoException).path ?? 'a state file');
        return this.now() + UNWRITABLE_PROBE_MS;
      }
      if (first) {
        this.firstFailure = this.now();
        this.deps.log('error', `sweep failed: ${(error as Error).stack ?? String(error)}`);
        const reason = `${errorLine(error)}; retrying with backoff, reported again only once it works`;
        this.sink.event({ agent: 'watchdog', event: 'sweep-failed', reason });
      }
      return null;
    }
  }

  /** ms until the next sweep: stall_check_s at the latest, sooner when one is due; while failing, the backoff. */
  private nextSweepIn(wakeAt: number | null): number {
    if (this.failures > 0) return Math.min(30_000, 200 * 2 ** Math.min(this.failures - 1, 8));
    const sweepMs = Math.max(this.project.watchdog.stallCheckS * 1000, 50);
    return Math.min(sweepMs, wakeAt === null ? sweepMs : Math.max(0, wakeAt - this.now()));
  }

  /** One pass: snapshot, lock, observe, decide, apply (the state written before anything starts). Returns when the next pass is due at the latest. */
  async tick(): Promise<number | null> {
    const { tmux } = this.deps;
    let panes = await tmux.snapshot();
    if (this.deps.ownSession && !panes.some((p) => p.session === this.deps.ownSession)) {
      // its session went away with its tmux server: what it would see now is no agent's death
      this.deps.log('info', 'the watchdog session is gone: stopping');
      this.stop();
      return null;
    }
    let now = this.now();
    let wakeAt: number | null = null;
    let started = false;

    // lines a full disk refused before go first, oldest first
    this.sink.flush();
    // sandboxed agents' messages reach their inboxes before this sweep looks for new mail
    await this.deliverOutboxes();
    // the screen watch's outcomes waiting to be written: with this sweep's write, or failed with it
    const outcomes = this.screenOutcomes.splice(0);
    let settled = false;
    await withLock(this.project.stateDir, async () => {
      const state = await this.agentsState(panes, now);
      if (startedSince(state, now)) {
        // `ao restart` or `ao up` started an agent while this sweep waited for the lock: the snapshot
        // from before shows the pane it replaced, whose end is no death (nor one with a negative lifetime)
        panes = await tmux.snapshot();
        now = this.now();
      }
      const before = JSON.stringify(state);
      // what the screen watch saw and is about to paste, applied to the records this sweep writes
      const applied = outcomes.map((o) => applyPatches(state, o.patches));
      const removed = await this.reloadIfChanged(state);
      const project = this.project;

      // observe and decide the phase first: what is observed of an agent depends on the phase the team is in now
      const plansEdited = new Set(this.plansEdited);
      // phase.json as the sweep's own reads see it (a corrupt one moved aside and restored, as agents.json above)
      const generation = Math.max(0, ...Object.values(state.agents).map((r) => r.phaseGen ?? 0));
      const gate = await this.observer.gate(project, await recoverPhaseStateOf(project, generation, (e) => this.sink.event(e)));
      const input = { project, ...gate, records: state.agents, lastGeneration: this.lastGeneration, plansEdited };
      let phase = decidePhase(input);
      if (phase.land && gate.facts) {
        // a pass on a commit: land it, then decide again knowing how that went
        const landings = new Map([[phase.land.sha, await land(project, gate.facts.gate, phase.land.sha)]]);
        phase = decidePhase({ ...input, facts: { ...gate.facts, landings } });
      }
      state.agents = phase.records;
      const view = phaseView(project, phase.phase);
      this.sink.phase = view.phase.id;
      const tui = this.observer.tuiUsage(project, state.agents, panes, view.phase.id, now);
      for (const [name, transcript] of tui.transcripts) state.agents[name] = { ...state.agents[name]!, transcript };
      const seen = await this.observer.agents(project, panes, state.agents, view.phase.id, now, this.deaths.exits, tui.lines);
      const decision = decideAgents({ project, phase: phase.phase, records: state.agents, ...seen, now });
      wakeAt = decision.wakeAt;

      // apply
      const ctx: SweepContext = {
        project,
        view,
        generation: phase.phase.generation,
        tmux,
        aoEntry: this.deps.aoEntry,
        env: this.deps.env,
        panes: ownSessions(panes, project.configFile).own,
        before: state.agents,
        history: decision.history,
        now,
        event: (e) => this.sink.event(e),
        log: (level, text) => this.deps.log(level, text),
      };
      // the sessions of agents a reload removed, then the phase's own state, events and mail, as they always went
      await applyActions([...removed, ...phase.actions], ctx);
      this.lastGeneration = phase.phase.generation;
      for (const file of plansEdited) this.plansEdited.delete(file);
      // a transaction: what the sweep decided and will start is written before anything starts, so a write the
      // disk refuses starts nothing, and the next sweep decides afresh from what is written (an iteration number is used once)
      const deferred: EventAction[] = [];
      const plans = prepareStarts(decision.actions, { ...ctx, event: (e) => deferred.push(e) });
      state.agents = { ...state.agents, ...decision.history };
      // the usage the observation found, before the records that say it was read
      for (const line of seen.usageLines) this.sink.usage(line);
      const written = JSON.stringify(state);
      // an idle sweep changes nothing: no write, no fsync
      if (written !== before) await writeAgentsState(project.stateDir, state);
      settled = true;
      outcomes.forEach((o, i) => o.done(applied[i]!));
      if (this.sink.worked(now)) this.screensDue = true; // pastes held meanwhile
      for (const e of deferred) this.sink.event(e);
      // starts and stops run inside the lock, so `ao down` (which takes it first) never races them
      const done = await applyActions(decision.actions, { ...ctx, plans });
      started = done.started > 0;
      if (done.nudged > 0) this.screensDue = true; // a nudge to paste: the screen watch looks after the sweep
      // a start that could not be made goes back to its record
      if (JSON.stringify(state) !== written) await writeAgentsState(project.stateDir, state);
    }).catch((error: unknown) => {
      // not written: the screen watch keeps them for the next write that works
      if (!settled) for (const o of outcomes) o.fail(error);
      throw error;
    });

    const after = started ? await tmux.snapshot() : panes;
    // only this project's own sessions: the screen watch never looks at, let alone pastes into, another's
    const alive = new Set([...ownSessions(after, this.project.configFile).own.values()].filter((p) => !p.dead).map((p) => p.session));
    const changed = alive.size !== this.alive.size || [...alive].some((s) => !this.alive.has(s));
    this.alive = alive;
    // a pane to look at, a pasted kickoff due, or `ao up` asking: after the sweep, never during it
    if (started || changed || this.screensDue || this.wakes.pending) this.screens.wake();
    this.screensDue = false;
    this.deaths.watch(observedPids(this.project, after), new Set(after.flatMap((p) => (p.pid === null ? [] : [p.pid]))));
    // a pane that dies before any sweep saw it alive is in no /proc poll, and its hook may be lost: look again soon
    if (started) wakeAt = Math.min(wakeAt ?? Infinity, this.now() + 250);
    return wakeAt;
  }

  /** Every sandboxed agent's outbox moved into the inboxes, each message from its outbox's owner (coord/outbox.ts). */
  private async deliverOutboxes(): Promise<void> {
    const names = this.project.agents.map((a) => a.name);
    for (const d of await deliverOutboxes(this.project.stateDir, names, MESSAGE_CAP)) {
      if ('message' in d.outcome) this.deps.log('info', `mail from ${d.owner}'s outbox delivered to ${d.to} (${d.outcome.message.id})`);
      else if ('dropped' in d.outcome) this.deps.log('warn', `a message in ${d.owner}'s outbox was dropped: ${d.outcome.dropped}`);
      else this.deps.log('warn', `a message in ${d.owner}'s outbox waits for the next sweep: ${d.outcome.kept}`);
    }
  }

  /** agents.json, and around a corrupt one a state rebuilt from what runs. */
  private async agentsState(panes: readonly PaneInfo[], now: number): Promise<AgentsState> {
    const { state, rebuilt } = await recoverAgentsState(this.project.stateDir, new Date(now), (e) => this.sink.event(e));
    if (rebuilt) {
      const sessions = ownSessions(panes, this.project.configFile).own;
      const seen = [...this.project.agents.map((a) => ({ name: a.name, session: a.session })), { name: 'watchdog', session: watchdogSession(this.project) }];
      adoptRunning(
        state,
        seen.map((a) => ({ name: a.name, running: sessions.has(a.session) })),
        new Date(now),
      );
    }
    return state;
  }

  /** agents.toml edited: the new config from this sweep on; the stops of the agents it removed, for the apply step. */
  private async reloadIfChanged(state: AgentsState): Promise<SweepAction[]> {
    if (!this.config.due(this.project.configFile)) return [];
    const outcome = await reloadConfig(this.project, state, this.deps.env);
    if (!outcome.ok) {
      const reason = `agents.toml does not validate; keeping the last good config: ${outcome.error}`;
      if (!outcome.repeated) this.sink.event({ agent: 'config', event: 'config-error', reason });
      return [];
    }
    const stops = outcome.removed.flatMap((name): SweepAction[] => {
      const old = this.project.agents.find((a) => a.name === name);
      return old ? [{ type: 'stop', agent: name, session: old.session }] : [];
    });
    this.deps.project = outcome.project;
    for (const e of reloadedEvents(outcome)) this.sink.event(e);
    return stops;
  }

  /** Caps the logs every minute, whatever the sweeps do: a failing sweep must not let them grow. */
  private capLogsNow(): void {
    const now = this.now();
    if (now - this.lastLogCap <= 60_000) return;
    this.lastLogCap = now;
    try {
      capLogs(this.project.stateDir, this.project.watchdog.logMaxMb * 1024 * 1024);
    } catch (error) {
      this.sink.trouble('log cap', error);
    }
  }
}

/** Whether a start was recorded at or after `at` (by another command, under the lock this sweep waited for). */
function startedSince(state: AgentsState, at: number): boolean {
  return Object.values(state.agents).some((r) => r.startedAt !== null && Date.parse(r.startedAt) >= at);
}
