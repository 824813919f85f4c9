/**
 * The dashboard's reads of the state folder: bounded, and only of files that
 * changed since the last look (FileCache). The engine in src/ui hands it to
 * `readProjectView` and asks it for the tails it shows, so no UI module
 * touches the filesystem.
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import type { Project } from '../config/types.js';
import type { AgentsState } from '../state/agents.js';
import { readEvents, type LoggedEvent } from '../state/events.js';
import { readExitRecord } from '../state/exits.js';
import { layout } from '../state/layout.js';
import { initialPhaseState, type PhaseState } from '../state/phase.js';
import { emptyReport, readUsageReport, type UsageReport } from '../state/usage.js';
import { readConfigError } from '../state/running.js';
import { watchdogProcess } from '../supervisor/watchdog-pid.js';
import { FileCache, inboxTail, tailText, type InboxLine, type TailView } from './feed.js';
import { joinNotes, readAgentsFile, readPhaseFile, type StateSource, type TeamState } from './view.js';

export class StateReader implements StateSource {
  private readonly cache = new FileCache();
  private readonly watchers = new Map<string, FSWatcher>();
  private lastAgents: AgentsState | null = null;
  private lastPhase: PhaseState | null = null;

  /** agents.json and phase.json; a corrupt one keeps showing its good copy or the last state seen, and says so. */
  team(project: Project): TeamState {
    const { stateDir } = project;
    let note: string | null = null;
    let failure: string | null = null;
    try {
      const previous = this.lastAgents;
      const agents = this.cache.read(layout.agents(stateDir), () => readAgentsFile(stateDir, previous), {
        state: { version: 1 as const, agents: {} },
        note: null,
      });
      this.lastAgents = agents.state;
      const phase = this.cache.read(layout.phase(stateDir), () => readPhaseFile(project), { state: initialPhaseState(), note: null });
      this.lastPhase = phase.state;
      note = joinNotes(agents.note, phase.note);
    } catch (e) {
      // a state file that cannot be read at all: keep showing the last good one, and say so
      failure = (e as Error).message;
    }
    return { agents: this.lastAgents ?? { version: 1, agents: {} }, phase: this.lastPhase ?? initialPhaseState(), note, failure };
  }

  configError(stateDir: string): string | null {
    return this.cache.read(layout.configError(stateDir), () => readConfigError(stateDir)?.message ?? null, null);
  }

  exit(stateDir: string, agent: string): ReturnType<StateSource['exit']> {
    return this.cache.read(layout.exit(stateDir, agent), () => readExitRecord(stateDir, agent), null);
  }

  usage(stateDir: string): UsageReport {
    return this.cache.read(layout.usage(stateDir), () => readUsageReport(stateDir), emptyReport());
  }

  watchdog(stateDir: string, panePid: number | null): number | null {
    return watchdogProcess(stateDir, panePid);
  }

  agentLog(stateDir: string, agent: string, limit: number): string[] {
    const file = layout.agentLog(stateDir, agent);
    return this.cache.read(file, () => tailText(file, limit), []);
  }

  tail(file: string, limit: number): TailView {
    const name = file.slice(file.lastIndexOf('/') + 1);
    return this.cache.read<TailView>(file, () => ({ name, exists: true, lines: tailText(file, limit) }), { name, exists: false, lines: [] });
  }

  /** The newest messages of every agent's inbox, oldest first. */
  inboxes(stateDir: string, agents: readonly string[], limit: number): InboxLine[] {
    const all: InboxLine[] = [];
    for (const agent of agents) all.push(...this.cache.read(layout.inbox(stateDir, agent), () => inboxTail(stateDir, agent, limit), []));
    return all.sort((a, b) => a.time.localeCompare(b.time)).slice(-limit);
  }

  events(stateDir: string, limit: number): LoggedEvent[] {
    return this.cache.read(layout.events(stateDir), () => readEvents(stateDir, limit), []);
  }

  /** Forgets files not read since the last sweep (the journal of a past phase). */
  sweep(): void {
    this.cache.sweep();
  }

  /** Watches the state folder and the inboxes (not the logs, which change all the time); idempotent. */
  watch(stateDir: string, onChange: () => void): void {
    for (const dir of [stateDir, layout.inboxes(stateDir)]) {
      if (this.watchers.has(dir) || !existsSync(dir)) continue;
      try {
        const watcher = watch(dir, { persistent: false }, onChange);
        watcher.on('error', () => {
          watcher.close();
          this.watchers.delete(dir);
        });
        this.watchers.set(dir, watcher);
      } catch {
        // gone between the check and the watch: the next tick tries again
      }
    }
  }

  unwatch(): void {
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }
}

// the dashboard's engine names a file's version the same way the watchdog does
export { fileStamp } from '../state/files.js';
