/**
 * The phase gate, as plain lines in plain files (docs/PROTOCOL.md). Strict
 * about markers, tolerant of everything else: a marker counts only as a whole
 * line of its own, at the start of the line, outside code fences, naming the
 * current phase.
 */
import type { GateState } from '../state/gate-state.js';

export const CLAIM_PREFIX = 'GATE CLAIMED:';
export const PASS_PREFIX = 'VERDICT: PASS';
export const FAIL_PREFIX = 'VERDICT: FAIL';

export const claimLine = (phase: string): string => `${CLAIM_PREFIX} ${phase}`;
export const passLine = (phase: string): string => `${PASS_PREFIX} ${phase}`;
export const failLine = (phase: string): string => `${FAIL_PREFIX} ${phase}`;

export interface Claim {
  line: number;
}

export interface Verdict {
  line: number;
  pass: boolean;
  /** for a fail: the `- ` lines right below the verdict */
  reasons: string[];
}

/** Lines outside ``` and ~~~ fences, with their 1-based numbers. */
function liveLines(text: string): Array<{ text: string; line: number }> {
  const out: Array<{ text: string; line: number }> = [];
  let fence: string | null = null;
  text.split(/\r?\n/).forEach((raw, i) => {
    const marker = /^\s*(```|~~~)/.exec(raw)?.[1];
    if (marker) {
      fence = fence === null ? marker : fence === marker ? null : fence;
      return;
    }
    if (fence === null) out.push({ text: raw.replace(/\s+$/, ''), line: i + 1 });
  });
  return out;
}

/** Claims of the gate of `phase` in a journal. */
export function parseClaims(journal: string, phase: string): Claim[] {
  const want = claimLine(phase);
  return liveLines(journal)
    .filter((l) => l.text === want)
    .map((l) => ({ line: l.line }));
}

/** Verdicts on the gate of `phase` in a review, in order. */
export function parseVerdicts(review: string, phase: string): Verdict[] {
  const lines = liveLines(review);
  const verdicts: Verdict[] = [];
  lines.forEach((l, i) => {
    if (l.text === passLine(phase)) verdicts.push({ line: l.line, pass: true, reasons: [] });
    else if (l.text === failLine(phase)) {
      const reasons: string[] = [];
      for (let j = i + 1; j < lines.length; j++) {
        const next = lines[j]!;
        if (next.line !== lines[j - 1]!.line + 1 || !/^\s*[-*] \S/.test(next.text)) break;
        reasons.push(next.text.replace(/^\s*[-*] /, ''));
      }
      verdicts.push({ line: l.line, pass: false, reasons });
    }
  });
  return verdicts;
}

export type GateEvent =
  | { type: 'claimed'; line: number }
  | { type: 'pass'; line: number }
  | { type: 'fail'; line: number; reasons: string[] }
  | { type: 'ignored-verdict'; line: number; pass: boolean }
  | { type: 'ignored-claim'; line: number };

/**
 * Pure: the gate's next state from the files' current text. New claims open
 * the gate for review; a new verdict answers an open claim, or is ignored
 * (with an event) when there is none.
 */
export function stepGate(state: GateState, journal: string, review: string, phase: string): { state: GateState; events: GateEvent[] } {
  const claims = parseClaims(journal, phase);
  const verdicts = parseVerdicts(review, phase);
  const next: GateState = { ...state };
  const events: GateEvent[] = [];
  // files may be rewritten shorter: never count below what they hold
  next.claimsSeen = Math.min(next.claimsSeen, claims.length);
  next.verdictsSeen = Math.min(next.verdictsSeen, verdicts.length);

  // The two files share no clock, so new lines are taken in the order the
  // protocol makes them: a claim, then its verdict, then the next claim.
  const newClaims = claims.slice(next.claimsSeen);
  const newVerdicts = verdicts.slice(next.verdictsSeen);
  while (newClaims.length > 0 || newVerdicts.length > 0) {
    if (next.status === 'open' && newClaims.length > 0) {
      next.status = 'claimed';
      events.push({ type: 'claimed', line: newClaims.shift()!.line });
    } else if (next.status === 'claimed' && newVerdicts.length > 0) {
      const verdict = newVerdicts.shift()!;
      next.status = 'open';
      if (verdict.pass) {
        events.push({ type: 'pass', line: verdict.line });
        next.failStreak = 0;
      } else {
        events.push({ type: 'fail', line: verdict.line, reasons: verdict.reasons });
        next.failStreak += 1;
      }
    } else if (newVerdicts.length > 0) {
      const verdict = newVerdicts.shift()!;
      events.push({ type: 'ignored-verdict', line: verdict.line, pass: verdict.pass });
    } else {
      events.push({ type: 'ignored-claim', line: newClaims.shift()!.line });
    }
  }
  next.claimsSeen = claims.length;
  next.verdictsSeen = verdicts.length;
  return { state: next, events };
}
