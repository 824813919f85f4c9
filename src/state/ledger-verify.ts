import { chainOf, GENESIS, lineHash, type LedgerHead } from './ledger.js';

/**
 * Pure: whether a ledger (events.jsonl and its rotated files, oldest first) is
 * intact, and where it first breaks. `ao verify` reads the files and prints
 * this; the watchdog's start runs it on the tail. Lines of an older ao (no
 * seq, no prev) before the first chained line are counted, not judged: the
 * chain begins at its first line (docs/RECORD.md).
 */

/** What a break looks like: a line changed, missing, added, out of order, cut short, or the whole chain made anew. */
export type BreakKind = 'edited' | 'deleted' | 'inserted' | 'reordered' | 'torn' | 'rewritten' | 'ungrounded';

export interface LedgerBreak {
  kind: BreakKind;
  /** the file's name as given (events.jsonl.2 …) */
  file: string;
  /** 1-based line number in that file */
  line: number;
  /** the seq of the line where the break is seen, null when it has none (a torn line) */
  seq: number | null;
  message: string;
}

export interface LedgerFile {
  name: string;
  bytes: Buffer;
}

export interface VerifyInput {
  files: LedgerFile[];
  /** ledger-anchor.json: the seq and hash the oldest kept line follows after rotation dropped older files */
  anchor?: LedgerHead | null;
  /** ledger-head.json: the head its last append wrote (catches an edited or cut last line) */
  stored?: LedgerHead | null;
  /** a head written down elsewhere (`--head SEQ:HASH`): the ledger must still hold it */
  expect?: LedgerHead | null;
  /** a tail of the log (the watchdog's start): its first chained line is taken as it is, whatever its seq */
  tailOnly?: boolean;
  /** also called with each chained line, parsed, for checks of what the events say (a phase advance's grounds) */
  onEvent?: (event: ChainedEvent) => LedgerBreak | null;
}

export interface ChainedEvent {
  seq: number;
  file: string;
  line: number;
  value: Record<string, unknown>;
}

export interface VerifyResult {
  intact: boolean;
  /** chained lines read */
  events: number;
  /** lines of an older ao before the chain begins */
  unchained: number;
  /** the first and last seq read; null when no line is chained */
  first: number | null;
  head: LedgerHead | null;
  /** what `expect` found: true when the ledger holds that entry */
  expected?: { seq: number; hash: string; held: boolean; note?: string };
  /** ledger-head.json names an earlier seq than the log's last line (a writer died between its line and its head): said, not a break */
  note?: string;
  break?: LedgerBreak;
}

interface Line {
  file: string;
  line: number;
  bytes: Buffer;
  /** the file's last bytes, with no newline after them */
  last: boolean;
}

function* linesOf(files: LedgerFile[]): Generator<Line> {
  for (const { name, bytes } of files) {
    let start = 0;
    for (let n = 1; start < bytes.length; n++) {
      const nl = bytes.indexOf(0x0a, start);
      const end = nl < 0 ? bytes.length : nl;
      yield { file: name, line: n, bytes: bytes.subarray(start, end), last: nl < 0 };
      start = end + 1;
    }
  }
}

const at = (l: Line, seq: number | null, kind: BreakKind, message: string): LedgerBreak => ({ kind, file: l.file, line: l.line, seq, message });

export function verifyLedger(input: VerifyInput): VerifyResult {
  const lines = [...linesOf(input.files)];
  let unchained = 0;
  let events = 0;
  let first: number | null = null;
  let previous: { line: Line; seq: number; hash: string } | null = null;
  let expected: VerifyResult['expected'];
  const result = (extra: Partial<VerifyResult>): VerifyResult => ({
    intact: extra.break === undefined,
    events,
    unchained,
    first,
    head: previous ? { seq: previous.seq, hash: previous.hash } : null,
    ...(expected ? { expected } : {}),
    ...extra,
  });
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.bytes.length === 0) return result({ break: at(l, null, 'inserted', 'a blank line inside the ledger') });
    let value: unknown;
    try {
      value = JSON.parse(l.bytes.toString('utf8'));
    } catch {
      const where = l.last ? 'the last line is cut short (no newline; it does not parse)' : 'the line does not parse';
      return result({ break: at(l, null, 'torn', `torn: ${where}`) });
    }
    const chain = chainOf(l.bytes);
    if (!chain) {
      if (previous === null) {
        unchained++; // an older ao's line, before the chain begins
        continue;
      }
      return result({ break: at(l, null, 'inserted', `inserted: a line without seq/prev after seq ${previous.seq}`) });
    }
    const hash = lineHash(l.bytes);
    if (previous === null && input.tailOnly) {
      first = chain.seq;
    } else if (previous === null) {
      first = chain.seq;
      if (chain.seq === 1 && chain.prev !== GENESIS)
        return result({ break: at(l, 1, 'edited', `edited: seq 1 names prev ${short(chain.prev)}, not the genesis value`) });
      if (chain.seq > 1) {
        const anchor = input.anchor;
        if (!anchor || anchor.seq !== chain.seq - 1 || anchor.hash !== chain.prev)
          return result({
            break: at(
              l,
              chain.seq,
              'deleted',
              `deleted: the ledger begins at seq ${chain.seq}; seq 1 to ${chain.seq - 1} are missing and ${anchor ? `ledger-anchor.json names seq ${anchor.seq} ${short(anchor.hash)}, not what this line follows` : 'no rotation anchor (ledger-anchor.json) says they were rotated away'}`,
            ),
          });
      }
    } else {
      const want = previous.seq + 1;
      if (chain.seq > want) {
        const next = lines[i + 1] ? chainOf(lines[i + 1]!.bytes) : null;
        if (next?.seq === want) return result({ break: at(l, chain.seq, 'reordered', `reordered: seq ${chain.seq} comes before seq ${want}`) });
        const gap = chain.seq - 1 === want ? `seq ${want} is missing` : `seq ${want} to ${chain.seq - 1} are missing`;
        return result({ break: at(l, chain.seq, 'deleted', `deleted: ${gap} (seq ${previous.seq} is followed by seq ${chain.seq})`) });
      }
      if (chain.seq < want)
        return result({ break: at(l, chain.seq, 'inserted', `inserted: seq ${chain.seq} appears after seq ${previous.seq}`) });
      if (chain.prev !== previous.hash) {
        const p = previous.line;
        return result({
          break: {
            kind: 'edited',
            file: p.file,
            line: p.line,
            seq: previous.seq,
            message: `edited: seq ${previous.seq} hashes to ${short(previous.hash)}, but seq ${chain.seq} (${l.file}:${l.line}) follows ${short(chain.prev)}`,
          },
        });
      }
    }
    const expect = input.expect;
    if (expect && expect.seq === chain.seq) {
      expected = { seq: expect.seq, hash: expect.hash, held: hash === expect.hash };
      if (hash !== expect.hash)
        return result({
          break: at(l, chain.seq, 'rewritten', `rewritten: seq ${chain.seq} hashes to ${short(hash)}, not ${short(expect.hash)} as the head given says`),
        });
    }
    events++;
    previous = { line: l, seq: chain.seq, hash };
    if (input.onEvent) {
      const broke = input.onEvent({ seq: chain.seq, file: l.file, line: l.line, value: value as Record<string, unknown> });
      if (broke) return result({ break: broke });
    }
  }
  return result(tail(input, previous, first, (e) => (expected = e)));
}

/** The checks at the end: the stored head against the last line, the head given against what the ledger holds. */
function tail(
  input: VerifyInput,
  previous: { line: Line; seq: number; hash: string } | null,
  first: number | null,
  setExpected: (e: NonNullable<VerifyResult['expected']>) => void,
): Partial<VerifyResult> {
  const last = previous?.seq ?? 0;
  const place = previous ? { file: previous.line.file, line: previous.line.line } : { file: input.files.at(-1)?.name ?? 'events.jsonl', line: 0 };
  const stored = input.stored;
  let note: string | undefined;
  if (stored && previous && stored.seq === last && stored.hash !== previous.hash)
    return {
      break: { kind: 'edited', ...place, seq: last, message: `edited: the last line, seq ${last}, hashes to ${short(previous.hash)}, not ${short(stored.hash)} as ledger-head.json recorded` },
    };
  if (stored && stored.seq > last)
    return {
      break: { kind: 'deleted', ...place, seq: previous ? last : null, message: `deleted: the ledger ends at seq ${last}, but ledger-head.json recorded seq ${stored.seq}` },
    };
  if (stored && stored.seq < last) note = `ledger-head.json names seq ${stored.seq}, behind the last line's seq ${last} (a writer stopped between its line and its head)`;
  const expect = input.expect;
  if (expect && expect.seq > last) {
    setExpected({ seq: expect.seq, hash: expect.hash, held: false });
    return {
      break: { kind: 'deleted', ...place, seq: previous ? last : null, message: `deleted: the ledger ends at seq ${last}, but the head given is seq ${expect.seq}` },
    };
  }
  if (expect && (first === null || expect.seq < first))
    setExpected({ seq: expect.seq, hash: expect.hash, held: false, note: `seq ${expect.seq} is older than the oldest line kept (seq ${first ?? 'none'}): rotated away, not checked` });
  return note ? { note } : {};
}

const short = (hash: string): string => hash.slice(0, 12);

/**
 * The check of what the events say: every phase advance (and the gate's
 * `complete`; `ao phase next|set` name who moved it and rest on no gate)
 * names the seqs of a recorded claim and pass verdict of the phase it leaves,
 * in that order, before it. A seq older than the oldest kept line was rotated
 * away and is taken as it is.
 */
export function groundsCheck(): (e: ChainedEvent) => LedgerBreak | null {
  const gates = new Map<number, { event: string; phase: unknown }>();
  let first: number | null = null;
  return ({ seq, file, line, value }) => {
    first ??= seq;
    const details = (typeof value.details === 'object' && value.details !== null ? value.details : {}) as Record<string, unknown>;
    if (value.agent !== 'phase') return null;
    if (value.event === 'gate-claimed' || value.event === 'gate-pass') gates.set(seq, { event: value.event, phase: details.phase });
    const move = value.event === 'phase-advance' || (value.event === 'complete' && details.by === undefined);
    if (!move) return null;
    const from = details.from;
    const broke = (why: string): LedgerBreak => ({ kind: 'ungrounded', file, line, seq, message: `ungrounded: the ${String(value.event)} at seq ${seq} ${why}` });
    const rests = (key: 'claim_seq' | 'verdict_seq', event: string): LedgerBreak | null => {
      const at = details[key];
      if (typeof at !== 'number' || !Number.isInteger(at)) return broke(`names no ${key}`);
      if (at >= seq) return broke(`names ${key} ${at}, not before it`);
      if (first !== null && at < first) return null; // rotated away
      const gate = gates.get(at);
      if (gate?.event !== event || gate.phase !== from) return broke(`names ${key} ${at}, which is not a ${event} of phase ${String(from)}`);
      return null;
    };
    const problem = rests('claim_seq', 'gate-claimed') ?? rests('verdict_seq', 'gate-pass');
    if (problem) return problem;
    if ((details.claim_seq as number) > (details.verdict_seq as number)) return broke('names a claim after its verdict');
    return null;
  };
}
