import { safeLine } from '../text/safe.js';

/**
 * Finds where a key path (as zod reports it) is written in a TOML source, so
 * schema errors can name a line. Best effort: the longest prefix of the path
 * that can be found wins.
 */

export interface Location {
  line: number;
  column: number;
}

function splitKey(raw: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | null = null;
  for (const ch of raw) {
    if (quote) {
      if (ch === quote) quote = null;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '.') {
      parts.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current.trim());
  return parts;
}

function samePrefix(a: readonly PropertyKey[], b: readonly PropertyKey[]): number {
  let n = 0;
  while (n < a.length && n < b.length && String(a[n]) === String(b[n])) n++;
  return n;
}

export function locateKey(source: string, path: readonly PropertyKey[]): Location | undefined {
  const lines = source.split(/\r?\n/);
  const arrayCounts = new Map<string, number>();
  let table: string[] = [];
  let best: { score: number; loc: Location } | undefined;

  const consider = (candidate: PropertyKey[], loc: Location): void => {
    const score = samePrefix(candidate, path);
    if (score === 0 || score < candidate.length) return; // only a prefix of the target counts
    if (!best || score > best.score) best = { score, loc };
  };

  let multiline: string | null = null; // inside a """ or ''' string, nothing is a key
  lines.forEach((text, i) => {
    const line = i + 1;
    const wasInside = multiline !== null;
    for (const quote of text.match(/"""|'''/g) ?? []) {
      if (multiline === null) multiline = quote;
      else if (multiline === quote) multiline = null;
    }
    if (wasInside) return;
    const header = /^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/.exec(text);
    if (header) {
      const keys = splitKey(header[2] ?? '');
      if (header[1] === '[[') {
        const key = keys.join('.');
        const index = arrayCounts.get(key) ?? 0;
        arrayCounts.set(key, index + 1);
        table = [...keys, String(index)];
      } else {
        table = keys;
      }
      consider(table, { line, column: text.indexOf(header[2] ?? '') + 1 });
      return;
    }
    const assignment = /^(\s*)((?:"[^"]*"|'[^']*'|[A-Za-z0-9_.\s-])+?)\s*=/.exec(text);
    if (!assignment) return;
    const keyPath = [...table, ...splitKey(assignment[2] ?? '')];
    const column = (assignment[1]?.length ?? 0) + 1;
    consider(keyPath, { line, column });
    // inline tables: `models = { builder = "opus" }`
    const rest = path.slice(keyPath.length);
    if (samePrefix(keyPath, path) === keyPath.length && rest.length > 0) {
      const inner = new RegExp(`([{,]\\s*)"?${String(rest[0]).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?\\s*=`).exec(text);
      if (inner) consider([...keyPath, rest[0] as PropertyKey], { line, column: inner.index + (inner[1]?.length ?? 0) + 1 });
    }
  });
  return best?.loc;
}

/** How much of a long line an error shows around its column. */
export const EXCERPT_WIDTH = 120;

/**
 * The source line with a caret under the column, for error messages: at most
 * EXCERPT_WIDTH characters around the column (`…` where the line goes on), made one
 * safe line, so a key holding escape sequences or a 200 kB line shows as a short plain one.
 */
export function excerpt(source: string, line: number, column = 1): string {
  const text = source.split(/\r?\n/)[line - 1] ?? '';
  const at = Math.min(text.length, Math.max(0, column - 1));
  const stop = Math.min(text.length, Math.max(0, at - EXCERPT_WIDTH / 2) + EXCERPT_WIDTH);
  const start = Math.max(0, stop - EXCERPT_WIDTH);
  const before = `${start > 0 ? '…' : ''}${safeLine(text.slice(start, at))}`;
  const after = `${safeLine(text.slice(at, stop))}${stop < text.length ? '…' : ''}`;
  const gutter = `${line} | `;
  return `${gutter}${before}${after}\n${' '.repeat(gutter.length + before.length + Math.max(0, column - 1 - at))}^`;
}
