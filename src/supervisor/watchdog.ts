/**
 * The watchdog process (`ao watchdog`, run in its own tmux session by `ao up`).
 * It observes, asks the pure reconciler what to do, and applies the answer.
 * Deaths wake it at once (tmux's pane-died hook signals it, and it polls the
 * agents' pids in /proc because the hook is lossy); everything else is swept
 * every `stall_check_s` at the latest.
 */
import { readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getBackend } from '../backends/index.js';
import { modelFor } from '../config/resolve.js';
import type { Project } from '../config/types.js';
import { readAgentsState } from '../state/agents.js';
import { appendEvent, type EventRecord } from '../state/events.js';
import { withLock, writeJsonAtomic } from '../state/files.js';
import { agentsFile } from '../state/agents.js';
import { capLogs } from '../state/logcap.js';
import { processAlive, zombieExit } from '../state/pidlock.js';
import { currentPhase } from '../state/phase.js';
import type { Tmux } from '../tmux/client.js';
import { bySession, type PaneInfo } from '../tmux/snapshot.js';
import { deliverKickoff, startSession } from './executor.js';
import { planLaunch } from './launch.js';
import { reconcile, silentTooLong, type Action, type DesiredAgent, type ObservedAgent, type Timings } from './reconcile.js';

export const NUDGE_TEXT = 'ao: you have been silent for a while. Re-read your phase plan and your inbox, then carry on.';

export interface WatchdogDeps {
  project: Project;
  tmux: Tmux;
  aoEntry: string;
  env: NodeJS.ProcessEnv;
  log: (level: 'info' | 'warn' | 'error', event: EventRecord | string) => void;
  now?: () => number;
}

export const watchdogPidFile = (stateDir: string): string => join(stateDir, 'watchdog.pid');

export function timingsOf(project: Project): Timings {
  const w = project.watchdog;
  return {
    backoffInitialMs: w.backoffInitialS * 1000,
    backoffMaxMs: w.backoffMaxS * 1000,
    healthyAfterMs: w.healthyAfterS * 1000,
    crashLimit: w.crashLimit,
    crashWindowMs: w.crashWindowS * 1000,
    restartLimit: w.restartLimit,
    restartWindowMs: w.restartWindowS * 1000,
  };
}

/** What tmux and /proc show of each agent. A pane whose pid is gone or a zombie is dead, whatever tmux says. */
export function observe(
  project: Project,
  panes: readonly PaneInfo[],
  alive: (pid: number) => boolean = processAlive,
  exits: ReadonlyMap<number, { status: number | null; signal: number | null }> = new Map(),
): Map<string, ObservedAgent> {
  const sessions = bySession(panes);
  const observed = new Map<string, ObservedAgent>();
  for (const agent of project.agents) {
    const pane = sessions.get(agent.session);
    if (!pane) continue;
    const dead = pane.dead || (pane.pid !== null && !alive(pane.pid));
    // tmux's own status first; else what the zombie showed in /proc
    const fromProc = pane.pid !== null ? exits.get(pane.pid) : undefined;
    const known = pane.dead && (pane.deadStatus !== null || pane.deadSignal !== null);
    observed.set(agent.name, {
      exists: true,
      dead,
      exitStatus: known ? pane.deadStatus : dead ? (fromProc?.status ?? null) : null,
      exitSignal: known ? pane.deadSignal : dead ? (fromProc?.signal ?? null) : null,
      activityMs: pane.activity === null ? null : pane.activity * 1000,
      screen: null,
    });
  }
  return observed;
}

export class Watchdog {
  private readonly deps: WatchdogDeps;
  /** pids of live agent panes, polled in /proc between sweeps */
  private watched: number[] = [];
  private running = false;
  private wakeUp: (() => void) | null = null;
  private pendingWake = false;
  private lastLogCap = 0;
  /** how zombies among the watched pids ended, read from /proc before anyone reaps them */
  private readonly exits = new Map<number, { status: number | null; signal: number | null }>();

  constructor(deps: WatchdogDeps) {
    this.deps = deps;
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /** Asks for a sweep now (the pane-died hook's signal, a /proc death). */
  wake(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  /** One observe-decide-act pass. Returns when the next pass is due at the latest. */
  async tick(): Promise<number | null> {
    const { project, tmux } = this.deps;
    const panes = await tmux.snapshot();
    const now = this.now();
    let wakeAt: number | null = null;
    const starts: Array<{ name: string; reason: string }> = [];
    const nudges: string[] = [];

    await withLock(project.stateDir, async () => {
      const state = readAgentsState(project.stateDir);
      const view = currentPhase(project);
      const desired: DesiredAgent[] = project.agents.map((a) => ({
        name: a.name,
        kind: a.kind,
        heal: a.heal,
        up: state.agents[a.name]?.up ?? false,
        stallMs: a.stallMinutes * 60_000,
        model: modelFor(project, a, view.phase),
      }));
      const observed = observe(project, panes, processAlive, this.exits);
      for (const agent of desired) {
        const seen = observed.get(agent.name);
        const spec = project.agents.find((a) => a.name === agent.name)!;
        if (seen && silentTooLong(agent, seen, state.agents[agent.name], now)) {
          const screen = await tmux.capture(spec.session);
          if (screen !== null) seen.screen = getBackend(spec.backend).detect(screen, { readyPattern: spec.readyPattern });
        }
      }
      const decision = reconcile(desired, observed, state.agents, now, timingsOf(project));
      wakeAt = decision.wakeAt;
      for (const action of decision.actions) {
        if (action.type === 'start') starts.push({ name: action.agent, reason: action.reason });
        else if (action.type === 'nudge') nudges.push(action.agent);
        else this.event(action);
      }
      // start inside the lock, so `ao down` (which takes it first) never races a restart
      for (const start of starts) {
        const agent = project.agents.find((a) => a.name === start.name)!;
        const plan = planLaunch(project, agent, view, this.deps.aoEntry, this.deps.env);
        try {
          await startSession(tmux, plan, { existing: observed.get(agent.name)?.exists ?? false, respawn: true });
          this.event({ type: 'event', agent: agent.name, event: start.reason === 'next-iteration' ? 'next-iteration' : 'restart', reason: start.reason, details: { iteration: decision.history[agent.name]!.iteration, restarts: decision.history[agent.name]!.restarts } });
          if (plan.pasteKickoff) void deliverKickoff(tmux, plan).catch((error: unknown) => this.deps.log('warn', `kickoff for ${agent.name}: ${String(error)}`));
        } catch (error) {
          this.event({ type: 'event', agent: agent.name, event: 'start-failed', reason: (error as Error).message });
        }
      }
      state.agents = { ...state.agents, ...decision.history };
      await writeJsonAtomic(agentsFile(project.stateDir), state);
    });

    for (const name of nudges) {
      const agent = project.agents.find((a) => a.name === name)!;
      await tmux.paste(agent.session, NUDGE_TEXT).catch((error: unknown) => this.deps.log('warn', `nudge ${name}: ${String(error)}`));
    }
    const after = starts.length > 0 ? await tmux.snapshot() : panes;
    this.watched = observedPids(project, after);
    for (const pid of this.exits.keys()) if (!after.some((p) => p.pid === pid)) this.exits.delete(pid);
    if (now - this.lastLogCap > 60_000) {
      this.lastLogCap = now;
      capLogs(project.stateDir, project.watchdog.logMaxMb * 1024 * 1024);
    }
    return wakeAt;
  }

  private event(action: Extract<Action, { type: 'event' }>): void {
    const record: EventRecord = { time: new Date(this.now()).toISOString(), agent: action.agent, event: action.event, reason: action.reason, ...(action.details ? { details: action.details } : {}) };
    appendEvent(this.deps.project.stateDir, record);
    this.deps.log(action.event === 'failed' || action.event === 'start-failed' ? 'warn' : 'info', record);
  }

  /** Runs until stop(): sweeps every stall_check_s, at once on a wake, and polls pids every pollMs. */
  async run(pollMs = 100): Promise<void> {
    this.running = true;
    const sweepMs = Math.max(this.deps.project.watchdog.stallCheckS * 1000, 50);
    const poll = setInterval(() => {
      let died = false;
      for (const pid of this.watched) {
        if (processAlive(pid)) continue;
        died = true;
        const exit = zombieExit(pid);
        if (exit) this.exits.set(pid, exit);
      }
      if (died) this.wake();
    }, pollMs);
    try {
      while (this.running) {
        this.pendingWake = false;
        let wakeAt: number | null = null;
        try {
          wakeAt = await this.tick();
        } catch (error) {
          this.deps.log('error', `sweep failed: ${(error as Error).stack ?? String(error)}`);
        }
        if (!this.running) break;
        if (this.pendingWake) continue;
        const due = Math.min(sweepMs, wakeAt === null ? sweepMs : Math.max(0, wakeAt - this.now()));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, due);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeUp = null;
      }
    } finally {
      clearInterval(poll);
    }
  }

  stop(): void {
    this.running = false;
    this.wakeUp?.();
  }
}

function observedPids(project: Project, panes: readonly PaneInfo[]): number[] {
  const names = new Set(project.agents.map((a) => a.session));
  return panes.filter((p) => names.has(p.session) && !p.dead && p.pid !== null).map((p) => p.pid!);
}

/** write-file-atomic leaves `<file>.<digits>` behind when killed mid-write; sweep old ones. */
export function removeStaleTemps(stateDir: string, olderThanMs = 1_000): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(stateDir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!/\.(json|md)\.\d+$/.test(name)) continue;
    const file = join(stateDir, name);
    try {
      if (Date.now() - statSync(file).mtimeMs > olderThanMs) {
        rmSync(file, { force: true });
        removed++;
      }
    } catch {
      // gone already
    }
  }
  return removed;
}

export function writePidFile(stateDir: string): void {
  writeFileSync(watchdogPidFile(stateDir), `${process.pid}\n`);
}
