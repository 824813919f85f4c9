/**
 * Token usage and cost per iteration: `state/usage.jsonl`, one line per
 * iteration that ended, appended as a single write (a torn last line gets
 * a newline before the next record and is skipped by readers). Never
 * rotated: a line is ~250 bytes, a week of one-minute iterations ~3 MB, and
 * totals need every line.
 */
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
/** One iteration's tokens and cost, as a CLI reports them. */
export interface IterationUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  /** null where the CLI reports no cost (Codex, Gemini CLI) */
  cost_usd: number | null;
}

/** The DESIGN §9 usage shape: totals over `iterations` iterations. */
export interface UsageTotals extends IterationUsage {
  iterations: number;
}

export interface UsageRecord {
  time: string;
  agent: string;
  phase: string;
  iteration: number;
  /** the launch's run id, so a record written twice for one run counts once */
  run?: string;
  backend?: string;
  usage: IterationUsage;
}

export const usageFile = (stateDir: string): string => join(stateDir, 'usage.jsonl');

export function appendUsage(stateDir: string, record: UsageRecord): void {
  mkdirSync(stateDir, { recursive: true });
  const fd = openSync(usageFile(stateDir), 'a+');
  try {
    const size = fstatSync(fd).size;
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    writeSync(fd, `${prefix}${JSON.stringify(record)}\n`);
  } finally {
    closeSync(fd);
  }
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

export function parseUsageLine(line: string): UsageRecord | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null; // torn
  }
  const r = v as Partial<UsageRecord> | null;
  const u = r?.usage as Partial<IterationUsage> | undefined;
  if (typeof r?.agent !== 'string' || typeof r.phase !== 'string' || typeof r.iteration !== 'number' || u === undefined || u === null) return null;
  if (![u.input_tokens, u.output_tokens, u.cache_read_tokens, u.cache_write_tokens].every(isCount)) return null;
  if (u.cost_usd !== null && !isCount(u.cost_usd)) return null;
  return r as UsageRecord;
}

/** Every good record, oldest first; a record repeated for one run (without a run id: one agent, phase and iteration) counts once, the last. */
export function readUsage(stateDir: string): UsageRecord[] {
  const file = usageFile(stateDir);
  if (!existsSync(file)) return [];
  const byKey = new Map<string, UsageRecord>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const r = line.trim() === '' ? null : parseUsageLine(line);
    if (r === null) continue;
    byKey.set(JSON.stringify(r.run !== undefined ? [r.agent, r.run] : [r.agent, r.phase, r.iteration]), r);
  }
  return [...byKey.values()];
}

export function emptyTotals(): UsageTotals {
  return { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: null, iterations: 0 };
}

/** Adds one iteration; the cost stays null only while no iteration reported one. */
export function addUsage(total: UsageTotals, u: IterationUsage): UsageTotals {
  total.input_tokens += u.input_tokens;
  total.output_tokens += u.output_tokens;
  total.cache_read_tokens += u.cache_read_tokens;
  total.cache_write_tokens += u.cache_write_tokens;
  if (u.cost_usd !== null) total.cost_usd = roundUsd((total.cost_usd ?? 0) + u.cost_usd);
  total.iterations += 1;
  return total;
}

/** Cents' fractions summed in floating point drift: keep ten decimal places. */
const roundUsd = (n: number): number => Math.round(n * 1e10) / 1e10;

export interface UsageRow {
  phase: string;
  agent: string;
  usage: UsageTotals;
}

export interface UsageReport {
  /** one row per phase and agent, in the order first seen */
  rows: UsageRow[];
  byAgent: Record<string, UsageTotals>;
  byPhase: Record<string, UsageTotals>;
  total: UsageTotals;
}

export function emptyReport(): UsageReport {
  return { rows: [], byAgent: {}, byPhase: {}, total: emptyTotals() };
}

/** Pure: totals per phase and agent, per agent, per phase and overall. */
export function summarise(records: readonly UsageRecord[]): UsageReport {
  const rows = new Map<string, UsageRow>();
  const byAgent: Record<string, UsageTotals> = {};
  const byPhase: Record<string, UsageTotals> = {};
  const total = emptyTotals();
  for (const r of records) {
    const key = JSON.stringify([r.phase, r.agent]);
    const row = rows.get(key) ?? { phase: r.phase, agent: r.agent, usage: emptyTotals() };
    rows.set(key, row);
    addUsage(row.usage, r.usage);
    addUsage((byAgent[r.agent] ??= emptyTotals()), r.usage);
    addUsage((byPhase[r.phase] ??= emptyTotals()), r.usage);
    addUsage(total, r.usage);
  }
  return { rows: [...rows.values()], byAgent, byPhase, total };
}
