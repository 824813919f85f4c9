// The types of bench/soak-checks.mjs, for its unit test (tests/unit/bench/soak-checks.test.ts).

export interface Row {
  figure: string;
  value: string;
  expect: string;
  /** null: a figure shown without a verdict */
  ok: boolean | null;
}

export interface StatusSample {
  at: number;
  ms: number;
  timedOut?: boolean;
  parsed: boolean;
  phase?: number | null;
  states?: Record<string, string>;
  failed?: { name: string; detail: string | null }[];
  load?: number;
  error?: string;
}

/** What the checker reads of the soak's state (bench/soak's `S`). */
export interface SoakState {
  opts: { restartSec: number };
  runId: string;
  dir: string;
  stateDir: string;
  agents: string[];
  /** each agent's min_iteration_s; null for an agent that is not a loop */
  loopMins: Record<string, number | null>;
  standins: Record<string, { requests: { model: boolean }[] } | null>;
  stallS: number;
  cpus: number;
  records: {
    status: StatusSample[];
    kills: { at: number; why: string; agent: string | null; comm: string | null; healed: boolean; ms: number | null; healBy: number | null }[];
    watchdog: { at: number; pid: number | null; comm: string | null; back: boolean; ms: number | null; byHand?: boolean }[];
    killServer: {
      at: number;
      back: boolean;
      ms: number | null;
      phaseBefore: number | null;
      phaseAfter: number | null;
      iterationsBefore: Record<string, number>;
      iterationsAfter: Record<string, number>;
    }[];
    sends: { at: number; agent: string; id: string; code: number; error?: string | null }[];
    restarts: { at: number; agent: string; code: number | null; ms: number; runs: boolean }[];
    toml: { from: number; to: number | null; reportedMs: number | null; clearedMs: number | null }[];
    added: { at: number; agent: string; ms: number | null }[];
    disk: { from: number | null; to: number | null; skipped: string | null }[];
    provider: { mood: string; from: number; to: number | null }[];
    upWait: { at: number; code: number | null; plain?: boolean; rssKb?: number[] }[];
    down?: { code: number };
  };
  seenPids: Map<number, unknown>;
  leftovers?: string[];
  final?: { complete: boolean; phase?: { id: string; index: number; count: number }; agents: { name: string; state: string; detail?: string | null }[] } | null;
}

export function check(S: SoakState): { ok: boolean; rows: Row[] };
export function printTable(rows: Row[]): void;
