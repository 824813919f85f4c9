import { closeSync, constants, fstatSync, lstatSync, readSync } from 'node:fs';
import { safeText } from '../text/safe.js';
import { openSafe } from './safe-fs.js';

/** A fd of a file to read without following a link or blocking on a FIFO; null when it is missing or bad (the watchdog reports a bad one). */
function openToRead(file: string): number | null {
  try {
    return openSafe(file, constants.O_RDONLY);
  } catch {
    return null;
  }
}

/**
 * The last `lines` lines of a file, reading backwards in chunks, so memory is
 * bounded by what is shown, however large the file grows.
 */
export function tailLines(file: string, lines: number, maxBytes = 4 * 1024 * 1024): string[] {
  if (lines <= 0) return [];
  const fd = openToRead(file);
  if (fd === null) return [];
  try {
    const size = fstatSync(fd).size;
    let start = size;
    let text = '';
    const chunk = 64 * 1024;
    while (start > 0 && size - start < maxBytes) {
      const length = Math.min(chunk, start);
      start -= length;
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, start);
      text = buffer.toString('utf8') + text;
      if (text.split('\n').length > lines + 1) break;
    }
    const all = text.split('\n');
    if (all.at(-1) === '') all.pop();
    if (start > 0) all.shift(); // the first line may be partial
    return all.slice(-lines);
  } finally {
    closeSync(fd);
  }
}

/** Bytes appended to a file since `offset`; starts over when the file was truncated or rotated. */
export function readFrom(file: string, offset: number): { text: string; offset: number } {
  const fd = openToRead(file);
  if (fd === null) return { text: '', offset: 0 };
  try {
    const size = fstatSync(fd).size;
    if (size < offset) offset = 0;
    if (size === offset) return { text: '', offset };
    const buffer = Buffer.alloc(Math.min(size - offset, 4 * 1024 * 1024));
    const read = readSync(fd, buffer, 0, buffer.length, offset);
    return { text: buffer.subarray(0, read).toString('utf8'), offset: offset + read };
  } finally {
    closeSync(fd);
  }
}

/**
 * The whole lines appended to a file since `offset`, and the offset after the
 * last of them: a line still being written is read by the next call. Starts
 * over when the file was truncated or rotated (readFrom).
 */
export function readNewLines(file: string, offset: number): { lines: string[]; offset: number } {
  const read = readFrom(file, offset);
  const end = read.text.lastIndexOf('\n') + 1;
  return { lines: end === 0 ? [] : read.text.slice(0, end - 1).split('\n'), offset: read.offset - Buffer.byteLength(read.text.slice(end)) };
}

/** Terminal output made readable: carriage returns resolved, then the safe-text rule (escape sequences and controls removed). */
export function cleanTerminalText(text: string): string {
  return safeText(
    text
      .replace(/\r+(\n|$)/g, '$1')
      // a bare carriage return redraws the line: keep what was drawn last
      .replace(/[^\n]*\r/g, ''),
  );
}

/**
 * Prints what is appended to a file from its current end on, polling every
 * 250 ms, until `untilMs` (unix ms) or the signal; survives truncation and
 * rotation. Bounded memory however long it runs.
 */
export async function followFile(file: string, onText: (text: string) => void, options: { untilMs?: number; signal?: AbortSignal } = {}): Promise<void> {
  let offset = 0;
  try {
    offset = lstatSync(file).size;
  } catch {
    // not there yet: follow from its first byte
  }
  const until = options.untilMs ?? Infinity;
  while (Date.now() < until && !options.signal?.aborted) {
    const next = readFrom(file, offset);
    offset = next.offset;
    if (next.text) onText(next.text);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** followFile, whole lines at a time: a line written in parts is handed on once it ends. */
export async function followLines(file: string, onLine: (line: string) => void, options: { untilMs?: number; signal?: AbortSignal } = {}): Promise<void> {
  let partial = '';
  await followFile(
    file,
    (text) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    },
    options,
  );
}
