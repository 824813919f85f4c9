/**
 * The events other processes write to events.jsonl — `ao phase next`, `ao
 * restart`, `ao up`'s fresh start, a worktree made, any line written past the
 * sink — read back by the watchdog after each sweep and handed to [notify], so
 * that a notification does not depend on which process recorded its event. The
 * sink's own lines went to [notify] as they were written: they are known by
 * their seq and skipped. The history before the watchdog started is not news;
 * a flood is held back by [notify]'s own limits.
 */
import { lstatSync } from 'node:fs';
import { parseEventLine, type LoggedEvent } from '../state/events.js';
import { readNewLines } from '../state/tail.js';

/** how far back the first look reads, only to find where the last whole line ends */
const FIRST_LOOK_BYTES = 64 * 1024;

export class EventFollower {
  /** where the next look starts: the file (its inode) and the byte after the last whole line read */
  private at: { ino: number; offset: number } | null = null;
  /** seqs of lines the sink wrote, not yet passed */
  private readonly own = new Set<number>();

  constructor(private readonly file: () => string) {}

  /** The sink wrote the line with this seq. */
  wrote(seq: number): void {
    this.own.add(seq);
  }

  /** The whole lines appended since the last look that the sink did not write; none at the first look. */
  take(): LoggedEvent[] {
    const file = this.file();
    let st;
    try {
      st = lstatSync(file);
    } catch {
      return []; // no events yet
    }
    if (this.at === null) {
      this.at = { ino: st.ino, offset: readNewLines(file, Math.max(0, st.size - FIRST_LOOK_BYTES)).offset };
      this.own.clear();
      return [];
    }
    // a rotated log (events.jsonl became events.jsonl.1) is read from its start
    const read = readNewLines(file, this.at.ino === st.ino ? this.at.offset : 0);
    this.at = { ino: st.ino, offset: read.offset };
    const found: LoggedEvent[] = [];
    for (const line of read.lines) {
      const event = parseEventLine(line);
      if (event === null) continue;
      if (event.seq !== undefined && this.own.delete(event.seq)) continue;
      found.push(event);
    }
    // a seq of the sink's that is behind every line read was lost (a rotation between looks): forget it
    const newest = found.reduce((max, e) => Math.max(max, e.seq ?? 0), 0);
    for (const seq of this.own) if (seq < newest) this.own.delete(seq);
    return found;
  }
}
