/**
 * The table of provider trouble in docs/CLI-VERSIONS.md, row by row, against
 * its fixture (tests/fixtures/output): the fixture carries the words the row
 * quotes, and the CLI's recogniser reads the run as the row's kind and quotes
 * them. A row whose words ao does not know, or a fixture that lost them, fails.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { getBackend } from '../../../src/backends/index.js';
import type { BackendName } from '../../../src/config/types.js';
import type { Captured } from '../../helpers/capture-output.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const BACKEND: Record<string, BackendName> = { 'Claude Code': 'claude', Codex: 'codex', 'Gemini CLI': 'gemini', opencode: 'opencode', aider: 'aider' };
const KINDS = new Set(['usage-limit', 'rate-limit', 'overload', 'auth', 'none']);

interface Row {
  cli: string;
  version: string;
  words: string;
  kind: string;
  fixture: string;
}

function tableRows(): Row[] {
  const doc = readFileSync(join(ROOT, 'docs', 'CLI-VERSIONS.md'), 'utf8');
  const body = /<!-- trouble-table: start -->\n([\s\S]*?)<!-- trouble-table: end -->/.exec(doc)?.[1] ?? '';
  return body
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|\s*(?:CLI|-)/.test(l))
    .map((l) => {
      const cells = l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim());
      const code = (c: string | undefined): string => /^`(.*)`$/.exec(c ?? '')?.[1] ?? '';
      return { cli: cells[0] ?? '', version: cells[1] ?? '', words: code(cells[3]), kind: cells[4] ?? '', fixture: code(cells[5]) };
    });
}

// eslint-disable-next-line no-control-regex -- the colours a CLI prints
const plain = (s: string): string => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

beforeAll(() => {
  // the captures ran with TZ=UTC (a printed reset time)
  process.env.TZ = 'UTC';
});

const rows = tableRows();

describe('docs/CLI-VERSIONS.md: the provider-trouble table', () => {
  it('has rows for every CLI, Codex’s "at capacity" among them', () => {
    expect(new Set(rows.map((r) => r.cli))).toEqual(new Set(Object.keys(BACKEND)));
    expect(rows.some((r) => r.cli === 'Codex' && r.words.includes('at capacity') && r.kind === 'overload')).toBe(true);
    for (const r of rows) {
      expect(KINDS.has(r.kind), `${r.fixture}: kind "${r.kind}"`).toBe(true);
      expect(r.words, `${r.fixture}: the words in backticks`).not.toBe('');
    }
  });

  describe.each(rows.map((r) => [`${r.fixture} (${r.cli} ${r.version}): ${r.kind}`, r] as const))('%s', (_name, row) => {
    const [cli, name] = row.fixture.split('/');
    const c = JSON.parse(readFileSync(join(ROOT, 'tests', 'fixtures', 'output', cli ?? '', `${name ?? ''}.json`), 'utf8')) as Captured;
    const output = plain(`${c.stderr}\n${c.stdout}`);

    it('the fixture is of that CLI and carries the words', () => {
      expect(c.cli).toBe(cli);
      expect(BACKEND[row.cli]).toBe(cli);
      expect(output).toContain(row.words);
    });

    it('the recogniser reads them as the row says', () => {
      const recognise = getBackend(BACKEND[row.cli] ?? 'shell').trouble;
      expect(recognise).toBeDefined();
      const t = recognise!(output, c.exitStatus, c.startedAt * 1000 + 5000);
      expect(t.kind ?? 'none').toBe(row.kind);
      if (row.kind !== 'none') expect(t.message).toContain(row.words);
    });
  });
});
