/**
 * The watchdog process (`ao watchdog`, run in its own tmux session by `ao up`).
 * It observes, asks the pure reconciler what to do, and applies the answer.
 * Deaths wake it at once (tmux's pane-died hook signals it, and it polls the
 * agents' pids in /proc because the hook is lossy); everything else is swept
 * every `stall_check_s` at the latest.
 */
import { readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { getBackend } from '../backends/index.js';
import { DEFAULT_MIN_ITERATION_S } from '../config/load.js';
import { coordPaths, modelFor } from '../config/resolve.js';
import { appendMessage } from '../coord/inbox.js';
import { stepPhase } from '../phases/advance.js';
import type { Project } from '../config/types.js';
import { adoptRunning, emptyRecord, markRun, recoverAgentsState, writeAgentsState, type AgentRecord, type AgentsState } from '../state/agents.js';
import { appendEvent, type EventRecord } from '../state/events.js';
import { withLock } from '../state/files.js';
import { capLogs } from '../state/logcap.js';
import { processAlive } from '../state/pidlock.js';
import { readExit } from '../state/exits.js';
import { hookView, readSignals, signalFile } from '../state/signals.js';
import { ProcWatch, type ProcExit } from '../state/procwatch.js';
import { phaseView, recoverPhaseStateOf, writePhaseState, type PhaseState } from '../state/phase.js';
import type { Tmux } from '../tmux/client.js';
import { ownSessions, type PaneInfo } from '../tmux/snapshot.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { takesNotices, watchesScreen } from './deliver.js';
import { startSession, watchdogSession } from './executor.js';
import { launchKeyOf, planLaunch, wakeChannel } from './launch.js';
import { stripControls } from '../coord/sanitize.js';
import { inboxSize } from './mail.js';
import { observe, observedPids, timingsOf } from './observe.js';
import { recordIteration } from './record-usage.js';
import { budgetHolds } from './budgets.js';
import { readUsage, summarise, usageFile, type UsageReport } from '../state/usage.js';
import { logOffset, troubleOf } from './read-trouble.js';
import { reloadConfig } from './reload.js';
import { errorRetryMs, reconcile, silentTooLong, type Action, type DesiredAgent } from './reconcile.js';
import { Screens } from './screens.js';
import { stopSession } from './stop.js';
import { layout } from '../state/layout.js';
import { EVENTS } from '../state/event-catalogue.js';

export interface WatchdogDeps {
  project: Project;
  tmux: Tmux;
  aoEntry: string;
  env: NodeJS.ProcessEnv;
  log: (level: 'info' | 'warn' | 'error', event: EventRecord | string) => void;
  now?: () => number;
  /** the tmux session the watchdog runs in: once it is gone (ao down, the server killed) the watchdog stops */
  ownSession?: string;
}

/** The events after which a one-shot iteration's usage is recorded. */

export class Watchdog {
  private readonly deps: WatchdogDeps;
  /** the live agent panes' pids, polled in /proc between sweeps */
  private readonly proc = new ProcWatch();
  private running = false;
  private wakeUp: (() => void) | null = null;
  private pendingWake = false;
  private lastLogCap = 0;
  /** what already reported a disk error in this episode */
  private readonly troubled = new Set<string>();
  /** events a failing disk refused, written once it works again */
  private readonly unwritten: EventRecord[] = [];
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

  constructor(deps: WatchdogDeps) {
    this.deps = deps;
    this.screens = new Screens({
      tmux: deps.tmux,
      project: () => this.deps.project,
      alive: () => this.alive,
      event: (e) => this.event({ type: 'event', ...e }),
      log: (level, text) => this.deps.log(level, text),
      ...(deps.now ? { now: deps.now } : {}),
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

  /** Asks for a sweep now (the pane-died hook's signal, a /proc death, a file edit). */
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

  /** One observe-decide-act pass. Returns when the next pass is due at the latest. */
  async tick(): Promise<number | null> {
    const { tmux } = this.deps;
    const panes = await tmux.snapshot();
    if (this.deps.ownSession && !panes.some((p) => p.session === this.deps.ownSession)) {
      // its session went away with its tmux server: what it would see now is no agent's death
      this.deps.log('info', 'the watchdog session is gone: stopping');
      this.stop();
      return null;
    }
    const now = this.now();
    let wakeAt: number | null = null;
    let started = false;

    await withLock(this.project.stateDir, async () => {
      const { state, rebuilt } = await recoverAgentsState(this.project.stateDir, new Date(now));
      if (rebuilt) {
        const sessions = ownSessions(panes, this.project.configFile).own;
        const seen = [...this.project.agents.map((a) => ({ name: a.name, session: a.session })), { name: 'watchdog', session: watchdogSession(this.project) }];
        adoptRunning(state, seen.map((a) => ({ name: a.name, running: sessions.has(a.session) })), new Date(now));
      }
      const before = JSON.stringify(state);
      // the file watcher is the fast path; the modification time catches an edit it missed
      const mtime = mtimeOf(this.project.configFile);
      if (mtime !== this.configMtime) {
        this.configDirty = true;
        this.configMtime = mtime;
      }
      if (this.configDirty) {
        this.configDirty = false;
        await this.reload(state, panes);
      }
      const project = this.project;
      const ownPanes = ownSessions(panes, project.configFile).own;
      const phase = await this.stepPhase(project, state);
      const view = phaseView(project, phase);
      const desired: DesiredAgent[] = project.agents.map((a) => {
        const stop = phase.complete && a.kind === 'loop';
        return {
          name: a.name,
          kind: a.kind,
          heal: a.heal,
          up: (state.agents[a.name]?.up ?? false) && !stop,
          ...(stop ? { stopReason: 'the project is complete: loops stop' } : {}),
          stallMs: a.stallMinutes * 60_000,
          minIterationMs: (a.minIterationS ?? DEFAULT_MIN_ITERATION_S) * 1000,
          model: modelFor(project, a, view.phase),
          generation: phase.generation,
          launchKey: launchKeyOf(a),
          nudgeable: takesNotices(a),
          pasteKickoff: a.kickoff === 'paste',
        };
      });
      const recorded = (name: string): ProcExit | null | undefined => {
        const runId = state.agents[name]?.runId;
        return runId ? readExit(project.stateDir, name, runId) : undefined;
      };
      const observed = observe(project, panes, processAlive, this.exits, recorded);
      for (const spec of project.agents) this.followConversation(spec, state.agents[spec.name]);
      for (const agent of desired) {
        const seen = observed.get(agent.name);
        const spec = project.agents.find((a) => a.name === agent.name)!;
        const record = state.agents[agent.name];
        if (seen?.dead && record?.up && record.deadSince == null) {
          // a run's end seen for the first time: its tokens and cost first (a budget may hold the next run)
          this.recordUsage(spec, record, view.phase.id);
          // and was it the provider's trouble (a usage limit, an outage)?
          const trouble = seen.exitStatus === 0 ? null : troubleOf(project, spec, seen.exitStatus, now, record.logOffset ?? 0);
          if (trouble && trouble.kind !== null) seen.trouble = { kind: trouble.kind, resetAt: trouble.resetAt, message: trouble.message };
        }
        const conversations = spec.kind === 'service' ? undefined : getBackend(spec.backend).conversations;
        if (seen?.dead && seen.exists && record?.resumedRun && record.sessionId && conversations && record.deadSince == null) {
          // did the CLI refuse to continue the conversation? its last screen or its log says so (a
          // full-screen TUI leaves its alternate screen on exit, and the message with it)
          const screen = (await tmux.capture(spec.session).catch(() => null)) ?? '';
          seen.refusedResume = conversations.refused(screen, record.sessionId) || conversations.refused(stripControls(logTail(layout.agentLog(project.stateDir, spec.name))), record.sessionId);
        }
        // an interactive pane is read by the screen watch: a dialog it saw makes the reconciler leave the agent alone
        if (seen && watchesScreen(spec)) seen.screen = !seen.dead && state.agents[agent.name]?.waitingOn ? 'waiting' : null;
        else if (seen && silentTooLong(agent, seen, state.agents[agent.name], now)) {
          const screen = await tmux.capture(spec.session).catch(() => null);
          if (screen !== null) seen.screen = getBackend(spec.backend).detect(screen, { readyPattern: spec.readyPattern });
        }
      }
      const holds = budgetHolds(project, view.phase, phase.generation, state.agents, this.usage(project.stateDir));
      for (const agent of desired) agent.hold = holds.get(agent.name) ?? null;
      const decision = reconcile(desired, observed, state.agents, now, timingsOf(project));
      wakeAt = decision.wakeAt;
      // starts and stops run inside the lock, so `ao down` (which takes it first) never races them
      for (const action of decision.actions) {
        const agent = project.agents.find((a) => a.name === action.agent);
        if (action.type === 'event') this.event(action);
        else if (action.type === 'nudge') continue; // pasted by the screen watch (record.nudgeDue)
        else if (action.type === 'stop' && agent) await stopSession(tmux, agent.session, ownPanes.get(agent.session), state.agents[agent.name]?.runId).catch((error: unknown) => this.deps.log('warn', `stop ${agent.name}: ${String(error)}`));
        else if (action.type === 'start' && agent) {
          const record = decision.history[agent.name]!;
          try {
            // one agent's fault (its prompt deleted, tmux refusing its session) stays with that agent
            const plan = planLaunch(project, agent, view, this.deps.aoEntry, this.deps.env, record.sessionId);
            await startSession(tmux, plan, { pane: ownPanes.get(agent.session), respawn: true, previousRun: state.agents[agent.name]?.runId });
            started = true;
            // the fresh kickoff points at the inbox
            markRun(record, { runId: plan.runId, conversation: plan.conversation, logOffset: logOffset(project, agent.name), mailSeen: inboxSize(project.stateDir, agent.name) }, 'watchdog');
            this.event({ type: 'event', agent: agent.name, event: action.reason === 'next-iteration' ? 'next-iteration' : action.reason === 'start' ? 'started' : 'restart', reason: action.reason, details: { iteration: record.iteration, restarts: record.restarts, ...(plan.conversation ? { conversation: plan.conversation.id, resumed: plan.conversation.resume } : {}) } });
          } catch (error) {
            this.startFailed(agent.name, record, state.agents[agent.name], startError(project, error), now);
          }
        }
      }
      state.agents = { ...state.agents, ...decision.history };
      // an idle sweep changes nothing: no write, no fsync
      if (JSON.stringify(state) !== before) await writeAgentsState(project.stateDir, state);
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

  /**
   * A start that could not be made: the record is as before the start (no
   * iteration or restart counted), marked `error`, tried again after
   * errorRetryMs; the event is written once per distinct error, not per sweep.
   */
  /** What state/usage.jsonl adds up to, read again only when it grew. */
  private usage(stateDir: string): UsageReport | null {
    let key: string;
    try {
      const st = statSync(usageFile(stateDir));
      key = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      return null;
    }
    if (this.usageRead?.key !== key) this.usageRead = { key, report: summarise(readUsage(stateDir)) };
    return this.usageRead.report;
  }

  /** One iteration's usage into state/usage.jsonl (before the next run rotates its stream); a write that fails is logged, never fatal. */
  private recordUsage(agent: Project['agents'][number], record: AgentRecord | undefined, phase: string): void {
    if (agent.kind !== 'loop' && agent.kind !== 'task') return;
    try {
      recordIteration(this.project, agent, record?.iteration ?? 0, undefined, { phase, ...(record?.runId ? { run: record.runId } : {}) });
    } catch (error) {
      this.deps.log('warn', `usage of ${agent.name}: ${String(error)}`);
    }
  }

  private startFailed(name: string, record: AgentRecord, before: AgentRecord | undefined, message: string, now: number): void {
    if (before) {
      Object.assign(record, { model: before.model, restarts: before.restarts, iteration: before.iteration, phaseGen: before.phaseGen, launchKey: before.launchKey, runId: before.runId });
      if (before.startedAt !== null) record.startedAt = before.startedAt;
    }
    record.deadSince ??= now; // its death is classified already: the retry is no new death
    record.condition = 'error';
    record.nextStartAt = now + errorRetryMs(timingsOf(this.project));
    if (before?.error !== message) this.event({ type: 'event', agent: name, event: 'start-error', reason: `error: ${message}; tried again every ${errorRetryMs(timingsOf(this.project)) / 1000} s` });
    record.error = message;
  }

  /**
   * The conversation id the CLI itself reported for the current run (its
   * SessionStart hook) is the one to continue: `/clear` in Claude begins a new one.
   */
  private followConversation(spec: Project['agents'][number], record: AgentRecord | undefined): void {
    if (!record?.up || !record.startedAt || !spec.resume || spec.kind === 'service' || !getBackend(spec.backend).conversations) return;
    const reported = hookView(readSignals(signalFile(this.project.stateDir, spec.name)), Date.parse(record.startedAt)).session;
    if (!reported || reported === record.sessionId) return;
    this.event({ type: 'event', agent: spec.name, event: 'conversation', reason: `the CLI reports conversation ${reported}${record.sessionId ? ` (was ${record.sessionId})` : ''}; later starts continue it` });
    record.sessionId = reported;
  }

  /** Reads the gate lines of the current phase and moves the team when they say so. */
  private async stepPhase(project: Project, agents: AgentsState): Promise<PhaseState> {
    const state = await recoverPhaseStateOf(project, Math.max(0, ...Object.values(agents.agents).map((r) => r.phaseGen ?? 0)));
    const view = phaseView(project, state);
    const paths = coordPaths(project, view.phase.id, 'builder');
    const step = stepPhase(project, state, readText(paths.journal), readText(paths.review), project.watchdog.nonConvergenceFails);
    const changed = JSON.stringify(step.state) !== JSON.stringify(state);
    if (changed) await writePhaseState(project.stateDir, step.state);
    for (const e of step.events) this.event({ type: 'event', ...e });
    // a new phase, by a pass or by `ao phase next|set`
    const entered = this.lastGeneration !== null && step.state.generation !== this.lastGeneration;
    this.lastGeneration = step.state.generation;
    if (entered && !step.state.complete) {
      // tasks set to run on phase advance: a first start under the new phase
      for (const task of project.agents.filter((a) => a.kind === 'task' && a.onPhaseAdvance && a.enabled)) {
        agents.agents[task.name] = { ...emptyRecord(), ...agents.agents[task.name], up: true, startedAt: null, condition: null, deadSince: null };
        this.event({ type: 'event', agent: task.name, event: 'task-scheduled', reason: `runs on phase advance (${phaseView(project, step.state).phase.id})` });
      }
    }
    for (const m of step.messages) {
      if (!project.agents.some((a) => a.name === m.to)) continue;
      await appendMessage(project.stateDir, m.to, 'ao', m.text);
    }
    // a maintainer edited the current plan: tell the loops
    const current = phaseView(project, step.state).phase.planPath;
    if (this.plansEdited.has(current) && !step.state.complete) {
      for (const loop of project.agents.filter((a) => a.kind === 'loop')) {
        await appendMessage(project.stateDir, loop.name, 'ao', `The plan of phase ${phaseView(project, step.state).phase.id} was edited (${current}). Re-read it before you go on.`);
      }
      this.event({ type: 'event', agent: 'phase', event: 'plan-edited', reason: current });
    }
    this.plansEdited.clear();
    return step.state;
  }

  private async reload(state: AgentsState, panes: readonly PaneInfo[]): Promise<void> {
    const outcome = await reloadConfig(this.project, state, this.deps.env);
    if (!outcome.ok) {
      if (!outcome.repeated) this.event({ type: 'event', agent: 'config', event: 'config-error', reason: `agents.toml does not validate; keeping the last good config: ${outcome.error}` });
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

  private event(action: Extract<Action, { type: 'event' }>): void {
    const { type: _type, ...event } = action;
    const record: EventRecord = { time: new Date(this.now()).toISOString(), ...event };
    // on a full or failing disk the line waits (a bounded few) and the sweep goes on
    this.unwritten.push(record);
    if (this.unwritten.length > 50) this.unwritten.splice(0, this.unwritten.length - 50);
    try {
      while (this.unwritten.length > 0) {
        appendEvent(this.project.stateDir, this.unwritten[0]!);
        this.unwritten.shift();
      }
    } catch (error) {
      this.diskTrouble('events.jsonl', error);
    }
    this.deps.log(EVENTS[action.event].log, record);
  }

  /** Watches agents.toml, prompts/ and phases/ (chokidar); returns a function that stops watching. */
  async watchFiles(): Promise<() => Promise<void>> {
    const { watch } = await import('chokidar');
    const dir = this.project.dir;
    const watcher = watch([this.project.configFile, join(dir, 'prompts'), join(dir, 'phases')], { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 100, pollInterval: 50 } });
    watcher.on('all', (_event, file) => {
      if (file === this.project.configFile) this.configChanged();
      else if (file.startsWith(join(dir, 'phases'))) this.planChanged(file);
    });
    // a claim or a verdict is acted on at once, not at the next sweep
    const gate = watch(this.project.stateDir, { ignoreInitial: true, depth: 0, ignored: (path: string) => path !== this.project.stateDir && !layout.isGateFile(path) });
    gate.on('all', () => this.wake());
    // a watcher error (inotify limits, EIO) must not end the watchdog: the sweeps still poll
    for (const w of [watcher, gate]) w.on('error', (error: unknown) => this.diskTrouble('file watcher', error));
    await Promise.all([new Promise<void>((r) => watcher.once('ready', () => r())), new Promise<void>((r) => gate.once('ready', () => r()))]);
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

  /** Runs until stop(): sweeps every stall_check_s, at once on a wake, and polls pids every pollMs. */
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

  /**
   * Runs until stop(): sweeps every stall_check_s, at once on a wake, and polls pids every pollMs.
   * A sweep that throws (a full disk, EIO, a bug) is reported once, then retried with a
   * backoff from 200 ms to 30 s that wakes cannot cut short; the first good sweep reports
   * the recovery. The watchdog itself never exits on it.
   */
  async run(pollMs = 100): Promise<void> {
    this.running = true;
    let failures = 0;
    let firstFailure = 0;
    const poll = setInterval(() => {
      try {
        const dead = this.proc.poll();
        for (const [pid, exit] of dead) if (exit) this.exits.set(pid, exit);
        if (dead.size > 0) this.wake();
      } catch (error) {
        this.diskTrouble('/proc poll', error);
      }
    }, pollMs);
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
            this.event({ type: 'event', agent: 'watchdog', event: 'sweep-recovered', reason: `sweeps work again after ${failures} failed in ${Math.round((this.now() - firstFailure) / 1000)} s` });
            failures = 0;
            this.troubled.clear();
          }
        } catch (error) {
          if (failures === 0) {
            firstFailure = this.now();
            this.deps.log('error', `sweep failed: ${(error as Error).stack ?? String(error)}`);
            this.event({ type: 'event', agent: 'watchdog', event: 'sweep-failed', reason: `${errorLine(error)}; retrying with backoff, reported again only once it works` });
          }
          failures++;
        }
        this.capLogsNow();
        if (!this.running) break;
        if (this.pendingWake && failures === 0) continue;
        const sweepMs = Math.max(this.project.watchdog.stallCheckS * 1000, 50);
        const due = failures > 0 ? Math.min(30_000, 200 * 2 ** Math.min(failures - 1, 8)) : Math.min(sweepMs, wakeAt === null ? sweepMs : Math.max(0, wakeAt - this.now()));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, due);
          this.wakeUp = () => {
            // while failing, only stop() cuts the backoff short: a wake would make it spin
            if (failures > 0 && this.running) return;
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeUp = null;
      }
    } finally {
      clearInterval(poll);
      abort.abort();
      this.screens.stop();
      await Promise.all([listening, looking]);
      this.proc.close();
    }
  }

  stop(): void {
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

/** What went wrong with a start, in a few words: `prompts/alpha.md not found`. */
function startError(project: Project, error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  const where = typeof e.path === 'string' ? relative(project.dir, e.path) || e.path : null;
  if (where && e.code === 'ENOENT') return `${where} not found`;
  if (where && e.code) return `${where}: ${e.code}`;
  return (e.message ?? String(error)).split('\n')[0]!;
}

/** The last 16 kB of a log, or '' */
function logTail(file: string): string {
  try {
    const text = readFileSync(file);
    return text.subarray(Math.max(0, text.length - 16 * 1024)).toString('utf8');
  } catch {
    return '';
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

