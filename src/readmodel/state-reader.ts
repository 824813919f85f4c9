/**
 * The dashboard's reads of the state folder: bounded, and only of files that
 * changed since the last look (FileCache). The engine in src/ui asks this for
 * what it shows, so no UI module touches the filesystem.
 */
import { existsSync, statSync, watch, type FSWatcher } from 'node:fs';
import { loadAgentsState, type AgentsState } from '../state/agents.js';
import { readEvents, type LoggedEvent } from '../state/events.js';
import { layout } from '../state/layout.js';
import { initialPhaseState, readPhaseState, type PhaseState } from '../state/phase.js';
import { readConfigError } from '../supervisor/reload.js';
import { FileCache, inboxTail, tailText, type InboxLine, type TailView } from './feed.js';

export interface TeamState {
  agents: AgentsState;
  phase: PhaseState;
  /** a corrupt agents.json, shown from its good copy or as last seen */
  note: string | null;
  /** a state file that could not be read at all (the last good state is shown) */
  failure: string | null;
}

export class StateReader {
  private readonly cache = new FileCache();
  private readonly watchers = new Map<string, FSWatcher>();
  private lastAgents: AgentsState = { version: 1, agents: {} };
  private lastPhase: PhaseState | null = null;

  /** agents.json and phase.json; a corrupt one keeps showing the last good state, and says so. */
  team(stateDir: string): TeamState {
    let note: string | null = null;
    let failure: string | null = null;
    try {
      const previous = this.lastAgents;
      const read = this.cache.read(
        layout.agents(stateDir),
        () => {
          const loaded = loadAgentsState(stateDir);
          if (loaded.corrupt === null) return { state: loaded.state, note: null };
          // say so; show its last good copy, else what this dashboard saw last
          const note = `state file agents.json is corrupt (${loaded.corrupt}); showing ${loaded.from === 'good copy' ? 'its last good copy' : 'the last state seen'}`;
          return { state: loaded.from === 'good copy' || !previous ? loaded.state : previous, note };
        },
        { state: { version: 1 as const, agents: {} }, note: null as string | null },
      );
      this.lastAgents = read.state;
      note = read.note;
      this.lastPhase = this.cache.read(layout.phase(stateDir), () => readPhaseState(stateDir), initialPhaseState());
    } catch (e) {
      // a corrupt state file: keep showing the last good one, and say so
      failure = (e as Error).message;
    }
    return { agents: this.lastAgents, phase: this.lastPhase ?? initialPhaseState(), note, failure };
  }

  /** The error of an agents.toml edit the watchdog could not apply. */
  configError(stateDir: string): string | null {
    return this.cache.read(layout.configError(stateDir), () => readConfigError(stateDir)?.message ?? null, null);
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

/** A file's identity and version (inode, size, mtime), or null when it does not exist. */
export function fileStamp(file: string): string | null {
  try {
    const st = statSync(file);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return null;
  }
}
