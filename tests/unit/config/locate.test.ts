import { describe, it, expect } from 'vitest';
import { excerpt, locateKey } from '../../../src/config/locate.js';

// line numbers are written next to each line so the table below can be checked by eye
const SOURCE = [
  '# a comment', //                                        1
  '[defaults]', //                                         2
  'backend = "demo"', //                                   3
  '  stall_minutes = 10', //                               4
  '', //                                                   5
  '[models]', //                                           6
  'strong = "demo-strong"', //                             7
  '', //                                                   8
  '[agents.builder] # the one who builds', //              9
  'kind = "loop"', //                                      10
  'heal = "heal+stall"', //                                11
  '', //                                                   12
  '[agents.adversary]', //                                 13
  'kind = "loop"', //                                      14
  'env = { TOKEN = "x" }', //                              15
  '', //                                                   16
  '[agents."a.b"]', //                                     17
  'kind = "task"', //                                      18
  '', //                                                   19
  "[agents.'with space']", //                              20
  'kind = "task"', //                                      21
  '"quoted key" = 1', //                                   22
  '', //                                                   23
  '[[phases]]', //                                         24
  'id = "scaffold"', //                                    25
  'plan = "01.md"', //                                     26
  '', //                                                   27
  '[[phases]]', //                                         28
  'id = "feature"', //                                     29
  'plan = "02.md"', //                                     30
  'models = { builder = "strong", adversary = "x" }', //   31
  '', //                                                   32
  '[[phases]]', //                                         33
  'id = "polish"', //                                      34
  'models={builder="strong"}', //                          35
  '', //                                                   36
  '[watchdog]', //                                         37
  'crash_limit = 5', //                                    38
  '', //                                                   39
  '[agents]', //                                           40
  'orchestrator.kind = "persistent"', //                   41
].join('\n');

const rows: Array<{ name: string; path: PropertyKey[]; line: number; column: number }> = [
  { name: 'a table header', path: ['defaults'], line: 2, column: 2 },
  { name: 'a key in a table', path: ['defaults', 'backend'], line: 3, column: 1 },
  { name: 'an indented key: the column of the key', path: ['defaults', 'stall_minutes'], line: 4, column: 3 },
  { name: 'a key in [models]', path: ['models', 'strong'], line: 7, column: 1 },
  { name: 'a dotted table header with a trailing comment', path: ['agents', 'builder'], line: 9, column: 2 },
  { name: 'a key in a dotted table', path: ['agents', 'builder', 'heal'], line: 11, column: 1 },
  { name: 'the same key in another table is not confused', path: ['agents', 'adversary', 'kind'], line: 14, column: 1 },
  { name: 'a key that is not written falls back to its table header', path: ['agents', 'adversary', 'heal'], line: 13, column: 2 },
  { name: 'a key of an inline table', path: ['agents', 'adversary', 'env', 'TOKEN'], line: 15, column: 9 },
  { name: 'a double-quoted table key containing a dot', path: ['agents', 'a.b'], line: 17, column: 2 },
  { name: 'a key inside a double-quoted table', path: ['agents', 'a.b', 'kind'], line: 18, column: 1 },
  { name: 'a single-quoted table key containing a space', path: ['agents', 'with space'], line: 20, column: 2 },
  { name: 'a quoted key', path: ['agents', 'with space', 'quoted key'], line: 22, column: 1 },
  { name: '[[phases]] index 0 header', path: ['phases', 0], line: 24, column: 3 },
  { name: '[[phases]] index 0 key', path: ['phases', 0, 'plan'], line: 26, column: 1 },
  { name: '[[phases]] index 1 key (index as a number)', path: ['phases', 1, 'id'], line: 29, column: 1 },
  { name: '[[phases]] index 1 key (index as a string)', path: ['phases', '1', 'id'], line: 29, column: 1 },
  { name: '[[phases]] index 2 header', path: ['phases', 2], line: 33, column: 3 },
  { name: '[[phases]] index 2: an unwritten key falls back to its own header, not another phase', path: ['phases', 2, 'plan'], line: 33, column: 3 },
  { name: 'an inline table key: the column of the key itself', path: ['phases', 1, 'models', 'builder'], line: 31, column: 12 },
  { name: 'the second key of an inline table', path: ['phases', 1, 'models', 'adversary'], line: 31, column: 32 },
  { name: 'an inline table written without spaces', path: ['phases', 2, 'models', 'builder'], line: 35, column: 9 },
  { name: 'an inline table itself', path: ['phases', 1, 'models'], line: 31, column: 1 },
  { name: 'a key after the [[phases]] array', path: ['watchdog', 'crash_limit'], line: 38, column: 1 },
  { name: 'a dotted key under a table', path: ['agents', 'orchestrator', 'kind'], line: 41, column: 1 },
];

describe('locateKey', () => {
  it.each(rows)('$name: $path -> $line:$column', ({ path, line, column }) => {
    expect(locateKey(SOURCE, path)).toEqual({ line, column });
  });

  it('returns undefined for a path with nothing of it written', () => {
    expect(locateKey(SOURCE, ['nosuch'])).toBeUndefined();
    expect(locateKey(SOURCE, ['nosuch', 'deeper'])).toBeUndefined();
    expect(locateKey('', ['agents'])).toBeUndefined();
  });

  it('finds a [[phases]] index only if that many entries are written', () => {
    expect(locateKey(SOURCE, ['phases', 3, 'id'])).toBeUndefined();
  });

  it('counts each array of tables separately', () => {
    const source = ['[[phases]]', 'id = "a"', '[[extra]]', 'x = 1', '[[phases]]', 'id = "b"'].join('\n');
    expect(locateKey(source, ['phases', 1, 'id'])).toEqual({ line: 6, column: 1 });
    expect(locateKey(source, ['extra', 0, 'x'])).toEqual({ line: 4, column: 1 });
  });

  it('reads CRLF sources', () => {
    const source = '[agents.builder]\r\nkind = "loop"\r\nheal = "x"\r\n';
    expect(locateKey(source, ['agents', 'builder', 'heal'])).toEqual({ line: 3, column: 1 });
  });

  it('is not misled by key-looking lines inside a multi-line string', () => {
    const source = ['[agents.builder]', 'command = """', 'heal = "not a key"', '"""', 'heal = "sometimes"'].join('\n');
    expect(locateKey(source, ['agents', 'builder', 'heal'])).toEqual({ line: 5, column: 1 });
  });

  it('locates a top-level key written before any table', () => {
    expect(locateKey('colour = "red"\n[defaults]\n', ['colour'])).toEqual({ line: 1, column: 1 });
  });

  it('does not take a key of a later table for a top-level key', () => {
    // `colour` is only written inside [defaults]: that is defaults.colour, not colour
    expect(locateKey('[defaults]\ncolour = "red"\n', ['colour'])).toBeUndefined();
  });
});

describe('excerpt', () => {
  it('shows the line with its number and a caret under the column', () => {
    expect(excerpt('a = 1\nkind = loop\n', 2, 8)).toBe('2 | kind = loop\n           ^');
  });

  it('puts the caret under the first character for column 1 (and by default)', () => {
    expect(excerpt('colour = "x"', 1, 1)).toBe('1 | colour = "x"\n    ^');
    expect(excerpt('colour = "x"', 1)).toBe('1 | colour = "x"\n    ^');
  });

  it('widens the gutter for long line numbers', () => {
    const source = Array.from({ length: 120 }, (_, i) => `k${i + 1} = ${i + 1}`).join('\n');
    expect(excerpt(source, 110, 1)).toBe('110 | k110 = 110\n      ^');
  });

  it('strips the carriage return of a CRLF line', () => {
    expect(excerpt('a = 1\r\nb = ?\r\n', 2, 5)).toBe('2 | b = ?\n        ^');
  });

  const long = `k = [${'['.repeat(100_000)}${']'.repeat(100_000)}]`;
  it.each([
    // [what, source, column, the excerpt's line, the caret's offset into that line]
    ['a key holding escape sequences, caret still under the column', 'a\x1b]52;c;aGk=\x07\x1b[2J\x9d0;t\x9cb = 1', 23, 'ab = 1', 1],
    ['a tab shown as one space, the caret stays under its column', '\tk = ?', 6, ' k = ?', 5],
    ['a bidi override removed', 'x\u202e = 1', 3, 'x = 1', 1],
    ['a 200 kB line: 120 characters around the column', long, 100_006, `…${'['.repeat(60)}${']'.repeat(60)}…`, 61],
    ['the start of a long line', long, 1, `${'k = [['}${'['.repeat(114)}…`, 0],
    ['the end of a long line', long, long.length, `…${']'.repeat(120)}`, 120],
  ])('%s', (_what, source, column, shown, caret) => {
    const [first, second] = excerpt(source, 1, column).split('\n');
    expect(first).toBe(`1 | ${shown}`);
    expect(second).toBe(`${' '.repeat(4 + caret)}^`);
  });
});
