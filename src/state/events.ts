import { closeSync, existsSync, fstatSync, readSync, renameSync } from 'node:fs';
import { appendWhole } from './append.js';
import { reasonLine, type AoEvent } from './event-catalogue.js';
import { tailLines } from './tail.js';
import { layout } from './layout.js';
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
}

/** `agent: event (reason)`, the watchdog's own log line of an event. */
export function eventSummary(e: Pick<LoggedEvent, 'agent' | 'event' | 'reason'>): string {
  const reason = reasonLine(e);
  return `${e.agent}: ${e.event}${reason ? ` (${reason})` : ''}`;
}

const KEEP = 3;

/**
 * Appends one record as a single write, undone if it fails partway (a full
 * disk): no torn line. If the file ends in a torn line all the same (a crash
 * mid-append), a newline goes first so the torn line cannot swallow this
 * record. Rotates past `maxBytes`, keeping three old files.
 */
export function appendEvent(stateDir: string, record: EventRecord, maxBytes = 5 * 1024 * 1024): void {
  ensureDir(stateDir);
  const file = layout.events(stateDir);
  // never through a link, never into a FIFO: a bad events.jsonl throws (BadFileError) and is reported once
  let fd = openAppend(file, { read: true });
  if (fstatSync(fd).size > maxBytes) {
    closeSync(fd);
    rotate(file);
    fd = openAppend(file, { read: true });
  }
  try {
    const size = fstatSync(fd).size;
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    appendWhole(fd, size, `${prefix}${JSON.stringify(record)}\n`);
  } finally {
    closeSync(fd);
  }
}

function rotate(file: string): void {
  for (let i = KEEP - 1; i >= 1; i--) {
    if (existsSync(`${file}.${i}`)) renameSync(`${file}.${i}`, `${file}.${i + 1}`);
  }
  try {
    renameSync(file, `${file}.1`);
  } catch {
    // another process rotated it first
  }
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
