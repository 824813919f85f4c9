import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { layout } from './layout.js';
import { readAnchor, readStoredHead, type LedgerHead } from './ledger.js';
import { groundsCheck, verifyLedger, type ChainedEvent, type LedgerBreak, type LedgerFile, type VerifyResult } from './ledger-verify.js';
import { readBytesCapped, readTail } from './safe-fs.js';

/** The most a ledger file is read whole (a rotated file is about 5 MB; a larger one was not written by ao's rotation). */
const FILE_CAP = 1024 * 1024 * 1024;

/** events.jsonl and its rotated files, oldest first, as they are on disk. */
export function ledgerFiles(stateDir: string): string[] {
  const base = layout.events(stateDir);
  return [`${base}.3`, `${base}.2`, `${base}.1`, base].filter((f) => existsSync(f));
}

/** Reads the whole ledger and verifies it (`ao verify`, `ao bundle`). */
export function verifyStateDir(stateDir: string, expect: LedgerHead | null = null, onEvent: (e: ChainedEvent) => LedgerBreak | null = groundsCheck()): VerifyResult {
  const files: LedgerFile[] = ledgerFiles(stateDir).map((f) => ({ name: basename(f), bytes: readBytesCapped(f, FILE_CAP) ?? Buffer.alloc(0) }));
  return verifyLedger({ files, anchor: readAnchor(stateDir), stored: readStoredHead(stateDir), expect, onEvent });
}

/** How much of the log the watchdog's start reads: its tail, not the whole ledger. */
const TAIL_BYTES = 256 * 1024;

/**
 * The watchdog's check at its start: the log's newest lines chain one to the
 * next and the last one is the head ledger-head.json recorded. Cheap (one
 * bounded read); the whole ledger is `ao verify`'s.
 */
export function checkLedgerTail(stateDir: string): LedgerBreak | null {
  const file = layout.events(stateDir);
  const tail = readTail(file, TAIL_BYTES);
  if (tail === null) {
    const stored = readStoredHead(stateDir);
    // a head with no log: the log was removed (a rotation leaves events.jsonl.1)
    return stored && stored.seq > 0 && !existsSync(`${file}.1`)
      ? { kind: 'deleted', file: 'events.jsonl', line: 0, seq: null, message: `deleted: events.jsonl is gone, but ledger-head.json recorded seq ${stored.seq}` }
      : null;
  }
  let bytes = Buffer.from(tail.text, 'utf8');
  // a line cut by the read's start is left out; its line number is unknown, so lines count from the first whole one
  let skipped = 0;
  if (tail.start > 0) {
    const nl = bytes.indexOf(0x0a);
    bytes = nl < 0 ? Buffer.alloc(0) : bytes.subarray(nl + 1);
    skipped = 1;
  }
  const result = verifyLedger({ files: [{ name: 'events.jsonl', bytes }], stored: readStoredHead(stateDir), tailOnly: true });
  if (result.intact || !result.break) return null;
  return skipped ? { ...result.break, line: 0, message: `${result.break.message} (in the last ${TAIL_BYTES / 1024} KB)` } : result.break;
}
