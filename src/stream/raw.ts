/**
 * The raw stream of a one-shot agent's current iteration, kept in the state
 * folder (`state/streams/<agent>.jsonl`, the previous iterations as
 * `<agent>.jsonl.1` … `.3`) and capped in size: past the cap only the last
 * line is kept, so the final `result` event (usage, cost, errors) survives
 * however long the run talked.
 */
import { closeSync, lstatSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensureDir, openTruncate } from '../state/safe-fs.js';

/** lstat's size, or null when nothing is there: a planted link is moved along as a link, never followed. */
function sizeOf(file: string): number | null {
  try {
    return lstatSync(file).size;
  } catch {
    return null;
  }
}

export const rawStreamFile = (stateDir: string, agent: string): string => join(stateDir, 'streams', `${agent}.jsonl`);

export const RAW_KEEP = 3;
export const RAW_MAX_BYTES = 16 * 1024 * 1024;

/** A new iteration begins: the last one's stream becomes `.1`, `.1` becomes `.2`, … up to `keep`. */
export function rotateRaw(file: string, keep = RAW_KEEP): void {
  const size = sizeOf(file);
  if (size === null || size === 0) return;
  for (let i = keep - 1; i >= 1; i--) if (sizeOf(`${file}.${i}`) !== null) renameSync(`${file}.${i}`, `${file}.${i + 1}`);
  renameSync(file, `${file}.1`);
}

export interface RawWriter {
  /** one whole line, its newline included */
  line(text: string): void;
  close(): void;
}

export function openRaw(file: string, maxBytes = RAW_MAX_BYTES): RawWriter {
  ensureDir(dirname(file));
  rotateRaw(file);
  const fd = openTruncate(file);
  let written = 0;
  let held: string | null = null;
  let skipped = 0;
  return {
    line(text: string): void {
      const size = Buffer.byteLength(text);
      if (held === null && written + size <= maxBytes) {
        writeSync(fd, text);
        written += size;
        return;
      }
      if (held !== null) skipped += 1;
      held = text;
    },
    close(): void {
      if (skipped > 0) writeSync(fd, `${JSON.stringify({ type: 'ao_raw_cut', skipped_lines: skipped, max_bytes: maxBytes })}\n`);
      if (held !== null) writeSync(fd, held);
      closeSync(fd);
    },
  };
}
