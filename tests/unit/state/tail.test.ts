import { writeFileSync, appendFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { cleanTerminalText, readFrom, readNewLines, tailLines } from '../../../src/state/tail.js';
import { scratchDir } from '../../helpers/scratch.js';

describe('cleanTerminalText', () => {
  it.each([
    ['plain', 'plain'],
    ['line\r', 'line'],
    ['a\r\nb\r\n', 'a\nb\n'],
    ['\x1b[1;32mgreen\x1b[0m', 'green'],
    ['progress 10%\rprogress 100%', 'progress 100%'],
    ['bell\x07 and \x1b]0;title\x07osc', 'bell and osc'],
    ['tab\tkept', 'tab\tkept'],
  ])('%j -> %j', (input, expected) => {
    expect(cleanTerminalText(input)).toBe(expected);
  });
});

describe('tailLines', () => {
  let dir = '';
  beforeEach(() => {
    dir = scratchDir('ao-tail-');
  });

  it('returns the last lines of a large file without reading it whole', () => {
    const file = join(dir, 'big.log');
    const lines = Array.from({ length: 100_000 }, (_, i) => `line ${i}`);
    writeFileSync(file, lines.join('\n') + '\n');
    expect(tailLines(file, 3)).toEqual(['line 99997', 'line 99998', 'line 99999']);
    expect(tailLines(file, 0)).toEqual([]);
  });

  it('returns what there is when the file is short, and nothing when it is missing', () => {
    const file = join(dir, 'short.log');
    writeFileSync(file, 'one\ntwo');
    expect(tailLines(file, 10)).toEqual(['one', 'two']);
    expect(tailLines(join(dir, 'missing.log'), 10)).toEqual([]);
  });

  it('readFrom follows appends and starts over after truncation', () => {
    const file = join(dir, 'follow.log');
    writeFileSync(file, 'abc');
    let r = readFrom(file, 0);
    expect(r).toEqual({ text: 'abc', offset: 3 });
    appendFileSync(file, 'de');
    r = readFrom(file, r.offset);
    expect(r).toEqual({ text: 'de', offset: 5 });
    truncateSync(file, 0);
    appendFileSync(file, 'x');
    expect(readFrom(file, r.offset)).toEqual({ text: 'x', offset: 1 });
  });
});

describe('followFile', () => {
  it('reports what is appended after it starts, not what was there, and stops on time', async () => {
    const { followFile } = await import('../../../src/state/tail.js');
    const file = join(scratchDir('ao-follow-'), 'f.log');
    writeFileSync(file, 'old\n');
    const seen: string[] = [];
    const done = followFile(file, (t) => seen.push(t), { untilMs: Date.now() + 900 });
    await new Promise((r) => setTimeout(r, 300));
    appendFileSync(file, 'new 1\n');
    await new Promise((r) => setTimeout(r, 300));
    appendFileSync(file, 'new 2\n');
    await done;
    expect(seen.join('')).toBe('new 1\nnew 2\n');
  });
});

describe('readNewLines', () => {
  it('gives whole lines only, a line still being written at the next call, and starts over on a truncated file', () => {
    const file = join(scratchDir('ao-lines-'), 'events.jsonl');
    writeFileSync(file, 'one\ntwo\nthr');
    const first = readNewLines(file, 0);
    expect(first).toEqual({ lines: ['one', 'two'], offset: 8 });
    expect(readNewLines(file, first.offset)).toEqual({ lines: [], offset: 8 });
    appendFileSync(file, 'ee\nfour é\n');
    const second = readNewLines(file, first.offset);
    expect(second.lines).toEqual(['three', 'four é']);
    writeFileSync(file, 'new\n');
    expect(readNewLines(file, second.offset)).toEqual({ lines: ['new'], offset: 4 });
  });
});
