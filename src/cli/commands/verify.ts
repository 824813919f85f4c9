import { UsageError } from '../../errors.js';
import { verifyStateDir } from '../../state/ledger-read.js';
import type { LedgerHead } from '../../state/ledger.js';
import type { VerifyResult } from '../../state/ledger-verify.js';
import { jsonText } from '../../text/safe.js';
import { openProjectOrRunning } from '../context.js';
import type { GlobalOptions, Io } from '../io.js';

export interface VerifyOptions extends GlobalOptions {
  json?: boolean;
  /** `SEQ:HASH`, a head written down elsewhere (a notification, `ao status --json` kept by a monitor) */
  head?: string;
}

/** `SEQ:HASH` as a head; a malformed one is a usage error (exit 2). */
export function parseHead(text: string): LedgerHead {
  const match = /^(\d+):([0-9a-f]{64})$/i.exec(text.trim());
  if (!match || Number(match[1]) < 1)
    throw new UsageError(
      `--head ${JSON.stringify(text)}: expected SEQ:HASH, a seq from 1 and a sha256 in 64 hex digits (as ao status --json's ledger gives them)`,
    );
  return { seq: Number(match[1]), hash: match[2]!.toLowerCase() };
}

/** What a person reads: intact and its head, or the first break, where and what. */
export function verifyText(result: VerifyResult): string {
  const lines: string[] = [];
  if (result.break) {
    const b = result.break;
    lines.push(`ledger broken at ${b.file}:${b.line}${b.seq === null ? '' : ` (seq ${b.seq})`}: ${b.message}`);
  } else if (result.head) {
    lines.push(`ledger intact: seq ${result.first} to ${result.head.seq}, ${result.events} events; head ${result.head.seq}:${result.head.hash}`);
  } else lines.push('ledger intact: no chained event yet');
  if (result.unchained > 0)
    lines.push(`${result.unchained} line${result.unchained === 1 ? '' : 's'} of an older ao before the chain begins (not covered by it)`);
  if (result.expected?.held) lines.push(`the head given, seq ${result.expected.seq}, is held`);
  if (result.expected?.note) lines.push(result.expected.note);
  if (result.note) lines.push(result.note);
  return `${lines.join('\n')}\n`;
}

/** `ao verify [--json] [--head SEQ:HASH]`: whether the ledger is intact; exit 0 intact, 1 at the first break. */
export async function verify(options: VerifyOptions, io: Io): Promise<number> {
  const expect = options.head === undefined ? null : parseHead(options.head);
  const { project } = openProjectOrRunning(options, io);
  const result = verifyStateDir(project.stateDir, expect);
  io.out(options.json ? `${jsonText(result, 2)}\n` : verifyText(result));
  return result.intact ? 0 : 1;
}
