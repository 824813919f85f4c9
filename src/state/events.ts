import { closeSync, existsSync, fstatSync, readSync, renameSync } from 'node:fs';
import { appendWhole } from './append.js';
import { reasonLine, type AoEvent } from './event-catalogue.js';
import { tailLines } from './tail.js';
import { layout } from './layout.js';
import { lockSync, unlock } from './dirlock.js';
import { EMPTY_HEAD, lastChained, lineHash, readStoredHead, writeAnchor, writeStoredHead, type LedgerHead, type StoredHead } from './ledger.js';
import { ensureDir, openAppend } from './safe-fs.js';

/** One decision or observation as ao writes it, one line of state/events.jsonl. */
export type EventRecord = AoEvent & { time: string };

/** A line read back: it may come from an older or newer ao, so its name is any string. */
export interface LoggedEvent {
  time: string;
  agent: string;
  event: string;
  reason: string;
  details?: Record<string, unknown>;
  /** the line's place in the hash chain (absent on an older ao's lines) */
  seq?: number;
  /** the sha256 of the previous chained line's bytes */
  prev?: string;
}

/** `agent: event (reason)`, the watchdog's own log line of an event. */
export function eventSummary(e: Pick<LoggedEvent, 'agent' | 'event' | 'reason'>): string {
  const reason = reasonLine(e);
  return `${e.agent}: ${e.event}${reason ? ` (${reason})` : ''}`;
}

const KEEP = 3;

/** The head this process wrote last, per log: while the log's size and inode are as it left them, no read is needed. */
const heads = new Map<string, StoredHead>();

/** Forgets the heads this process wrote (a bench's stand-in for a fresh process: the next append reads ledger-head.json). */
export function forgetHeads(): void {
  heads.clear();
}

/**
 * Appends one record as a single write, undone if it fails partway (a full
 * disk): no torn line. If the file ends in a torn line all the same (a crash
 * mid-append), a newline goes first so the torn line cannot swallow this
 * record. Rotates past `maxBytes`, keeping three old files. The line is
 * chained (state/ledger.ts): its seq and prev are taken under the events lock,
 * which every writer (the watchdog, each command) holds for one read and one
 * write. Returns the new head.
 */
export function appendEvent(stateDir: string, record: EventRecord, maxBytes = 5 * 1024 * 1024): LedgerHead {
  ensureDir(stateDir);
  const file = layout.events(stateDir);
  const lock = layout.eventsLock(stateDir);
  lockSync(lock);
  try {
    // never through a link, never into a FIFO: a bad events.jsonl throws (BadFileError) and is reported once
    let fd = openAppend(file, { read: true });
    try {
      let stat = fstatSync(fd);
      const head = headOf(stateDir, file, fd, stat);
      if (stat.size > maxBytes) {
        closeSync(fd);
        fd = -1;
        rotate(stateDir, file);
        fd = openAppend(file, { read: true });
        stat = fstatSync(fd);
      }
      const size = stat.size;
      let prefix = '';
      if (size > 0) {
        const last = Buffer.alloc(1);
        readSync(fd, last, 0, 1, size - 1);
        if (last[0] !== 0x0a) prefix = '\n';
      }
      const line = JSON.stringify({ seq: head.seq + 1, prev: head.hash, ...record });
      const text = `${prefix}${line}\n`;
      appendWhole(fd, size, text);
      const next: StoredHead = { seq: head.seq + 1, hash: lineHash(line), size: size + Buffer.byteLength(text), ino: stat.ino };
      heads.set(file, next);
      try {
        writeStoredHead(stateDir, next);
      } catch {
        // the line is in (a full disk may refuse the head's copy): the next append finds the head in the log
      }
      return { seq: next.seq, hash: next.hash };
    } finally {
      if (fd >= 0) closeSync(fd);
    }
  } finally {
    unlock(lock);
  }
}

/**
 * The head the next line follows. Trusted without a read while the log is as
 * its last writer left it (this process's memory, else ledger-head.json);
 * otherwise the log's last chained line (an older ao wrote after, a crash came
 * between the line and its head, the log was just rotated). The stored head
 * wins over a log that ends at or before it: a tail edited or cut stays
 * visible to `ao verify` instead of being chained over.
 */
function headOf(stateDir: string, file: string, fd: number, stat: { size: number; ino: number }): LedgerHead {
  const mine = heads.get(file);
  if (mine && mine.size === stat.size && mine.ino === stat.ino) return mine;
  const stored = readStoredHead(stateDir);
  if (stored && stored.size === stat.size && stored.ino === stat.ino) return stored;
  const logged = lastChained(file, fd) ?? lastChained(`${file}.1`) ?? EMPTY_HEAD;
  return stored && stored.seq >= logged.seq ? stored : logged;
}

/** Moves the log to .1 (and .1 to .2 …); what falls off the end leaves its last seq and hash as the anchor the oldest kept line follows. */
function rotate(stateDir: string, file: string): void {
  const dropped = existsSync(`${file}.${KEEP}`) ? lastChained(`${file}.${KEEP}`) : null;
  if (dropped) writeAnchor(stateDir, dropped);
  for (let i = KEEP - 1; i >= 1; i--) {
    if (existsSync(`${file}.${i}`)) renameSync(`${file}.${i}`, `${file}.${i + 1}`);
  }
  renameSync(file, `${file}.1`);
}

export function parseEventLine(line: string): LoggedEvent | null {
  try {
    const value = JSON.parse(line) as LoggedEvent;
    return typeof value === 'object' && value !== null && typeof value.event === 'string' ? value : null;
  } catch {
    return null; // a torn line
  }
}

/** The last `limit` events; torn or foreign lines are skipped. */
export function readEvents(stateDir: string, limit = 50, keep: (e: LoggedEvent) => boolean = () => true): LoggedEvent[] {
  // a filter may keep few of the newest lines: read further back until enough are kept, or the file is read
  for (let lines = limit * 2; ; lines *= 8) {
    const tail = tailLines(layout.events(stateDir), lines);
    const kept = tail
      .map(parseEventLine)
      .filter((e): e is LoggedEvent => e !== null && keep(e))
      .slice(-limit);
    if (kept.length >= limit || tail.length < lines) return kept;
  }
}
