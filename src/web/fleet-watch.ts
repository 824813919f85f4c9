/**
 * What `ao web --fleet` knows of every project, read as `ao fleet status`
 * reads it (readFleetStatus: the local projects here, each host's through its
 * ao over ssh under the fleet's deadline). The projects are read in groups:
 * the local ones together, each host's together. A group is read when a page
 * or an API call wants it and its last answer is older than its gap (local
 * 1 s; a host 2 s, as each answer costs an ssh round trip), never twice at
 * once: however many pages are open, a host has one call of ours in flight
 * at most. A page is answered from what is known while a group is read
 * again; only a group never read yet is waited for.
 */
import type { Fleet, FleetProject } from '../config/fleet.js';
import type { FleetEntryStatus } from '../cli/commands/fleet-status.js';
import type { Io } from '../cli/io.js';

export type ReadFleet = (fleet: Fleet, entries: readonly FleetProject[], io: Io) => Promise<FleetEntryStatus[]>;

export interface FleetWatchOptions {
  /** the least time between two reads of the local projects, ms */
  localGapMs?: number;
  /** the least time between two reads of one host's projects, ms */
  remoteGapMs?: number;
  now?: () => number;
}

interface Group {
  key: string;
  entries: FleetProject[];
  gapMs: number;
  reading: Promise<void> | null;
  /** when its last read ended; -Infinity: never */
  doneAt: number;
}

/** The fleet's projects in their reading groups: the local ones, then each host's. Pure. */
export function readingGroups(projects: readonly FleetProject[]): { key: string; entries: FleetProject[] }[] {
  const groups = new Map<string, FleetProject[]>();
  for (const p of projects) {
    const key = p.host ? `host ${p.host.name}` : 'local';
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  return [...groups].map(([key, entries]) => ({ key, entries }));
}

export class FleetWatch {
  private readonly groups: Group[];
  private readonly seen = new Map<string, FleetEntryStatus>();
  private readonly now: () => number;
  /** how many reads each group has had (tests and benches) */
  readonly reads = new Map<string, number>();

  constructor(
    readonly fleet: Fleet,
    private readonly io: Io,
    private readonly read: ReadFleet,
    options: FleetWatchOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.groups = readingGroups(fleet.projects).map(({ key, entries }) => {
      this.reads.set(key, 0);
      const remote = entries[0]?.host !== null;
      return { key, entries, gapMs: remote ? (options.remoteGapMs ?? 2000) : (options.localGapMs ?? 1000), reading: null, doneAt: -Infinity };
    });
  }

  private start(group: Group): Promise<void> | null {
    if (group.reading) return group.reading;
    if (this.now() - group.doneAt < group.gapMs) return null;
    this.reads.set(group.key, (this.reads.get(group.key) ?? 0) + 1);
    group.reading = (async () => {
      try {
        for (const s of await this.read(this.fleet, group.entries, this.io)) this.seen.set(s.entry.name, s);
      } catch (error) {
        // a read that failed as a whole (not one project's answer, which readFleetStatus gives as that project's error)
        const message = error instanceof Error ? error.message : String(error);
        for (const entry of group.entries) this.seen.set(entry.name, { entry, report: null, error: message, healthy: false, reachable: true });
      } finally {
        group.doneAt = this.now();
        group.reading = null;
      }
    })();
    return group.reading;
  }

  /**
   * Every project as known now, in the file's order (null: not read yet),
   * after reading again the groups whose gap has passed. `wait`: `unknown`
   * waits only for groups never read; `all` for every read started (an API
   * client that wants the newest).
   */
  async look(wait: 'unknown' | 'all' = 'unknown'): Promise<{ entry: FleetProject; seen: FleetEntryStatus | null }[]> {
    const pending = this.groups.map((g) => ({ g, known: g.entries.every((e) => this.seen.has(e.name)), reading: this.start(g) }));
    await Promise.all(pending.filter((p) => p.reading && (wait === 'all' || !p.known)).map((p) => p.reading));
    return this.fleet.projects.map((entry) => ({ entry, seen: this.seen.get(entry.name) ?? null }));
  }

  /** One project as known now (reading its group again when its gap has passed). */
  async project(name: string, wait: 'unknown' | 'all' = 'unknown'): Promise<FleetEntryStatus | null> {
    const group = this.groups.find((g) => g.entries.some((e) => e.name === name));
    if (!group) return null;
    const reading = this.start(group);
    if (reading && (wait === 'all' || !this.seen.has(name))) await reading;
    return this.seen.get(name) ?? null;
  }
}
