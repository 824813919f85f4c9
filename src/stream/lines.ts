/**
 * Pieces every stream formatter shares: how a tool call, a result and the
 * final usage read in a pane. Pure.
 */
import { safeText } from '../text/safe.js';
import type { IterationUsage } from '../backends/usage.js';

/** A readable line formatter: one raw stream line in, zero or more pane lines out. */
export interface StreamFormatter {
  line(raw: string): string[];
  /** what is left once the stream ends (a partial message) */
  end(): string[];
}

/**
 * What a CLI's stream says of itself besides its work: it is retrying the
 * provider (attempt of max, the wait before the next try), or, after
 * retrying, the provider answered again.
 */
export type LifeSign = { kind: 'retry'; attempt: number; max: number | null; waitMs: number | null; why: string } | { kind: 'answered' };

const ONE_LINE_MAX = 200;
const RESULT_MAX = 160;

export const clean = (s: string): string => safeText(s);

/** Text shown on one line: controls gone, whitespace squeezed, cut with an ellipsis. */
export function oneLine(text: string, max = ONE_LINE_MAX): string {
  const flat = clean(text).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A tool's input in one line: the field that says what it does, else the whole input as JSON. */
export function toolInput(input: unknown): string {
  if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
    const o = input as Record<string, unknown>;
    for (const key of ['command', 'cmd', 'file_path', 'path', 'pattern', 'url', 'query', 'prompt', 'description']) {
      const v = o[key];
      if (typeof v === 'string' && v !== '') return oneLine(v);
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return oneLine(v.join(' '));
    }
  }
  return oneLine(JSON.stringify(input) ?? '');
}

export const toolLine = (name: string, input: unknown): string => `⚙ ${oneLine(name, 60)}: ${toolInput(input)}`;

/** A tool's result shortened to its first line and how much more there was. */
export function resultLine(text: string, isError: boolean): string {
  const lines = clean(text)
    .split('\n')
    .filter((l) => l.trim() !== '');
  const more = lines.length > 1 ? ` (+${lines.length - 1} lines)` : '';
  return `  ${isError ? '✗' : '↳'} ${oneLine(lines[0] ?? '(no output)', RESULT_MAX)}${more}`;
}

/** The agent's text, as its lines. */
export const textLines = (text: string): string[] => clean(text).replace(/\n+$/, '').split('\n');

export function usageLine(u: IterationUsage, extra: string[] = []): string {
  const parts = [`${u.input_tokens} in`, `${u.output_tokens} out`, `${u.cache_read_tokens} cache read`, `${u.cache_write_tokens} cache write`];
  const cost = u.cost_usd === null ? [] : [`$${u.cost_usd.toFixed(4)}`];
  return `■ ${[...extra, parts.join(' / '), ...cost].join(' · ')}`;
}

/** A stream line that is no JSON object: shown as it came, made safe. */
export function passThrough(raw: string): string[] {
  return raw.trim() === '' ? [] : [clean(raw)];
}

export function parseObject(raw: string): Record<string, unknown> | null {
  const t = raw.trim();
  if (!t.startsWith('{')) return null;
  try {
    const v: unknown = JSON.parse(t);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
