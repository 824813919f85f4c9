/**
 * The events other processes write to events.jsonl — `ao phase next`, `ao
 * restart`, `ao up`'s fresh start, a worktree made, any line written past the
 * sink — read back by the watchdog after each sweep and handed to [notify], so
 * that a notification does not depend on which process recorded its event. The
 * sink's own lines went to [notify] as they were written: they are known by
 * their seq and skipped. The history before the watchdog started is not news.
 */
import { lstatSync } from 'node:fs';
import { parseEventLine, type LoggedEvent } from '../state/events.js';
import { readTail } from '../state/safe-fs.js';

/** the most read in one look: past it, the oldest of what is new is skipped (a flood is not worth a notification each) */
const LOOK_BYTES = 1024 * 1024;

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
    let ino: number;
    try {
      ino = lstatSync(file).ino;
    } catch {
      return []; // no events yet
    }
    const first = this.at === null;
    // a rotated log (events.jsonl became events.jsonl.1) is read from its start
    const since = this.at?.ino === ino ? this.at.offset : 0;
    let tail;
    try {
      tail = readTail(file, LOOK_BYTES, since);
    } catch {
      return []; // a bad file is reported by the sink's own reads
    }
    if (tail === null) return [];
    // a line still being written is read at the next look
    const end = tail.text.lastIndexOf('\n') + 1;
    this.at = { ino, offset: tail.size - Buffer.byteLength(tail.text.slice(end)) };
    if (first) {
      this.own.clear();
      return [];
    }
    const lines = tail.text.slice(tail.start > since ? tail.text.indexOf('\n') + 1 : 0, end).split('\n');
    const found: LoggedEvent[] = [];
    for (const line of lines) {
      const event = line === '' ? null : parseEventLine(line);
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
