import { describe, expect, it } from 'vitest';
import { capText, escapeHtml, jsonText, NAME_MAX, safeDeep, safeLine, safeName, safeText } from '../../../src/text/safe.js';

/** What no text shown to a person may hold: ESC, BEL, any other C0 but \n \t, DEL, C1, bidi controls. */
// eslint-disable-next-line no-control-regex
const UNSAFE_SHOWN = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('safeText', () => {
  const cases: Array<[string, string, string]> = [
    ['plain text', 'hello, world', 'hello, world'],
    ['newlines and tabs kept', 'a\n\tb\n', 'a\n\tb\n'],
    ['non-ASCII kept', 'phase · done … ✓ 日本 😀', 'phase · done … ✓ 日本 😀'],
    ['OSC 52 clipboard, BEL-ended', 'a\x1b]52;c;aGk=\x07b', 'ab'],
    ['OSC 0 title', 'x\x1b]0;pwned\x07y', 'xy'],
    ['OSC ended by ESC \\', 'x\x1b]0;pwned\x1b\\y', 'xy'],
    ['clear screen', 'x\x1b[2Jy', 'xy'],
    ['colour', '\x1b[1;31mred\x1b[0m', 'red'],
    ['private-mode CSI', '\x1b[?1049hx\x1b[?25l', 'x'],
    ['OSC 8 hyperlink keeps its text', '\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\', 'link'],
    ['8-bit CSI', 'x\x9b2Jy', 'xy'],
    ['8-bit OSC ended by 8-bit ST', 'x\x9d0;t\x9cy', 'xy'],
    ['8-bit OSC ended by BEL', 'x\x9d52;c;aGk=\x07y', 'xy'],
    ['8-bit DCS', 'x\x90qpayload\x9cy', 'xy'],
    ['8-bit APC, PM, SOS', '\x9fa\x9c\x9eb\x9c\x98c\x9cz', 'z'],
    ['lone C1 controls', 'a\x85b\x8dc\x9cd', 'abcd'],
    ['7-bit DCS, APC, PM, SOS', '\x1bPq#0\x1b\\\x1b_a\x1b\\\x1b^b\x1b\\\x1bXc\x1b\\z', 'z'],
    ['two-character escapes', 'a\x1bcb\x1b7c\x1b8d\x1b(Be', 'abcde'],
    ['BEL alone', 'ding\x07', 'ding'],
    ['other C0 and DEL', 'a\x00b\x01c\x08d\x0be\x0cf\rg\x7fh', 'abcdefgh'],
    ['sequence split by NUL', '\x1b\x00]52;c;aGk=\x07x', 'x'],
    ['CSI split by controls', '\x1b\x01[\x002J!', '!'],
    ['newline inside CSI is kept, the CSI still removed', '\x1b[\n2Jx', '\nx'],
    ['nested OSC', '\x1b]0;\x1b]52;c;aGk=\x07\x07x', 'x'],
    ['ESC inside CSI starts over', '\x1b[2\x1b[2Jx', 'x'],
    ['8-bit inside 7-bit', '\x1b]0;\x9b2J\x07x', 'x'],
    ['CAN cancels a sequence', '\x1b[2\x18Jx', 'Jx'],
    ['unterminated OSC ends at the line', 'a\x1b]0;title\nnext line', 'a\nnext line'],
    ['ESC at the end', 'abc\x1b', 'abc'],
    ['ESC before non-ASCII', '\x1bé', 'é'],
    ['bidi overrides and isolates', 'a\u202eb\u202ac\u2066d\u2069e\u200ff\u061cg', 'abcdefg'],
    ['line and paragraph separators become spaces', 'a\u2028b\u2029c', 'a b c'],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(safeText(input)).toBe(expected);
    expect(safeText(input)).not.toMatch(UNSAFE_SHOWN);
  });

  it('is idempotent and leaves clean text the same string', () => {
    for (const [, input] of cases) expect(safeText(safeText(input))).toBe(safeText(input));
    const clean = 'nothing to do\n';
    expect(safeText(clean)).toBe(clean);
  });

  it('leaves no control whatever the input (every code point below U+00A0, every pair)', () => {
    const points = Array.from({ length: 0xa0 }, (_, c) => String.fromCharCode(c));
    let all = '';
    for (const a of points) for (const b of ['\x1b', '\x9b', '\x9d', '[', ']', 'P', '\\', '\x07', 'x']) all += a + b;
    expect(safeText(all)).not.toMatch(UNSAFE_SHOWN);
    expect(safeText(all + all.split('').reverse().join(''))).not.toMatch(UNSAFE_SHOWN);
  });
});

describe('safeLine', () => {
  it.each([
    ['a\nb\tc', 'a b c'],
    ['fake\nbuilder  RUNNING', 'fake builder  RUNNING'],
    ['\x1b]0;t\x07x\r\ny', 'x y'],
  ])('%j -> %j', (input, expected) => expect(safeLine(input)).toBe(expected));
});

describe('capText and safeName', () => {
  it.each([
    ['short', 10, 'short'],
    ['exactly10!', 10, 'exactly10!'],
    ['eleven chars', 10, 'eleven ch…'],
    ['ab😀cd', 4, 'ab…'], // never half a surrogate pair
    ['', 3, ''],
  ])('capText(%j, %d) = %j', (input, max, expected) => expect(capText(input, max)).toBe(expected));

  it('caps a name at NAME_MAX and makes it one safe line', () => {
    const long = `\x1b]0;t\x07${'n'.repeat(500)}\nx`;
    const shown = safeName(long);
    expect(shown).toHaveLength(NAME_MAX);
    expect(shown.endsWith('…')).toBe(true);
    // eslint-disable-next-line no-control-regex
    expect(shown).not.toMatch(/[\n\x1b\x07]/);
  });
});

describe('escapeHtml', () => {
  it('escapes the markup characters after removing controls', () => {
    expect(escapeHtml(`<a href="x">'&'</a>\x1b[2J\x9d0;t\x9c`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('jsonText', () => {
  it.each([
    ['C0 (as JSON.stringify does)', '\x1b]52;c;aGk=\x07'],
    ['C1 and DEL', '\x9b2J\x9d0;t\x9c\x7f'],
    ['bidi and separators', 'a\u202eb\u2066c\u2028d'],
  ])('%s: escaped, the same value read back', (_name, value) => {
    const text = jsonText({ reason: value, list: [value] }, 2);
    expect(text).not.toMatch(UNSAFE_SHOWN);
    expect(text).not.toMatch(/[\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual({ reason: value, list: [value] });
  });

  it('is JSON.stringify for clean values', () => {
    const value = { a: 1, b: ['x', null], c: 'é …' };
    expect(jsonText(value)).toBe(JSON.stringify(value));
    expect(jsonText(value, 2)).toBe(JSON.stringify(value, null, 2));
  });
});

describe('safeDeep', () => {
  it('cleans every string and key, and returns the same object when nothing changes', () => {
    const dirty = { a: 'x\x1b[2J', b: [{ c: '\x9d0;t\x9cy', d: 3 }], ['k\x07']: null, e: true };
    expect(safeDeep(dirty)).toEqual({ a: 'x', b: [{ c: 'y', d: 3 }], k: null, e: true });
    const clean = { a: 'x', b: [{ c: 'y', d: 3 }] };
    expect(safeDeep(clean)).toBe(clean);
    const partly = { same: { a: 'x' }, other: 'y\x07' };
    expect(safeDeep(partly).same).toBe(partly.same);
  });
});
