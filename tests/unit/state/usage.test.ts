import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claudeUsage } from '../../../src/backends/claude-stream.js';
import { codexUsage } from '../../../src/backends/codex-stream.js';
import { layout } from '../../../src/state/layout.js';
import { appendUsage, emptyReport, readUsage, readUsageReport, summarise, usageFile, type UsageRecord } from '../../../src/state/usage.js';
import type { Captured } from '../../helpers/capture-output.js';

const load = (cli: string, name: string): string => (JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'output', cli, `${name}.json`), 'utf8')) as Captured).stdout;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const record = (agent: string, phase: string, iteration: number, usage: UsageRecord['usage']): UsageRecord => ({ time: new Date(0).toISOString(), agent, phase, iteration, usage });

it('totals per phase and agent from real usage; a torn line and a repeated record do not count', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ao-usage-'));
  dirs.push(dir);
  const a = claudeUsage(load('claude', 'ok'))!;
  const b = claudeUsage(load('claude', 'ok-2'))!;
  const c = codexUsage(load('codex', 'ok-json'))!;
  appendUsage(dir, record('builder', 'one', 1, a));
  appendFileSync(usageFile(dir), '{"agent":"builder","phase":"one","iter'); // a crash mid-append
  appendUsage(dir, record('builder', 'one', 2, b));
  appendUsage(dir, record('builder', 'one', 2, b)); // the watchdog asked twice
  appendUsage(dir, record('adversary', 'two', 1, c));
  const report = summarise(readUsage(dir));
  expect(report.rows.map((r) => [r.phase, r.agent, r.usage.iterations])).toEqual([
    ['one', 'builder', 2],
    ['two', 'adversary', 1],
  ]);
  const builder = report.byAgent.builder!;
  expect(builder.input_tokens).toBe(a.input_tokens + b.input_tokens);
  expect(builder.cache_write_tokens).toBe(a.cache_write_tokens + b.cache_write_tokens);
  expect(builder.cost_usd).toBeCloseTo((a.cost_usd ?? NaN) + (b.cost_usd ?? NaN), 10);
  // Codex reports no cost: its phase has none, the total has Claude's
  expect(report.byPhase.two!.cost_usd).toBeNull();
  expect(report.total.cost_usd).toBe(builder.cost_usd);
  expect(report.total.output_tokens).toBe(a.output_tokens + b.output_tokens + c.output_tokens);
  expect(report.total.iterations).toBe(3);
});

describe('usage-totals.json: the totals the writer keeps, so a reader need not sum usage.jsonl', () => {
  const usage = (cost: number | null) => ({ input_tokens: 5, output_tokens: 1, cache_read_tokens: 2, cache_write_tokens: 3, cost_usd: cost });
  const temp = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'ao-usage-'));
    dirs.push(dir);
    return dir;
  };
  const kept = (dir: string): { of: string; report: unknown } => JSON.parse(readFileSync(layout.usageTotals(dir), 'utf8')) as { of: string; report: unknown };

  it('each append keeps the totals of the file as it is, a repeated run counted once', () => {
    const dir = temp();
    expect(readUsageReport(dir)).toEqual(emptyReport());
    appendUsage(dir, { ...record('builder', 'one', 1, usage(0.5)), run: 'r1' });
    appendUsage(dir, { ...record('builder', 'one', 1, usage(0.5)), run: 'r1' });
    appendUsage(dir, record('adversary', 'two', 1, usage(null)));
    expect(kept(dir).report).toEqual(summarise(readUsage(dir)));
    expect(readUsageReport(dir)).toEqual(summarise(readUsage(dir)));
    expect(readUsageReport(dir).total).toMatchObject({ iterations: 2, cost_usd: 0.5 });
    // no temp file left behind
    expect(readdirSync(dir).sort()).toEqual(['usage-totals.json', 'usage.jsonl']);
  });

  it('a reader takes the kept totals while they are of the file as it is now', () => {
    const dir = temp();
    appendUsage(dir, record('builder', 'one', 1, usage(1)));
    // totals kept for this very file are believed, not re-summed
    const file = kept(dir);
    const marked = { ...summarise(readUsage(dir)), rows: [] };
    writeFileSync(layout.usageTotals(dir), JSON.stringify({ version: 1, of: file.of, report: marked }));
    expect(readUsageReport(dir)).toEqual(marked);
  });

  it.each([
    ['an append the writer did not total (an older ao, a crash before the total)', (dir: string) => appendFileSync(usageFile(dir), `${JSON.stringify(record('builder', 'one', 2, usage(2)))}\n`)],
    ['a torn totals file', (dir: string) => writeFileSync(layout.usageTotals(dir), '{"version":1,"of":"')],
    ['no totals file', (dir: string) => rmSync(layout.usageTotals(dir))],
    ['totals of another shape', (dir: string) => writeFileSync(layout.usageTotals(dir), JSON.stringify({ ...kept(dir), report: { rows: [], byAgent: { x: 1 }, byPhase: {}, total: {} } }))],
    ['a torn last line in usage.jsonl', (dir: string) => appendFileSync(usageFile(dir), '{"agent":"builder","ph')],
  ])('%s: the reader sums the file itself', (_what, change) => {
    const dir = temp();
    appendUsage(dir, record('builder', 'one', 1, usage(1)));
    change(dir);
    expect(readUsageReport(dir)).toEqual(summarise(readUsage(dir)));
    expect(existsSync(usageFile(dir))).toBe(true);
  });

  it('an append adds its record to the kept totals instead of summing the whole file again', () => {
    const dir = temp();
    appendUsage(dir, record('builder', 'one', 1, usage(1)));
    // kept totals that differ from the file's sum (an input of 1000) show which way the next append went
    const file = JSON.parse(readFileSync(layout.usageTotals(dir), 'utf8')) as { of: string; recent: string[] };
    const marked = summarise(readUsage(dir));
    marked.total.input_tokens = 1000;
    writeFileSync(layout.usageTotals(dir), JSON.stringify({ ...file, report: marked }));
    appendUsage(dir, record('builder', 'one', 2, usage(2)));
    expect(readUsageReport(dir).total).toMatchObject({ input_tokens: 1005, iterations: 2, cost_usd: 3 });
    // a record repeated for one run is summed anew, so it counts once
    appendUsage(dir, record('builder', 'one', 2, usage(2)));
    expect(readUsageReport(dir)).toEqual(summarise(readUsage(dir)));
    expect(readUsageReport(dir).total).toMatchObject({ input_tokens: 10, iterations: 2 });
  });

  it('an append after a torn line: the totals skip the torn record and count the new one', () => {
    const dir = temp();
    appendUsage(dir, record('builder', 'one', 1, usage(1)));
    appendFileSync(usageFile(dir), '{"agent":"builder","ph');
    appendUsage(dir, record('builder', 'one', 2, usage(2)));
    expect(kept(dir).report).toMatchObject({ total: { iterations: 2, cost_usd: 3 } });
    expect(readUsageReport(dir)).toEqual(summarise(readUsage(dir)));
  });
});
