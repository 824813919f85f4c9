/**
 * The watchdog process (`ao watchdog`, run in its own tmux session by `ao up`).
 * Each sweep observes (one tmux snapshot, the state files), asks the pure
 * decide.ts what to do, and has apply.ts carry it out.
 * Deaths wake it at once: tmux's pane-died hook signals it, and because that
 * hook is lossy, so does the launcher's record of an exit (an inotify event on
 * state/exits/); a launcher killed outright whose exit tmux also lost is found
 * by a slow look at the agents' pids in /proc. Everything else is swept every
 * `stall_check_s` at the latest. Between these it sleeps.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { getBackend } from '../backends/index.js';
import { coordPaths } from '../config/resolve.js';
import type { Project } from '../config/types.js';
import { safeText } from '../text/safe.js';
import { adoptRunning, recoverAgentsState, writeAgentsState, type AgentRecord, type AgentsState } from '../state/agents.js';
import { EVENTS } from '../state/event-catalogue.js';
import type { EventRecord } from '../state/events.js';
import { readExit } from '../state/exits.js';
import { fileStamp, withLock } from '../state/files.js';
import { layout } from '../state/layout.js';
import { capLogs } from '../state/logcap.js';
import { readTailLines, takeBadFiles } from '../state/safe-fs.js';
import { phaseView, recoverPhaseStateOf, type PhaseState } from '../state/phase.js';
import { processAlive } from '../state/pidlock.js';
import { ProcWatch, type ProcExit } from '../state/procwatch.js';
import { hookView, readSignals, signalFile } from '../state/signals.js';
import { readUsageReport, usageFile, type UsageReport } from '../state/usage.js';
import type { Tmux } from '../tmux/client.js';
import { ownSessions, type PaneInfo } from '../tmux/snapshot.js';
import { applyActions, prepareStarts, type SweepContext } from './apply.js';
import { decideAgents, decidePhase, followsConversation, type AgentsInput, type EventAction } from './decide.js';
import { watchesScreen } from './deliver.js';
import { watchdogSession } from './executor.js';
import { wakeChannel } from './launch.js';
import { Notifier } from './notify.js';
import { observe, observedPids } from './observe.js';
import { fellBackOf, troubleOf } from './read-trouble.js';
import { SignalViews } from './provider-wait.js';
import { recordTuiUsage } from './tui-usage.js';
import { iterationUsage } from './record-usage.js';
import { silentTooLong } from './reconcile.js';
import { reloadConfig } from './reload.js';
import { Screens } from './screens.js';
import { stopSession } from './stop.js';
import { watchExitRecords } from './exit-watch.js';
import { HeldLines, UNWRITABLE_PROBE_MS, unwritableCode, Writability } from './writable.js';

/** How long the sweeps wait for the file watchers to be ready before they begin without them. */
export const WATCH_READY_MS = 10_000;

/**
 * How often the agents' pids are looked at in /proc when nothing said that one
 * ended: the backstop for the one death that neither tmux's hook nor a
 * launcher's record reports (a launcher killed outright, whose exit tmux lost).
 */
export const LOST_EXIT_POLL_MS = 1000;

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
  /** the live agent panes' pids, polled in /proc between sweeps */
  private readonly proc = new ProcWatch();
  /** the signal files (hooks, the CLIs' own retries of their provider), each read again when it changed */
  private readonly signals = new SignalViews();
  private running = false;
  private wakeUp: (() => void) | null = null;
  private pendingWake = false;
  private lastLogCap = 0;
  /** what already reported a disk error in this episode */
  private readonly troubled = new Set<string>();
  /** event and usage lines a failing disk refused, written once it works again */
  private readonly held: HeldLines;
  /** whether the state folder takes writes: without, nothing is started or pasted */
  private readonly writability = new Writability();
  /** how zombies among the watched pids ended, read from /proc before anyone reaps them */
  private readonly exits = new Map<number, { status: number | null; signal: number | null }>();
  private configDirty = false;
  private configMtime: number | null = null;
  private lastGeneration: number | null = null;
  private readonly plansEdited = new Set<string>();
  /** sessions whose pane lived at the last snapshot */
  private alive: ReadonlySet<string> = new Set();
  private readonly screens: Screens;
  private usageRead: { key: string; report: UsageReport } | null = null;
  /** the sweep that runs now, if one does: the screen watch waits for it */
  private sweep: Promise<unknown> | null = null;
  /** a wake asked the screen watch to look too; it looks once the sweep it woke is done */
  private screensDue = false;
  private stopAsked = false;
  private readonly notifier: Notifier;
  /** the phase the last sweep saw, for notifications */
  private phaseId: string | null = null;
  /** events recorded before the first sweep (the watchdog's own start): notified once the phase is known */
  private early: EventRecord[] | null = [];

  constructor(deps: WatchdogDeps) {
    this.deps = deps;
    this.held = new HeldLines(() => this.project.stateDir);
    this.notifier = new Notifier({
      spec: () => this.project.notify,
      project: () => this.project.name,
      phase: () => this.phaseId,
      record: (e) => this.event({ type: 'event', ...e }),
      ...(deps.now ? { now: deps.now } : {}),
    });
    this.screens = new Screens({
      tmux: deps.tmux,
      project: () => this.deps.project,
      alive: () => this.alive,
      event: (e) => this.event({ type: 'event', ...e }),
      log: (level, text) => this.deps.log(level, text),
      ...(deps.now ? { now: deps.now } : {}),
      writable: () => this.writability.ok,
      refused: (code, what) => this.refused(code, what),
      sweepDone: async () => {
        await this.sweep?.catch(() => undefined);
      },
    });
    // the config as loaded just now: an edit from here on is a change, even one made before the first sweep
    this.configMtime = mtimeOf(deps.project.configFile);
  }

  get project(): Project {
    return this.deps.project;
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /** Asks for a sweep now (the pane-died hook's signal, an exit record, a /proc death, a file edit). */
  wake(): void {
    this.pendingWake = true;
    this.screensDue = true;
    this.wakeUp?.();
  }

  /** agents.toml changed on disk: reload it on the next sweep. */
  configChanged(): void {
    this.configDirty = true;
    this.wake();
  }

  /** A plan under phases/ was edited. */
  planChanged(file: string): void {
    this.plansEdited.add(file);
    this.wake();
  }

  /** One pass: snapshot, lock, observe, decide, execute, write the state. Returns when the next pass is due at the latest. */
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
    this.held.flush();
    await withLock(this.project.stateDir, async () => {
      const state = await this.agentsState(panes, now);
      if (startedSince(state, now)) {
        // `ao restart` or `ao up` started an agent while this sweep waited for the lock: the snapshot
        // from before shows the pane it replaced, whose end is no death (nor one with a negative lifetime)
        panes = await tmux.snapshot();
        now = this.now();
      }
      const before = JSON.stringify(state);
      await this.reloadIfChanged(state, panes);
      const project = this.project;
      // the phase first: what is observed of an agent depends on the phase the team is in now
      const plansEdited = new Set(this.plansEdited);
      const phase = decidePhase({ project, ...(await this.observeGate(state)), records: state.agents, lastGeneration: this.lastGeneration, plansEdited });
      state.agents = phase.records;
      const view = phaseView(project, phase.phase);
      recordTuiUsage(project, state.agents, panes, this.signals, view.phase.id, now, (text) => this.deps.log('warn', text));
      this.phaseId = view.phase.id;
      const decision = decideAgents({
        project,
        phase: phase.phase,
        records: state.agents,
        ...(await this.observeAgents(panes, state.agents, view.phase.id, now)),
        now,
      });
      wakeAt = decision.wakeAt;
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
        event: (e) => this.event(e),
        log: (level, text) => this.deps.log(level, text),
      };
      // the phase's own state, events and mail first, as they always went
      await applyActions(phase.actions, ctx);
      this.lastGeneration = phase.phase.generation;
      for (const file of plansEdited) this.plansEdited.delete(file);
      // a transaction: what the sweep decided and will start is written before anything starts, so a write the
      // disk refuses starts nothing, and the next sweep decides afresh from what is written (an iteration number is used once)
      const deferred: EventAction[] = [];
      const plans = prepareStarts(decision.actions, { ...ctx, event: (e) => deferred.push(e) });
      state.agents = { ...state.agents, ...decision.history };
      const written = JSON.stringify(state);
      // an idle sweep changes nothing: no write, no fsync
      if (written !== before) await writeAgentsState(project.stateDir, state);
      this.writable(now);
      for (const e of deferred) this.event(e);
      // starts and stops run inside the lock, so `ao down` (which takes it first) never races them
      const done = await applyActions(decision.actions, { ...ctx, plans });
      started = done.started > 0;
      // a start that could not be made goes back to its record
      if (JSON.stringify(state) !== written) await writeAgentsState(project.stateDir, state);
    });

    const after = started ? await tmux.snapshot() : panes;
    // only this project's own sessions: the screen watch never looks at, let alone pastes into, another's
    const alive = new Set([...ownSessions(after, this.project.configFile).own.values()].filter((p) => !p.dead).map((p) => p.session));
    const changed = alive.size !== this.alive.size || [...alive].some((s) => !this.alive.has(s));
    this.alive = alive;
    // a pane to look at, a pasted kickoff due, or `ao up` asking: after the sweep, never during it
    if (started || changed || this.screensDue) this.screens.wake();
    this.screensDue = false;
    this.proc.set(observedPids(this.project, after));
    // a pane that dies before any sweep saw it alive is in no /proc poll, and its hook may be lost: look again soon
    if (started) wakeAt = Math.min(wakeAt ?? Infinity, this.now() + 250);
    for (const pid of this.exits.keys()) if (!after.some((p) => p.pid === pid)) this.exits.delete(pid);
    return wakeAt;
  }

  /** What state/usage.jsonl adds up to, read again only when it grew. */
  private usage(stateDir: string): UsageReport | null {
    const key = fileStamp(usageFile(stateDir));
    if (key === null) return null;
    if (this.usageRead?.key !== key) this.usageRead = { key, report: readUsageReport(stateDir) };
    return this.usageRead.report;
  }

  /** One iteration's usage into state/usage.jsonl (before the next run rotates its stream); a line the disk refuses waits in memory. */
  private recordUsage(agent: Project['agents'][number], record: AgentRecord | undefined, phase: string): void {
    if (agent.kind !== 'loop' && agent.kind !== 'task') return;
    try {
      const line = iterationUsage(this.project, agent, record?.iteration ?? 0, undefined, { phase, ...(record?.runId ? { run: record.runId } : {}) });
      const error = line ? this.held.usageLine(line) : null;
      if (error) this.diskTrouble('usage.jsonl', error);
    } catch (error) {
      this.deps.log('warn', `usage of ${agent.name}: ${String(error)}`);
    }
  }

  /** agents.json, and around a corrupt one a state rebuilt from what runs. */
  private async agentsState(panes: readonly PaneInfo[], now: number): Promise<AgentsState> {
    const { state, rebuilt } = await recoverAgentsState(this.project.stateDir, new Date(now));
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

  private async reloadIfChanged(state: AgentsState, panes: readonly PaneInfo[]): Promise<void> {
    // the file watcher is the fast path; the modification time catches an edit it missed
    const mtime = mtimeOf(this.project.configFile);
    if (mtime !== this.configMtime) {
      this.configDirty = true;
      this.configMtime = mtime;
    }
    if (!this.configDirty) return;
    this.configDirty = false;
    await this.reload(state, panes);
  }

  /** phase.json and the current phase's gate files. */
  private async observeGate(agents: AgentsState): Promise<{ phase: PhaseState; journal: string; review: string }> {
    const project = this.project;
    const phase = await recoverPhaseStateOf(project, Math.max(0, ...Object.values(agents.agents).map((r) => r.phaseGen ?? 0)));
    const paths = coordPaths(project, phaseView(project, phase).phase.id, 'builder');
    return { phase, journal: readTailLines(paths.journal), review: readTailLines(paths.review) };
  }

  /**
   * What tmux, /proc and the state folder show of each agent, in the
   * reconciler's terms. A run's end seen for the first time has its usage
   * recorded here, before the decision: a budget it used up holds the next run.
   * Screens are captured only of agents silent for their stall time, and of a
   * dead run that was to continue a conversation: a heal reads nothing more.
   */
  private async observeAgents(
    panes: readonly PaneInfo[],
    records: Readonly<Record<string, AgentRecord>>,
    phase: string,
    now: number,
  ): Promise<Pick<AgentsInput, 'observed' | 'conversations' | 'usage'>> {
    const { project } = this;
    const { tmux } = this.deps;
    const recorded = (name: string): ProcExit | null | undefined => {
      const runId = records[name]?.runId;
      return runId ? readExit(project.stateDir, name, runId) : undefined;
    };
    const observed = observe(project, panes, processAlive, this.exits, recorded);
    const conversations = new Map<string, string>();
    for (const spec of project.agents) {
      const record = records[spec.name];
      if (!followsConversation(spec, record)) continue;
      const reported = hookView(readSignals(signalFile(project.stateDir, spec.name)), Date.parse(record.startedAt)).session;
      if (reported) conversations.set(spec.name, reported);
    }
    for (const spec of project.agents) {
      const seen = observed.get(spec.name);
      const record = records[spec.name];
      if (!seen) continue;
      if (seen.dead && record?.up && record.deadSince == null) {
        // a run's end seen for the first time: its tokens and cost first (a budget may hold the next run)
        this.recordUsage(spec, record, phase);
        // and was it the provider's trouble (a usage limit, an outage)?
        const trouble = seen.exitStatus === 0 ? null : troubleOf(project, spec, seen.exitStatus, now, record.logOffset ?? 0);
        if (trouble && trouble.kind !== null) seen.trouble = { kind: trouble.kind, resetAt: trouble.resetAt, message: trouble.message };
        else if (trouble?.message) seen.lastWords = trouble.message;
        seen.fellBack = fellBackOf(project, spec);
      }
      const support = spec.kind === 'service' ? undefined : getBackend(spec.backend).conversations;
      const sessionId = conversations.get(spec.name) ?? record?.sessionId;
      if (seen.dead && seen.exists && record?.resumedRun && sessionId && support && record.deadSince == null) {
        // did the CLI refuse to continue the conversation? its last screen or its log says so (a
        // full-screen TUI leaves its alternate screen on exit, and the message with it)
        const screen = (await tmux.capture(spec.session).catch(() => null)) ?? '';
        seen.refusedResume =
          support.refused(screen, sessionId) || support.refused(safeText(readTailLines(layout.agentLog(project.stateDir, spec.name), 16 * 1024)), sessionId);
      }
      // an interactive pane is read by the screen watch: a dialog it saw makes the reconciler leave the agent alone
      if (!seen.dead && record?.startedAt && (spec.kind === 'loop' || spec.kind === 'task'))
        seen.providerRetry = this.signals.view(project.stateDir, spec.name, Date.parse(record.startedAt))?.provider ?? null;
      if (watchesScreen(spec)) seen.screen = !seen.dead && record?.waitingOn ? 'waiting' : null;
      else if (silentTooLong({ heal: spec.heal, stallMs: spec.stallMinutes * 60_000 }, seen, record, now)) {
        const screen = await tmux.capture(spec.session).catch(() => null);
        if (screen !== null) seen.screen = getBackend(spec.backend).detect(screen, { readyPattern: spec.readyPattern });
      }
    }
    return { observed, conversations, usage: this.usage(project.stateDir) };
  }

  private async reload(state: AgentsState, panes: readonly PaneInfo[]): Promise<void> {
    const outcome = await reloadConfig(this.project, state, this.deps.env);
    if (!outcome.ok) {
      if (!outcome.repeated)
        this.event({
          type: 'event',
          agent: 'config',
          event: 'config-error',
          reason: `agents.toml does not validate; keeping the last good config: ${outcome.error}`,
        });
      return;
    }
    const sessions = ownSessions(panes, this.project.configFile).own;
    for (const name of outcome.removed) {
      const old = this.project.agents.find((a) => a.name === name);
      if (old && sessions.has(old.session)) await stopSession(this.deps.tmux, old.session, sessions.get(old.session));
    }
    this.deps.project = outcome.project;
    for (const e of outcome.events) this.event({ type: 'event', ...e });
    this.event({ type: 'event', agent: 'config', event: 'config-reloaded', reason: `${outcome.added.length} added, ${outcome.removed.length} removed` });
  }

  private event(action: EventAction): void {
    const { type: _type, ...event } = action;
    const record: EventRecord = { time: new Date(this.now()).toISOString(), ...event };
    // on a full or failing disk the line waits (a bounded few) and the sweep goes on
    const error = this.held.event(record);
    if (error) this.diskTrouble('events.jsonl', error);
    this.deps.log(EVENTS[action.event].log, record);
    this.notify(record);
  }

  /** The state folder refused a write (agents.json, a paste's record): said once; no start or paste until a write works. */
  private refused(code: string, what: string): void {
    const said = this.writability.refused(code, what, this.now());
    if (said) this.event(said);
  }

  /** A write of the state worked: an episode of refused writes ends, and what waited is written. */
  private writable(now: number): void {
    const back = this.writability.worked(now);
    if (!back) return;
    this.troubled.clear();
    this.held.flush();
    this.event(back);
    this.screensDue = true; // pastes held meanwhile
  }

  /** Hands an event to [notify]: queued, never waited for. Events recorded by `ao watchdog` at its start come here too. */
  notify(record: EventRecord): void {
    if (this.early) this.early.push(record);
    else this.notifier.offer(record);
  }

  /** Watches agents.toml, prompts/ and phases/ (chokidar); returns a function that stops watching. */
  async watchFiles(): Promise<() => Promise<void>> {
    const { watch } = await import('chokidar');
    const dir = this.project.dir;
    const watcher = watch([this.project.configFile, join(dir, 'prompts'), join(dir, 'phases')], {
      ignoreInitial: true,
      awaitWriteFinish: { stabilityThreshold: 100, pollInterval: 50 },
    });
    watcher.on('all', (_event, file) => {
      if (file === this.project.configFile) this.configChanged();
      else if (file.startsWith(join(dir, 'phases'))) this.planChanged(file);
    });
    // a claim or a verdict is acted on at once, not at the next sweep
    const gate = watch(this.project.stateDir, {
      ignoreInitial: true,
      depth: 0,
      ignored: (path: string) => path !== this.project.stateDir && !layout.isGateFile(path),
    });
    gate.on('all', () => this.wake());
    // a watcher error (inotify limits, EIO) must not end the watchdog: the sweeps still poll
    for (const w of [watcher, gate]) w.on('error', (error: unknown) => this.diskTrouble('file watcher', error));
    // a folder removed while chokidar scans it may never report ready: the sweeps do not wait for it past WATCH_READY_MS
    const ready = Promise.all([new Promise<void>((r) => watcher.once('ready', () => r())), new Promise<void>((r) => gate.once('ready', () => r()))]);
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([ready.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), WATCH_READY_MS)))]);
    clearTimeout(timer);
    if (late) this.deps.log('warn', `the file watchers were not ready after ${WATCH_READY_MS / 1000} s; sweeping without waiting for them`);
    return async () => {
      await watcher.close();
      await gate.close();
    };
  }

  /**
   * Wakes a sweep whenever a pane dies (its pane-died hook signals the
   * project's wait-for channel) or `ao up` asks. A tmux client that waits on
   * the channel is all it takes: no signal to a pid that might be reused.
   */
  private async listen(abort: AbortSignal): Promise<void> {
    const channel = wakeChannel(this.project.stateDir);
    while (!abort.aborted) {
      const woken = await this.deps.tmux.waitFor(channel, abort).catch(() => false);
      if (abort.aborted) break;
      if (woken) {
        this.wake();
        // the sweep's tmux client goes first; a signal meanwhile is kept by tmux for the next wait
        await new Promise<void>((resolve) => setImmediate(resolve));
      } else await sleep(1000, undefined, { signal: abort }).catch(() => undefined); // no server yet: do not spin
    }
  }

  /** Logs a disk or watcher error once until a sweep succeeds again. */
  private diskTrouble(what: string, error: unknown): void {
    if (this.troubled.has(what)) return;
    this.troubled.add(what);
    this.deps.log('warn', `${what}: ${errorLine(error)} (reported once; ao carries on)`);
  }

  /** Caps the logs every minute, whatever the sweeps do: a failing sweep must not let them grow. */
  private capLogsNow(): void {
    const now = this.now();
    if (now - this.lastLogCap <= 60_000) return;
    this.lastLogCap = now;
    try {
      capLogs(this.project.stateDir, this.project.watchdog.logMaxMb * 1024 * 1024);
    } catch (error) {
      this.diskTrouble('log cap', error);
    }
  }

  /** One event for each file of the state folder ao refused to read or write (state/safe-fs.ts), the first time only. */
  private reportBadFiles(): void {
    for (const { file, reason } of takeBadFiles())
      this.event({ type: 'event', agent: 'watchdog', event: 'bad-file', reason: `${file}: ${reason}`, details: { file, reason } });
  }

  /** Looks for ended pids in /proc (wakes a sweep for them); returns the ones it found. */
  private lookForExits(): number[] {
    try {
      const dead = this.proc.poll();
      for (const [pid, exit] of dead) if (exit) this.exits.set(pid, exit);
      if (dead.size > 0) this.wake();
      return [...dead.keys()];
    } catch (error) {
      this.diskTrouble('/proc poll', error);
      return [];
    }
  }

  /**
   * Runs until stop(): sweeps every stall_check_s, at once on a wake (a pane's
   * hook, a launcher's exit record, a death the slow /proc look found every
   * `lostExitPollMs`). A sweep that throws (a full disk, EIO, a bug) is reported
   * once, then retried with a backoff from 200 ms to 30 s that wakes cannot cut
   * short; the first good sweep reports the recovery. The watchdog itself never
   * exits on it.
   */
  async run(options: { lostExitPollMs?: number } = {}): Promise<void> {
    // a stop asked before the run began (SIGTERM while the watchers were starting) ends it at once
    if (this.stopAsked) return;
    this.running = true;
    let failures = 0;
    let firstFailure = 0;
    const poll = setInterval(() => this.lookForExits(), options.lostExitPollMs ?? LOST_EXIT_POLL_MS);
    const unwatchExits = watchExitRecords({
      dir: layout.exits(this.project.stateDir),
      look: () => this.lookForExits(),
      wake: () => this.wake(),
      trouble: (what, error) => this.diskTrouble(what, error),
    });
    const abort = new AbortController();
    const listening = this.listen(abort.signal);
    const looking = this.screens.run();
    try {
      while (this.running) {
        this.pendingWake = false;
        let wakeAt: number | null = null;
        try {
          const sweep = this.tick();
          this.sweep = sweep;
          wakeAt = await sweep.finally(() => {
            this.sweep = null;
          });
          if (failures > 0) {
            this.event({
              type: 'event',
              agent: 'watchdog',
              event: 'sweep-recovered',
              reason: `sweeps work again after ${failures} failed in ${Math.round((this.now() - firstFailure) / 1000)} s`,
            });
            failures = 0;
            this.troubled.clear();
          }
        } catch (error) {
          const code = unwritableCode(error);
          if (code !== null && failures === 0) {
            // nothing was started: the sweep's own record was written first, and refused
            this.refused(code, (error as NodeJS.ErrnoException).path ?? 'a state file');
            wakeAt = this.now() + UNWRITABLE_PROBE_MS;
          } else if (failures === 0) {
            firstFailure = this.now();
            this.deps.log('error', `sweep failed: ${(error as Error).stack ?? String(error)}`);
            this.event({
              type: 'event',
              agent: 'watchdog',
              event: 'sweep-failed',
              reason: `${errorLine(error)}; retrying with backoff, reported again only once it works`,
            });
          }
          if (code === null || failures > 0) failures++;
        }
        // after the first sweep, good or not: the phase is known if it could be
        if (this.early) {
          const early = this.early;
          this.early = null;
          for (const record of early) this.notifier.offer(record);
        }
        this.capLogsNow();
        this.reportBadFiles();
        if (!this.running) break;
        if (this.pendingWake && failures === 0 && this.writability.ok) continue;
        const sweepMs = Math.max(this.project.watchdog.stallCheckS * 1000, 50);
        const due =
          failures > 0
            ? Math.min(30_000, 200 * 2 ** Math.min(failures - 1, 8))
            : Math.min(sweepMs, wakeAt === null ? sweepMs : Math.max(0, wakeAt - this.now()));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, due);
          this.wakeUp = () => {
            // while failing, only stop() cuts the backoff short: a wake would make it spin
            if ((failures > 0 || !this.writability.ok) && this.running) return;
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeUp = null;
      }
    } finally {
      this.deps.stopping?.();
      clearInterval(poll);
      unwatchExits();
      abort.abort();
      this.screens.stop();
      await Promise.all([listening, looking]);
      this.proc.close();
      // a notification on its way gets a moment to arrive; a hanging target cannot hold the stop
      this.notifier.stop();
      await this.notifier.flush(1000);
    }
  }

  stop(): void {
    this.stopAsked = true;
    this.running = false;
    this.wakeUp?.();
    this.screens.stop();
  }
}

function errorLine(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

function mtimeOf(file: string): number | null {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

/** Whether a start was recorded at or after `at` (by another command, under the lock this sweep waited for). */
function startedSince(state: AgentsState, at: number): boolean {
  return Object.values(state.agents).some((r) => r.startedAt !== null && Date.parse(r.startedAt) >= at);
}
