/**
 * The engine's bounded readers. Each reads a fixed number of lines from the
 * end of a file (never the whole file, however long the run), and only when
 * the file changed since the last tick.
 */
import { fileStamp } from '../state/files.js';
import { parseInbox } from '../coord/inbox.js';
import { layout } from '../state/layout.js';
import { cleanTerminalText, tailLines } from '../state/tail.js';

/** The last lines of one coordination file. */
export interface TailView {
  /** the file's name as shown (not its path) */
  name: string;
  /** whether the file exists */
  exists: boolean;
  lines: string[];
}

/** One inbox message, trimmed to its first line. */
export interface InboxLine {
  to: string;
  from: string;
  /** ISO time */
  time: string;
  text: string;
}

/** Remembers what was read from each file, keyed by its size, mtime and inode. */
export class FileCache {
  private entries = new Map<string, { key: string; value: unknown; seen: number }>();
  private generation = 0;

  /** `load()` when the file changed, the remembered value when not; `missing` when it does not exist. */
  read<T>(file: string, load: () => T, missing: T): T {
    const key = fileStamp(file);
    if (key === null) {
      this.entries.delete(file);
      return missing;
    }
    const entry = this.entries.get(file);
    if (entry && entry.key === key) {
      entry.seen = this.generation;
      return entry.value as T;
    }
    const value = load();
    this.entries.set(file, { key, value, seen: this.generation });
    return value;
  }

  /** Forgets files not read since the last sweep (the journal of a past phase), so the cache stays small. */
  sweep(): void {
    for (const [file, entry] of this.entries) if (entry.seen < this.generation) this.entries.delete(file);
    this.generation += 1;
  }
}

/** Text made safe for one terminal row: escapes and controls removed, tabs expanded. */
export function cleanLine(line: string): string {
  return cleanTerminalText(line).replace(/\t/g, '    ').trimEnd();
}

/** The last `lines` non-empty lines of a text file, reading at most `maxBytes` from its end. */
export function tailText(file: string, lines: number, maxBytes = 256 * 1024): string[] {
  return tailLines(file, lines * 2, maxBytes)
    .map(cleanLine)
    .filter((l) => l.trim() !== '')
    .slice(-lines);
}

/** A pane's screen: the lines above the cursor's blank tail, at most `lines`. */
export function screenLines(capture: string, lines: number): string[] {
  const all = capture.split('\n').map(cleanLine);
  while (all.length > 0 && all.at(-1) === '') all.pop();
  return all.slice(-lines);
}

/** The newest messages of one inbox, from a bounded tail of the file. */
export function inboxTail(stateDir: string, agent: string, limit: number): InboxLine[] {
  const text = tailLines(layout.inbox(stateDir, agent), limit * 12, 64 * 1024).join('\n');
  // a record cut at the top of the tail has no header and is skipped by the parser
  return parseInbox(`${text}\n`)
    .slice(-limit)
    .map((m) => ({ to: agent, from: m.from, time: m.time, text: (m.text.split('\n').find((l) => l.trim() !== '') ?? '').trim() }));
}
