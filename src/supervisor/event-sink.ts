/**
 * Where every event of the watchdog process goes: the sweep's, the screen
 * watch's, notify's own attempts and `ao watchdog`'s start. Each becomes one
 * line of events.jsonl, one line of the watchdog's log and an offer to
 * [notify]. On a full or failing disk the line waits in memory (a bounded few,
 * writable.ts) and goes out with the next write that works; the trouble is
 * logged once per episode. Events recorded before the first sweep are
 * notified once the sweep knows the phase. What other processes append to
 * events.jsonl is read back after each sweep (event-follow.ts) and offered to
 * [notify] too: every event reaches it, whoever wrote it.
 */
import type { Project } from '../config/types.js';
import { EVENTS, type AoEvent } from '../state/event-catalogue.js';
import type { EventRecord, LoggedEvent } from '../state/events.js';
import { ledgerHead } from '../state/ledger.js';
import { takeBadFiles } from '../state/safe-fs.js';
import type { UsageRecord } from '../state/usage.js';
import { layout } from '../state/layout.js';
import { EventFollower } from './event-follow.js';
import { Notifier } from './notify.js';
import { HeldLines, Writability } from './writable.js';
import { Grounds } from './grounds.js';

export interface EventSinkDeps {
  project: () => Project;
  log: (level: 'info' | 'warn' | 'error', event: EventRecord | string) => void;
  now: () => number;
}

/** An event as the deciders hand it over (a `type: 'event'` action), as it is (an AoEvent), or with its time (an EventRecord). */
export type SinkEvent = AoEvent & { type?: 'event'; time?: string };

export class EventSink {
  /** what already reported a disk error in this episode */
  private readonly troubled = new Set<string>();
  /** event and usage lines a failing disk refused, written once it works again */
  private readonly held: HeldLines;
  /** whether the state folder takes writes: without, nothing is started or pasted */
  private readonly writability = new Writability();
  private readonly notifier: Notifier;
  /** the lines of events.jsonl other processes wrote */
  private readonly others: EventFollower;
  /** the phase the last sweep saw, for notifications */
  phase: string | null = null;
  /** events recorded before the first sweep (the watchdog's own start): notified once the phase is known */
  private early: Array<EventRecord | LoggedEvent> | null = [];

  constructor(private readonly deps: EventSinkDeps) {
    const grounds = new Grounds(() => deps.project().stateDir);
    this.others = new EventFollower(() => layout.events(deps.project().stateDir));
    this.held = new HeldLines(() => deps.project().stateDir, {
      ground: (r) => grounds.ground(r),
      written: (r, head) => {
        grounds.written(r, head);
        this.others.wrote(head.seq);
      },
    });
    this.notifier = new Notifier({
      spec: () => deps.project().notify,
      project: () => deps.project().name,
      phase: () => this.phase,
      ledger: () => ledgerHead(deps.project().stateDir),
      record: (e) => this.event(e),
      now: deps.now,
    });
  }

  /** Whether the state folder takes writes (no episode of refused writes under way). */
  get writable(): boolean {
    return this.writability.ok;
  }

  /** Records one event: events.jsonl (or the lines that wait for the disk), the log, [notify]. */
  event(action: SinkEvent): void {
    const { type: _type, time, ...event } = action;
    const record: EventRecord = { time: time ?? new Date(this.deps.now()).toISOString(), ...event };
    // on a full or failing disk the line waits (a bounded few) and the sweep goes on
    const error = this.held.event(record);
    if (error) this.trouble('events.jsonl', error);
    this.deps.log(EVENTS[action.event].log, record);
    if (this.early) this.early.push(record);
    else this.notifier.offer(record);
  }

  /** One run's usage into usage.jsonl; a line the disk refuses waits in memory. */
  usage(line: UsageRecord): void {
    const error = this.held.usageLine(line);
    if (error) this.trouble('usage.jsonl', error);
  }

  /** Writes what waits for the disk, oldest first (before a sweep writes anything new). */
  flush(): void {
    this.held.flush();
  }

  /** Logs a disk or watcher error once until a sweep succeeds again. */
  trouble(what: string, error: unknown): void {
    if (this.troubled.has(what)) return;
    this.troubled.add(what);
    this.deps.log('warn', `${what}: ${errorLine(error)} (reported once; ao carries on)`);
  }

  /** The sweeps work again: the next trouble is reported afresh. */
  recovered(): void {
    this.troubled.clear();
  }

  /** The state folder refused a write (agents.json, a paste's record): said once; no start or paste until a write works. */
  refused(code: string, what: string): void {
    const said = this.writability.refused(code, what, this.deps.now());
    if (said) this.event(said);
  }

  /** A write of the state worked: an episode of refused writes ends and what waited is written. True when one ended. */
  worked(now: number): boolean {
    const back = this.writability.worked(now);
    if (!back) return false;
    this.troubled.clear();
    this.held.flush();
    this.event(back);
    return true;
  }

  /** After the first sweep, good or not: the events recorded before it go to [notify] (the phase is known if it could be). */
  phaseKnown(): void {
    if (!this.early) return;
    const early = this.early;
    this.early = null;
    for (const record of early) this.notifier.offer(record);
  }

  /** What other processes appended to events.jsonl since the last look, to [notify] (the first look only marks where the log ends). */
  followOthers(): void {
    for (const record of this.others.take()) {
      if (this.early) this.early.push(record);
      else this.notifier.offer(record);
    }
  }

  /** One event for each file of the state folder ao refused to read or write (state/safe-fs.ts), the first time only. */
  reportBadFiles(): void {
    const project = this.deps.project();
    const agents = project.agents.map((a) => a.name);
    for (const { file, reason } of takeBadFiles())
      this.event({ agent: layout.ownerOf(project.stateDir, file, agents), event: 'bad-file', reason: `${file}: ${reason}`, details: { file, reason } });
  }

  /** Stops notifying; a notification on its way gets a moment to arrive, a hanging target cannot hold the stop. */
  async close(): Promise<void> {
    this.notifier.stop();
    await this.notifier.flush(1000);
  }
}

/** An error as one line: its code first, when its message does not say it. */
export function errorLine(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
