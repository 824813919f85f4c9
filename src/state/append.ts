import { fstatSync, ftruncateSync, writeSync } from 'node:fs';

/**
 * Appends `text` (one or more whole lines) to a file opened for appending
 * whose size was `size` just before, with one write(). A write that fails, or
 * writes only part of the text (a full disk, a quota), is undone: the file is
 * cut back to `size`, so no torn line is left for the next append to follow.
 * Throws what went wrong (a short write as ENOSPC).
 */
export function appendWhole(fd: number, size: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let written = 0;
  try {
    written = writeSync(fd, bytes, 0, bytes.length);
  } catch (error) {
    // a failed write() wrote nothing
    throw error;
  }
  if (written === bytes.length) return;
  undo(fd, size, written);
  throw Object.assign(new Error(`ENOSPC: short write, ${written} of ${bytes.length} bytes; undone`), { code: 'ENOSPC' });
}

/** Cuts the file back to `size` when what follows it is exactly our own `written` bytes (another writer's line after them is left alone). */
function undo(fd: number, size: number, written: number): void {
  try {
    if (written > 0 && fstatSync(fd).size === size + written) ftruncateSync(fd, size);
  } catch {
    // the next append's newline prefix keeps its own line whole
  }
}
