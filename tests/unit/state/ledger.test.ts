import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../../helpers/ao.js';
import { appendEvent, readEvents } from '../../../src/state/events.js';
import { GENESIS, ledgerHead, lineHash, readAnchor, readStoredHead } from '../../../src/state/ledger.js';
import { verifyLedger, type LedgerFile } from '../../../src/state/ledger-verify.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ao-ledger-'));
  dirs.push(dir);
  return dir;
}

const event = (n: number) => ({ time: `2026-01-01T00:00:${String(n % 60).padStart(2, '0')}Z`, agent: 'builder', event: 'start' as const, reason: `run ${n}` });
const lines = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter(Boolean);

/** The files `ao verify` reads, oldest first. */
function filesOf(dir: string): LedgerFile[] {
  const base = join(dir, 'events.jsonl');
  return [`${base}.3`, `${base}.2`, `${base}.1`, base].filter(existsSync).map((f) => ({ name: f.slice(dir.length + 1), bytes: readFileSync(f) }));
}
const verify = (dir: string, expect?: { seq: number; hash: string }) =>
  verifyLedger({ files: filesOf(dir), anchor: readAnchor(dir), stored: readStoredHead(dir), expect: expect ?? null });

describe('the hash-chained ledger', () => {
  it('numbers each line and names the sha256 of the line before it, from the genesis value', () => {
    const dir = stateDir();
    for (let n = 1; n <= 3; n++) appendEvent(dir, event(n));
    const written = lines(join(dir, 'events.jsonl'));
    const parsed = written.map((l) => JSON.parse(l) as { seq: number; prev: string; reason: string });
    expect(parsed.map((p) => p.seq)).toEqual([1, 2, 3]);
    expect(parsed[0]!.prev).toBe(GENESIS);
    expect(parsed[1]!.prev).toBe(lineHash(written[0]!));
    expect(parsed[2]!.prev).toBe(lineHash(written[1]!));
    expect(parsed[2]!.reason).toBe('run 3');
    expect(ledgerHead(dir)).toEqual({ seq: 3, hash: lineHash(written[2]!) });
    expect(verify(dir)).toMatchObject({ intact: true, events: 3, first: 1, head: { seq: 3 } });
    // readers still see the events
    expect(readEvents(dir, 10).map((e) => e.reason)).toEqual(['run 1', 'run 2', 'run 3']);
  });

  it('keeps the chain across rotation, and an untouched rotated ledger verifies, also once old files were dropped', () => {
    const dir = stateDir();
    for (let n = 1; n <= 60; n++) appendEvent(dir, event(n), 600);
    const base = join(dir, 'events.jsonl');
    expect(existsSync(`${base}.3`)).toBe(true);
    // files were dropped: the anchor names what the oldest kept line follows
    const oldest = JSON.parse(lines(`${base}.3`)[0]!) as { seq: number; prev: string };
    expect(oldest.seq).toBeGreaterThan(1);
    expect(readAnchor(dir)).toEqual({ seq: oldest.seq - 1, hash: oldest.prev });
    // the new file's first line names the last hash of the old
    const newest = JSON.parse(lines(base)[0]!) as { seq: number; prev: string };
    expect(newest.prev).toBe(lineHash(lines(`${base}.1`).at(-1)!));
    const result = verify(dir);
    expect(result).toMatchObject({ intact: true, first: oldest.seq, head: { seq: 60 } });
    // without the anchor the missing start is a break
    rmSync(join(dir, 'ledger-anchor.json'));
    expect(verify(dir).break).toMatchObject({ kind: 'deleted', file: 'events.jsonl.3', line: 1, seq: oldest.seq });
  });

  it('chains on from the log when the stored head is missing, and over a torn last line', () => {
    const dir = stateDir();
    appendEvent(dir, event(1));
    appendEvent(dir, event(2));
    rmSync(join(dir, 'ledger-head.json'));
    appendFileSync(join(dir, 'events.jsonl'), '{"seq":3,"prev":"ab'); // a crash mid-line
    // a fresh process's view: nothing in memory matches the file any more
    appendEvent(dir, event(3));
    const written = lines(join(dir, 'events.jsonl'));
    expect(written).toHaveLength(4);
    expect(JSON.parse(written[3]!)).toMatchObject({ seq: 3, prev: lineHash(written[1]!) });
    expect(verify(dir).break).toMatchObject({ kind: 'torn', line: 3, seq: null });
  });

  it("begins its chain after an older ao's lines, which are counted and not judged", () => {
    const dir = stateDir();
    writeFileSync(join(dir, 'events.jsonl'), `${JSON.stringify({ time: 't', agent: 'a', event: 'start', reason: 'old' })}\n`);
    appendEvent(dir, event(1));
    const written = lines(join(dir, 'events.jsonl'));
    expect(JSON.parse(written[1]!)).toMatchObject({ seq: 1, prev: GENESIS });
    expect(verify(dir)).toMatchObject({ intact: true, unchained: 1, events: 1 });
  });

  it('keeps the recorded head over an edited last line, so the edit stays visible', () => {
    const dir = stateDir();
    appendEvent(dir, event(1));
    appendEvent(dir, event(2));
    const file = join(dir, 'events.jsonl');
    writeFileSync(file, readFileSync(file, 'utf8').replace('run 2', 'run X, longer'));
    expect(verify(dir).break).toMatchObject({ kind: 'edited', line: 2, seq: 2 });
    appendEvent(dir, event(3));
    expect(verify(dir).break).toMatchObject({ kind: 'edited', line: 2, seq: 2 });
  });
});

describe('several writers at once', () => {
  it('three processes appending side by side, with rotations, leave one unbroken chain with every line in it', { timeout: 60_000 }, async () => {
    const dir = stateDir();
    const writer = (tag: string) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(join(REPO, 'node_modules', '.bin', 'vite-node'), [join(REPO, 'tests', 'fixtures', 'append-events.ts'), dir, tag, '300', '40000'], {
          cwd: REPO,
          stdio: 'ignore',
        });
        const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
        child.on('exit', (code) => {
          clearTimeout(timer);
          resolve(code);
        });
      });
    expect(await Promise.all(['a', 'b', 'c'].map(writer))).toEqual([0, 0, 0]);
    const result = verify(dir);
    expect(result).toMatchObject({ intact: true, head: { seq: 900 } });
    // every line written is in the files kept, in seq order, none twice
    const kept = filesOf(dir).flatMap((f) => f.bytes.toString('utf8').split('\n').filter(Boolean)).map((l) => JSON.parse(l) as { seq: number; reason: string });
    expect(kept.map((e) => e.seq)).toEqual(Array.from({ length: kept.length }, (_, i) => 901 - kept.length + i));
    expect(new Set(kept.map((e) => e.reason)).size).toBe(kept.length);
    expect(existsSync(join(dir, 'events.jsonl.lock'))).toBe(false);
  });
});

describe('verifyLedger finds each kind of break', () => {
  function ledger(count: number): { dir: string; text: string[] } {
    const dir = stateDir();
    for (let n = 1; n <= count; n++) appendEvent(dir, event(n));
    return { dir, text: lines(join(dir, 'events.jsonl')) };
  }
  const rewrite = (dir: string, text: string[], end = '\n') => writeFileSync(join(dir, 'events.jsonl'), text.join('\n') + end);

  it('an edited line, named by its line and seq', () => {
    const { dir, text } = ledger(6);
    text[2] = text[2]!.replace('run 3', 'run 9');
    rewrite(dir, text);
    expect(verify(dir).break).toMatchObject({ kind: 'edited', file: 'events.jsonl', line: 3, seq: 3 });
  });

  it('a deleted line', () => {
    const { dir, text } = ledger(6);
    text.splice(3, 1);
    rewrite(dir, text);
    expect(verify(dir).break).toMatchObject({ kind: 'deleted', line: 4, seq: 5 });
  });

  it('an inserted line, with or without a seq', () => {
    const { dir, text } = ledger(6);
    rewrite(dir, [...text.slice(0, 2), JSON.stringify(event(99)), ...text.slice(2)]);
    expect(verify(dir).break).toMatchObject({ kind: 'inserted', line: 3, seq: null });
    rewrite(dir, [...text.slice(0, 2), text[1]!, ...text.slice(2)]);
    expect(verify(dir).break).toMatchObject({ kind: 'inserted', line: 3, seq: 2 });
  });

  it('two lines swapped', () => {
    const { dir, text } = ledger(6);
    rewrite(dir, [text[0]!, text[2]!, text[1]!, ...text.slice(3)]);
    expect(verify(dir).break).toMatchObject({ kind: 'reordered', line: 2, seq: 3 });
  });

  it('a torn last line', () => {
    const { dir, text } = ledger(6);
    text[5] = text[5]!.slice(0, 20);
    rewrite(dir, text, '');
    expect(verify(dir).break).toMatchObject({ kind: 'torn', line: 6, seq: null });
  });

  it('a deleted last line, by the stored head', () => {
    const { dir, text } = ledger(6);
    rewrite(dir, text.slice(0, 5));
    expect(verify(dir).break).toMatchObject({ kind: 'deleted', line: 5, seq: 5 });
  });

  it('a ledger re-chained from scratch: intact by itself, caught by a head written down before', () => {
    const { dir } = ledger(6);
    const witness = ledgerHead(dir)!;
    const early = { seq: 3, hash: lineHash(lines(join(dir, 'events.jsonl'))[2]!) };
    const again = stateDir();
    for (const n of [1, 2, 4, 5, 6]) appendEvent(again, event(n));
    expect(verify(again).intact).toBe(true);
    expect(verify(again, witness).break).toMatchObject({ kind: 'deleted', seq: 5 });
    expect(verify(again, early).break).toMatchObject({ kind: 'rewritten', line: 3, seq: 3 });
    // the true ledger holds both
    expect(verify(dir, early)).toMatchObject({ intact: true, expected: { seq: 3, held: true } });
    expect(verify(dir, witness)).toMatchObject({ intact: true, expected: { seq: 6, held: true } });
  });
});
