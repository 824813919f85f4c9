/**
 * Whether the state folder takes writes, and what waits for it. A sweep
 * records what it decided (agents.json) before it starts or pastes anything,
 * so a folder that refuses that write (full, over quota, read-only, no
 * permission) holds every start and paste: the watchdog says so once
 * (`state-unwritable`), keeps the running agents as they are, and tries again
 * every UNWRITABLE_PROBE_MS until a write works (`state-writable`). Event and
 * usage lines that could not be written wait here, a bounded number, and go
 * out, oldest first, with the next line that can be written.
 */
import type { EventRecord } from '../state/events.js';
import { appendEvent } from '../state/events.js';
import type { LedgerHead } from '../state/ledger.js';
import { appendUsage, type UsageRecord } from '../state/usage.js';
import type { EventAction } from './decide.js';

/** the errors of a folder that refuses writes; anything else (EIO, a bug) is a failed sweep */
export const UNWRITABLE_CODES: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES']);
/** how often a sweep tries again while the folder refuses writes */
export const UNWRITABLE_PROBE_MS = 2000;
/** lines kept in memory at most: the oldest go first beyond it */
export const HELD_EVENTS = 200;
export const HELD_USAGE = 1000;

/** The error code when the error is the state folder refusing a write, else null. */
export function unwritableCode(error: unknown): string | null {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && UNWRITABLE_CODES.has(code) ? code : null;
}

/** Pure: the episodes of a state folder that refuses writes, and the one event that begins and ends each. */
export class Writability {
  private since: number | null = null;

  get ok(): boolean {
    return this.since === null;
  }

  /** A write was refused: the event to record the first time, null while the episode goes on. */
  refused(code: string, what: string, now: number): EventAction | null {
    if (this.since !== null) return null;
    this.since = now;
    return {
      type: 'event',
      agent: 'watchdog',
      event: 'state-unwritable',
      reason: `the state folder refuses writes (${code}, ${what}): no start and no paste until it takes them again; running agents are left as they are`,
      details: { code },
    };
  }

  /** A write worked: the event that ends an episode, or null when there was none. */
  worked(now: number): EventAction | null {
    if (this.since === null) return null;
    const ms = now - this.since;
    this.since = null;
    return {
      type: 'event',
      agent: 'watchdog',
      event: 'state-writable',
      reason: `the state folder takes writes again after ${Math.round(ms / 1000)} s; starts and pastes resume`,
      details: { unwritable_ms: ms },
    };
  }
}

/** Event and usage lines that wait for a disk that takes them. */
export class HeldLines {
  private readonly events: EventRecord[] = [];
  private readonly usage: UsageRecord[] = [];

  constructor(
    private readonly stateDir: () => string,
    /** what a record becomes as it is written (a phase advance's grounds), and what is told of each line written */
    private readonly hooks: { ground?: (r: EventRecord) => EventRecord; written?: (r: EventRecord, head: LedgerHead) => void } = {},
  ) {}

  /** How many lines wait. */
  get waiting(): number {
    return this.events.length + this.usage.length;
  }

  /** Writes the waiting events, then this one; what cannot be written waits. Returns the error, or null. */
  event(record?: EventRecord): unknown {
    if (record) hold(this.events, record, HELD_EVENTS);
    return drain(this.events, (r) => {
      const record = this.hooks.ground?.(r) ?? r;
      const head = appendEvent(this.stateDir(), record);
      this.hooks.written?.(record, head);
    });
  }

  /** The same for usage lines; a record of a run already waiting replaces nothing (the first is kept). */
  usageLine(record?: UsageRecord): unknown {
    if (record && !this.usage.some((r) => r.agent === record.agent && r.run !== undefined && r.run === record.run)) hold(this.usage, record, HELD_USAGE);
    return drain(this.usage, (r) => appendUsage(this.stateDir(), r));
  }

  /** Tries to write everything that waits; returns the first error, or null. */
  flush(): unknown {
    return this.usageLine() ?? this.event();
  }
}

function hold<T>(queue: T[], item: T, max: number): void {
  queue.push(item);
  if (queue.length > max) queue.splice(0, queue.length - max);
}

function drain<T>(queue: T[], write: (item: T) => void): unknown {
  try {
    while (queue.length > 0) {
      write(queue[0]!);
      queue.shift();
    }
    return null;
  } catch (error) {
    return error;
  }
}
