/**
 * Token usage and cost per iteration: `state/usage.jsonl`, one line per
 * iteration that ended, appended as a single write (a torn last line gets
 * a newline before the next record and is skipped by readers). Never
 * rotated: a line is ~250 bytes, a week of one-minute iterations ~3 MB, and
 * totals need every line. So the writer sums it once per append into
 * `usage-totals.json`, stamped with the file it summed (inode, size, mtime):
 * `ao status` reads that small file while the stamp still matches, and sums
 * the file itself when it does not (an append by an older ao, a crash
 * between the append and the total, a torn total).
 */
import { closeSync, constants, fstatSync, lstatSync, readSync, type Stats } from 'node:fs';
import { appendWhole } from './append.js';
import { stampOf } from './files.js';
import { layout } from './layout.js';
import { ensureDir, isBadFile, JSON_CAP, openAppend, openSafe, readTextCapped, writeAtomic } from './safe-fs.js';

/** usage.jsonl is summed whole: past this (years of one-minute iterations) it is a bad file. */
const USAGE_CAP = 64 * 1024 * 1024;

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
  /** of them, iterations whose cost ao computed from `[models.prices]` (absent: none) */
  priced_iterations?: number;
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
  /** its cost_usd was computed from the tokens by `[models.prices]` (the CLI reports none) */
  priced?: true;
  /** the run ended without the usage its budget needs (no usage in its stream, or no cost): counted as unknown, never as free */
  unknown?: true;
}

export const usageFile = layout.usage;

export function appendUsage(stateDir: string, record: UsageRecord): void {
  ensureDir(stateDir);
  const fd = openAppend(usageFile(stateDir), { read: true });
  let added: KeptTotals | null = null;
  try {
    const st = fstatSync(fd);
    const size = st.size;
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    // the totals of the file as it was, if kept: one record more is added to them, not the file summed again
    const kept = size === 0 ? { report: emptyReport(), recent: [] } : readKept(stateDir, stampOf(st));
    const key = recordKey(record);
    const line = `${prefix}${JSON.stringify(record)}\n`;
    appendWhole(fd, size, line); // one write, undone if it fails partway
    const now = fstatSync(fd);
    // another writer's line in between (the totals would miss it), or a record repeated (it counts once): summed instead
    if (kept?.recent && !kept.recent.includes(key) && now.size === size + Buffer.byteLength(line)) {
      added = { version: 1, of: stampOf(now), report: addRecord(kept.report, record), recent: [...kept.recent, key].slice(-RECENT_KEYS) };
    }
  } finally {
    closeSync(fd);
  }
  if (added) writeTotals(stateDir, added);
  else keepTotals(stateDir);
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
  const text = readTextCapped(usageFile(stateDir), USAGE_CAP);
  return text === null ? [] : parseUsage(text);
}

function parseUsage(text: string): UsageRecord[] {
  const byKey = new Map<string, UsageRecord>();
  for (const line of text.split('\n')) {
    const r = line.trim() === '' ? null : parseUsageLine(line);
    if (r === null) continue;
    byKey.set(recordKey(r), r);
  }
  return [...byKey.values()];
}

/** What makes two records one run's: its run id, else one agent, phase and iteration. */
const recordKey = (r: UsageRecord): string => JSON.stringify(r.run !== undefined ? [r.agent, r.run] : [r.agent, r.phase, r.iteration]);

/** How many of the newest records' keys the kept totals remember: a record repeated among them is summed anew, not added. */
const RECENT_KEYS = 64;

interface KeptTotals {
  version: 1;
  /** the stamp of usage.jsonl these totals are of */
  of: string;
  report: UsageReport;
  /** the keys of the newest records (a repeated record is one of them: the watchdog asked twice) */
  recent?: string[];
}

/** Sums usage.jsonl as it is and keeps the totals beside it (temp file, then rename). A failure only costs readers a sum. */
function keepTotals(stateDir: string): void {
  try {
    const fd = openSafe(usageFile(stateDir), constants.O_RDONLY);
    let kept: KeptTotals;
    try {
      // the bytes the stamp counts, and no more: an append after it makes the stamp stale, never wrong
      const st = fstatSync(fd);
      if (st.size > USAGE_CAP) return;
      const bytes = Buffer.alloc(st.size);
      for (let at = 0; at < st.size; ) {
        const n = readSync(fd, bytes, at, st.size - at, at);
        if (n === 0) break;
        at += n;
      }
      const records = parseUsage(bytes.toString('utf8'));
      kept = { version: 1, of: stampOf(st), report: summarise(records), recent: records.slice(-RECENT_KEYS).map(recordKey) };
    } finally {
      closeSync(fd);
    }
    writeTotals(stateDir, kept);
  } catch {
    // readers find no total of this file, and sum it
  }
}

function writeTotals(stateDir: string, kept: KeptTotals): void {
  try {
    // a temp left by a crash is swept by housekeeping (layout.isAtomicTemp)
    writeAtomic(layout.usageTotals(stateDir), JSON.stringify(kept), { fsync: false });
  } catch {
    // readers find no total of this file, and sum it
  }
}

const isTotals = (u: unknown): boolean => typeof u === 'object' && u !== null && typeof (u as UsageTotals).iterations === 'number' && typeof (u as UsageTotals).input_tokens === 'number';
const isTotalsMap = (m: unknown): boolean => typeof m === 'object' && m !== null && Object.values(m).every(isTotals);

function readKeptTotals(stateDir: string, stamp: string): UsageReport | null {
  return readKept(stateDir, stamp)?.report ?? null;
}

function readKept(stateDir: string, stamp: string): { report: UsageReport; recent: string[] | undefined } | null {
  try {
    return parseKept(readTextCapped(layout.usageTotals(stateDir), JSON_CAP), stamp);
  } catch {
    return null; // a link or a FIFO
  }
}

/** usage-totals.json's text as totals of usage.jsonl with the stamp `stamp` (stampOf), or null when it holds none of it. */
export function keptTotalsOf(text: string | null, stamp: string): UsageReport | null {
  return parseKept(text, stamp)?.report ?? null;
}

function parseKept(text: string | null, stamp: string): { report: UsageReport; recent: string[] | undefined } | null {
  try {
    const kept = JSON.parse(text ?? 'null') as Partial<KeptTotals> | null;
    const r = kept?.report;
    if (kept?.version !== 1 || kept.of !== stamp || !r || !Array.isArray(r.rows) || !isTotalsMap(r.byAgent) || !isTotalsMap(r.byPhase) || !isTotals(r.total)) return null;
    const recent = Array.isArray(kept.recent) && kept.recent.every((k) => typeof k === 'string') ? kept.recent : undefined;
    return { report: r, recent };
  } catch {
    return null; // missing or torn
  }
}

/** What usage.jsonl adds up to: the totals its writer kept, while they are of the file as it is now; else the file summed. */
export function readUsageReport(stateDir: string): UsageReport {
  let st: Stats;
  try {
    st = lstatSync(usageFile(stateDir));
  } catch {
    return emptyReport();
  }
  try {
    return readKeptTotals(stateDir, stampOf(st)) ?? summarise(readUsage(stateDir));
  } catch (error) {
    // a link or a FIFO as usage.jsonl (the watchdog reports it once): no usage, and status and the sweep go on
    if (isBadFile(error)) return emptyReport();
    throw error;
  }
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
  /** agent -> true while its newest run's usage is unknown (a later run that reports it clears it) */
  unknown?: Record<string, true>;
}

export function emptyReport(): UsageReport {
  return { rows: [], byAgent: {}, byPhase: {}, total: emptyTotals() };
}

/** Pure: totals per phase and agent, per agent, per phase and overall. */
export function summarise(records: readonly UsageRecord[]): UsageReport {
  const report = emptyReport();
  for (const r of records) addRecord(report, r);
  return report;
}

/** One iteration's record into a report's totals (changes and returns the report). */
export function addRecord(report: UsageReport, r: UsageRecord): UsageReport {
  let row = report.rows.find((x) => x.phase === r.phase && x.agent === r.agent);
  if (!row) report.rows.push((row = { phase: r.phase, agent: r.agent, usage: emptyTotals() }));
  addUsage(row.usage, r.usage);
  addUsage((report.byAgent[r.agent] ??= emptyTotals()), r.usage);
  addUsage((report.byPhase[r.phase] ??= emptyTotals()), r.usage);
  addUsage(report.total, r.usage);
  if (r.priced) for (const t of [row.usage, report.byAgent[r.agent], report.byPhase[r.phase], report.total]) if (t) t.priced_iterations = (t.priced_iterations ?? 0) + 1;
  if (r.unknown) (report.unknown ??= {})[r.agent] = true;
  else if (report.unknown?.[r.agent]) delete report.unknown[r.agent];
  return report;
}
