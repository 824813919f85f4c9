/**
 * The phase gate, as plain lines in plain files (docs/PROTOCOL.md). Strict
 * about markers, tolerant of everything else: a marker counts only as a whole
 * line of its own, at the start of the line, outside code fences, naming the
 * current phase. Where the builder works in a git worktree the gate is bound
 * to a commit: a claim and its verdict name the same commit after the phase
 * (`GATE CLAIMED: <phase> <sha>`), which git resolves outside this module
 * (the facts come in as `CommitFacts`).
 */
import type { GateState } from '../state/gate-state.js';

export const CLAIM_PREFIX = 'GATE CLAIMED:';
export const PASS_PREFIX = 'VERDICT: PASS';
export const FAIL_PREFIX = 'VERDICT: FAIL';

export const claimLine = (phase: string): string => `${CLAIM_PREFIX} ${phase}`;
export const passLine = (phase: string): string => `${PASS_PREFIX} ${phase}`;
export const failLine = (phase: string): string => `${FAIL_PREFIX} ${phase}`;

export const claimAt = (phase: string, sha: string): string => `${claimLine(phase)} ${sha}`;
export const passAt = (phase: string, sha: string): string => `${passLine(phase)} ${sha}`;
export const failAt = (phase: string, sha: string): string => `${failLine(phase)} ${sha}`;

export interface Claim {
  line: number;
  /** the commit the line names after the phase (`commits` parsing only), as written */
  token?: string;
}

export interface Verdict {
  line: number;
  pass: boolean;
  /** for a fail: the `- ` lines right below the verdict */
  reasons: string[];
  /** the commit the line names after the phase (`commits` parsing only), as written */
  token?: string;
}

/** What git says of a commit a gate line names: its full SHA (and whether it is on the builder's branch), or why there is none. */
export type CommitFact = { sha: string; onBranch: boolean } | { problem: string };

/** A commit-bound gate's facts: each token of a new claim or verdict, resolved (src/workspace/commit-gate.ts gathers them). */
export interface CommitFacts {
  /** the builder's branch, for messages */
  branch: string;
  commits: ReadonlyMap<string, CommitFact>;
}

/** The marker at the start of a line, then the end or one word after a space: `marker` alone, or `marker <token>`. */
function markerToken(text: string, marker: string, commits: boolean): { token?: string } | null {
  if (text === marker) return {};
  if (!commits || !text.startsWith(`${marker} `)) return null;
  const token = text.slice(marker.length + 1);
  return /^\S+$/.test(token) ? { token } : null;
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

/** Claims of the gate of `phase` in a journal; with `commits`, also the lines that name a commit after the phase. */
export function parseClaims(journal: string, phase: string, commits = false): Claim[] {
  const want = claimLine(phase);
  return liveLines(journal).flatMap((l) => {
    const found = markerToken(l.text, want, commits);
    return found ? [{ line: l.line, ...found }] : [];
  });
}

/** Verdicts on the gate of `phase` in a review, in order; with `commits`, also the lines that name a commit after the phase. */
export function parseVerdicts(review: string, phase: string, commits = false): Verdict[] {
  const lines = liveLines(review);
  const verdicts: Verdict[] = [];
  lines.forEach((l, i) => {
    const pass = markerToken(l.text, passLine(phase), commits);
    const fail = pass ? null : markerToken(l.text, failLine(phase), commits);
    if (pass) verdicts.push({ line: l.line, pass: true, reasons: [], ...pass });
    else if (fail) {
      const reasons: string[] = [];
      for (let j = i + 1; j < lines.length; j++) {
        const next = lines[j]!;
        if (next.line !== lines[j - 1]!.line + 1 || !/^\s*[-*] \S/.test(next.text)) break;
        reasons.push(next.text.replace(/^\s*[-*] /, ''));
      }
      verdicts.push({ line: l.line, pass: false, reasons, ...fail });
    }
  });
  return verdicts;
}

/** The tokens of the claims and verdicts past what the gate has acted upon: what git must resolve for the next step. */
export function newTokens(state: GateState, journal: string, review: string, phase: string): { claims: string[]; verdicts: string[] } {
  const tokens = (lines: Array<{ token?: string }>): string[] => lines.flatMap((l) => (l.token === undefined ? [] : [l.token]));
  return {
    claims: tokens(parseClaims(journal, phase, true).slice(state.claimsSeen)),
    verdicts: tokens(parseVerdicts(review, phase, true).slice(state.verdictsSeen)),
  };
}

export type GateEvent =
  | { type: 'claimed'; line: number; sha?: string }
  | { type: 'pass'; line: number; sha?: string }
  | { type: 'fail'; line: number; reasons: string[]; sha?: string }
  | { type: 'ignored-verdict'; line: number; pass: boolean }
  | { type: 'ignored-claim'; line: number }
  | { type: 'refused-claim'; line: number; reason: string }
  | { type: 'refused-verdict'; line: number; pass: boolean; reason: string };

/** The commit a claim names, or why it does not count (a commit-bound gate). */
function claimedCommit(claim: Claim, phase: string, facts: CommitFacts): { sha: string } | { reason: string } {
  if (claim.token === undefined) return { reason: `it names no commit: a claim is \`${claimLine(phase)} <sha>\`, the commit on ${facts.branch} to review` };
  const fact = facts.commits.get(claim.token);
  if (!fact) return { reason: `${claim.token} could not be looked up in the repository` };
  if ('problem' in fact) return { reason: fact.problem };
  if (!fact.onBranch) return { reason: `${claim.token} is not a commit on the builder's branch ${facts.branch}` };
  return { sha: fact.sha };
}

/** Why a verdict does not answer the open claim on `sha`, or null when it does. */
function verdictProblem(verdict: Verdict, phase: string, sha: string, facts: CommitFacts): string | null {
  const form = verdict.pass ? passLine(phase) : failLine(phase);
  if (verdict.token === undefined) return `it names no commit: the open claim is on ${sha}, so the verdict is \`${form} ${sha}\``;
  const fact = facts.commits.get(verdict.token);
  if (!fact || 'problem' in fact) return `${verdict.token} names no commit in the repository; the open claim is on ${sha}`;
  return fact.sha === sha ? null : `it names ${fact.sha}, but the open claim is on ${sha}`;
}

/**
 * Pure: the gate's next state from the files' current text. New claims open
 * the gate for review; a new verdict answers an open claim, or is ignored
 * (with an event) when there is none. With `facts` the gate is bound to a
 * commit: a claim counts only with a commit on the builder's branch, and a
 * verdict only when it names that same commit.
 */
export function stepGate(
  state: GateState,
  journal: string,
  review: string,
  phase: string,
  facts: CommitFacts | null = null,
): { state: GateState; events: GateEvent[] } {
  const claims = parseClaims(journal, phase, facts !== null);
  const verdicts = parseVerdicts(review, phase, facts !== null);
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
      const claim = newClaims.shift()!;
      const commit = facts ? claimedCommit(claim, phase, facts) : null;
      if (commit && 'reason' in commit) {
        events.push({ type: 'refused-claim', line: claim.line, reason: commit.reason });
        continue;
      }
      next.status = 'claimed';
      if (commit) next.claimSha = commit.sha;
      events.push({ type: 'claimed', line: claim.line, ...(commit ? { sha: commit.sha } : {}) });
    } else if (next.status === 'claimed' && newVerdicts.length > 0) {
      const verdict = newVerdicts.shift()!;
      const sha = facts ? (next.claimSha ?? '') : null;
      const problem = sha === null || facts === null ? null : verdictProblem(verdict, phase, sha, facts);
      if (problem !== null) {
        events.push({ type: 'refused-verdict', line: verdict.line, pass: verdict.pass, reason: problem });
        continue;
      }
      next.status = 'open';
      next.claimSha = null;
      const on = sha === null ? {} : { sha };
      if (verdict.pass) {
        events.push({ type: 'pass', line: verdict.line, ...on });
        next.failStreak = 0;
      } else {
        events.push({ type: 'fail', line: verdict.line, reasons: verdict.reasons, ...on });
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
