import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { claudeUsage } from '../../../src/backends/claude-stream.js';
import { codexUsage } from '../../../src/backends/codex-stream.js';
import { appendUsage, readUsage, summarise, usageFile, type UsageRecord } from '../../../src/state/usage.js';
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
