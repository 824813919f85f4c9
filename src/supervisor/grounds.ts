/**
 * What a phase advance rests on, by seq: the watchdog notes the seq of each
 * gate claim and pass verdict as it writes them, and a `phase-advance` (or the
 * gate's `complete`) written after gets `claim_seq` and `verdict_seq`, so
 * `ao verify` can check that every advance rests on a recorded claim and pass.
 * A claim recorded before this watchdog started is found in the log.
 */
import type { EventRecord } from '../state/events.js';
import { readEvents, type LoggedEvent } from '../state/events.js';
import type { LedgerHead } from '../state/ledger.js';

interface Gate {
  claim?: number;
  verdict?: number;
}

const phaseOf = (details: unknown): string | undefined => {
  const phase = (details as { phase?: unknown } | undefined)?.phase;
  return typeof phase === 'string' ? phase : undefined;
};

/** Whether an event is a move of the gate (not `ao phase next`'s complete, which names who moved it). */
export const isGateMove = (e: { event: string; agent: string; details?: unknown }): boolean =>
  e.agent === 'phase' && (e.event === 'phase-advance' || e.event === 'complete') && typeof (e.details as { from?: unknown } | undefined)?.from === 'string';

export class Grounds {
  private readonly gates = new Map<string, Gate>();

  constructor(private readonly stateDir: () => string) {}

  /** A line was written at `head.seq`: a claim opens a gate's grounds anew, a pass verdict completes them. */
  written(record: EventRecord, head: LedgerHead): void {
    const phase = phaseOf(record.details);
    if (record.agent !== 'phase' || phase === undefined) return;
    if (record.event === 'gate-claimed') this.gates.set(phase, { claim: head.seq });
    else if (record.event === 'gate-pass') this.gates.set(phase, { ...this.gates.get(phase), verdict: head.seq });
  }

  /** The record as it is written: a gate's move gets the seqs of the claim and verdict it rests on. */
  ground(record: EventRecord): EventRecord {
    if (!isGateMove(record)) return record;
    const from = (record.details as { from: string }).from;
    const gate = this.gates.get(from) ?? {};
    const claim = gate.claim ?? this.logged('gate-claimed', from);
    const verdict = gate.verdict ?? this.logged('gate-pass', from);
    return { ...record, details: { ...record.details, ...(claim ? { claim_seq: claim } : {}), ...(verdict ? { verdict_seq: verdict } : {}) } } as EventRecord;
  }

  /** The seq of the newest such event of the phase in the log, if it holds one. */
  private logged(event: string, phase: string): number | undefined {
    try {
      const found = readEvents(
        this.stateDir(),
        1,
        (e: LoggedEvent) => e.event === event && e.agent === 'phase' && phaseOf(e.details) === phase && typeof e.seq === 'number',
      );
      return found[0]?.seq;
    } catch {
      return undefined;
    }
  }
}
