import { closeSync, constants, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { sha256 } from './digest.js';
import { layout } from './layout.js';
import { FILE_MODE, openSafe, readTextCapped, writeAtomic } from './safe-fs.js';

/**
 * The hash chain of events.jsonl (docs/RECORD.md). Every line carries `seq`
 * (1, 2, 3…) and `prev`, the sha256 of the previous chained line's exact bytes
 * (its newline left out); the first line of a project names GENESIS. The head
 * (the last line's seq and hash) is kept beside the log in ledger-head.json,
 * written under the append lock after each line, so a reader (`ao status`, a
 * notification) gets it without reading the log, and an edit of the last line,
 * which no later line names yet, is still seen (`ao verify`, the watchdog's
 * start). When rotation drops the oldest file, ledger-anchor.json keeps the
 * seq and hash the oldest kept line follows.
 */

/** The `prev` of a project's first chained line. */
export const GENESIS = '0'.repeat(64);

/** A place in the chain: the seq of a line and the sha256 of its bytes (seq 0: nothing yet, GENESIS). */
export interface LedgerHead {
  seq: number;
  hash: string;
}

/** The head as written to disk, with where the log stood after that append (so the next append can trust it without a read). */
export interface StoredHead extends LedgerHead {
  size: number;
  ino: number;
}

export const EMPTY_HEAD: LedgerHead = { seq: 0, hash: GENESIS };

export const lineHash = (line: Buffer | string): string => sha256(line);

/** A line's own seq and prev, or null when it does not parse or carries none (an older ao's line, a torn one). */
export function chainOf(line: Buffer | string): { seq: number; prev: string } | null {
  let value: unknown;
  try {
    value = JSON.parse(line.toString());
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { seq, prev } = value as { seq?: unknown; prev?: unknown };
  return typeof seq === 'number' && Number.isInteger(seq) && seq > 0 && typeof prev === 'string' ? { seq, prev } : null;
}

const isHead = (value: unknown): value is LedgerHead => {
  const v = value as Partial<LedgerHead> | null;
  return typeof v === 'object' && v !== null && typeof v.seq === 'number' && Number.isInteger(v.seq) && v.seq >= 0 && typeof v.hash === 'string';
};

function readJson(file: string): unknown {
  try {
    const text = readTextCapped(file, 64 * 1024);
    return text === null ? null : JSON.parse(text);
  } catch {
    return null; // torn, foreign or bad: as if missing (the log itself is the fallback)
  }
}

/** The head last written beside the log, or null when there is none (an older ao, a fresh project). */
export function readStoredHead(stateDir: string): StoredHead | null {
  const value = readJson(layout.ledgerHead(stateDir));
  if (!isHead(value)) return null;
  const v = value as Partial<StoredHead> & LedgerHead;
  return { seq: v.seq, hash: v.hash, size: typeof v.size === 'number' ? v.size : -1, ino: typeof v.ino === 'number' ? v.ino : -1 };
}

/** The head a witness carries (`ao status --json`, a notification): the stored one, else the log's last chained line, else null. */
export function ledgerHead(stateDir: string): LedgerHead | null {
  const stored = readStoredHead(stateDir);
  if (stored) return { seq: stored.seq, hash: stored.hash };
  return lastChained(layout.events(stateDir)) ?? lastChained(`${layout.events(stateDir)}.1`);
}

/** The head file's one size: each write overwrites all of it in place. */
const HEAD_WIDTH = 256;

/**
 * Writes the head in place, one fixed-width pwrite (under the events lock):
 * a temp file and a rename cost five times the append itself. No fsync, and a
 * reader that catches it half-written reads no head and falls back to the
 * log's last line: the log is the truth, the head its cheap copy. Never
 * through a link.
 */
export function writeStoredHead(stateDir: string, head: StoredHead): void {
  const text = `${JSON.stringify(head).padEnd(HEAD_WIDTH - 1)}\n`;
  const fd = openSync(layout.ledgerHead(stateDir), constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, FILE_MODE);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error(`${layout.ledgerHead(stateDir)} is not a regular file`);
    writeSync(fd, text, 0);
    if (stat.size > HEAD_WIDTH) ftruncateSync(fd, HEAD_WIDTH);
  } finally {
    closeSync(fd);
  }
}

/** Where the oldest kept line follows on, once rotation has dropped what came before it; null while nothing was dropped. */
export function readAnchor(stateDir: string): LedgerHead | null {
  const value = readJson(layout.ledgerAnchor(stateDir));
  return isHead(value) ? { seq: value.seq, hash: value.hash } : null;
}

export function writeAnchor(stateDir: string, anchor: LedgerHead): void {
  writeAtomic(layout.ledgerAnchor(stateDir), `${JSON.stringify(anchor)}\n`, { fsync: false });
}

/** How far back from the end a last chained line is looked for (a torn tail or long lines before it). */
const TAIL_SCAN = 1024 * 1024;

/**
 * The seq and hash of a file's last chained line, read backwards from the end
 * as bytes (the hash is of the exact bytes); a torn last line, or an older
 * ao's, is passed over. Null when the file is missing or holds none.
 */
export function lastChained(file: string, fd?: number): LedgerHead | null {
  let own: number | null = null;
  if (fd === undefined) {
    try {
      own = openSafe(file, constants.O_RDONLY);
    } catch {
      return null;
    }
  }
  const handle = fd ?? own!;
  try {
    const size = fstatSync(handle).size;
    let carry = Buffer.alloc(0);
    const chunk = 64 * 1024;
    for (let start = size; start > 0 && size - start < TAIL_SCAN; ) {
      const length = Math.min(chunk, start);
      start -= length;
      const buffer = Buffer.alloc(length);
      readSync(handle, buffer, 0, length, start);
      carry = Buffer.concat([buffer, carry]);
      // every whole line inside carry, newest first; the first may be partial unless start is 0
      let stop = carry.length;
      for (let nl = carry.lastIndexOf(0x0a, stop - 1); ; nl = carry.lastIndexOf(0x0a, stop - 1)) {
        if (nl < 0 && start > 0) break;
        const line = carry.subarray(nl + 1, stop);
        const chain = line.length > 0 ? chainOf(line) : null;
        if (chain) return { seq: chain.seq, hash: lineHash(line) };
        if (nl < 0) break;
        stop = nl;
      }
      carry = carry.subarray(0, stop);
    }
    return null;
  } finally {
    if (own !== null) closeSync(own);
  }
}
