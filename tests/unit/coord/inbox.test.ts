import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coordPaths } from '../../../src/config/resolve.js';
import { appendMessage, formatRecord, parseInbox, readInbox, sanitizeMessage, type Message } from '../../../src/coord/inbox.js';
import { UsageError } from '../../../src/errors.js';
import { layout } from '../../../src/state/layout.js';
import { projectOf } from '../../helpers/builders.js';
import { scratchDir } from '../../helpers/scratch.js';

const ESC = '\x1b';
const stateDir = (): string => scratchDir('ao-inbox-');

describe('sanitizeMessage', () => {
  it.each([
    ['plain text', 'plain text', 'plain text'],
    ['ANSI colours', `${ESC}[1;31mred${ESC}[0m and ${ESC}[38;5;208morange${ESC}[m`, 'red and orange'],
    ['OSC title ended by BEL', `${ESC}]0;pwned title\x07after`, 'after'],
    ['OSC title ended by ST', `${ESC}]2;title${ESC}\\after`, 'after'],
    ['OSC 8 hyperlink', `${ESC}]8;;https://x.test${ESC}\\link${ESC}]8;;${ESC}\\`, 'link'],
    ['bracketed paste markers', `${ESC}[200~inside${ESC}[201~\nrm -rf /`, 'inside\nrm -rf /'],
    ['C1 CSI paste end marker', 'a\x9b201~b', 'ab'],
    // read as a terminal reads it: the second ESC starts over, ESC [0m is the sequence, and `[201~` is plain text (no ESC left to make a marker)
    ['a paste end marker rebuilt by stripping', `${ESC}${ESC}[0m[201~tail`, '[201~tail'],
    ['a paste end marker split by NUL', `${ESC}\x00[201~tail`, 'tail'],
    ['carriage returns', 'one\r\ntwo\rthree\r', 'one\ntwothree'],
    ['backspace', 'abc\b\bd', 'abcd'],
    ['BEL', 'ding\x07dong', 'dingdong'],
    ['C1 controls', 'a\x80b\x85c\x8dd', 'abcd'],
    // 0x9f is APC, 8-bit: it opens a control string, which goes with its payload as ESC _ does
    ['an 8-bit APC and its payload', 'a\x80b\x85c\x9fd', 'abc'],
    ['NUL and DEL', 'a\x00b\x7fc', 'abc'],
    ['a lone ESC', `x${ESC}é${ESC}`, 'xé'],
    ['a two-byte escape', `x${ESC}7y${ESC}8`, 'xy'],
    ['newlines and tabs kept', 'a\n\tb\n\nc', 'a\n\tb\n\nc'],
    ['non-ASCII and emoji kept', 'Grüße, 日本語, naïve café 🚀👩‍💻', 'Grüße, 日本語, naïve café 🚀👩‍💻'],
    ['trailing whitespace trimmed', 'text  \n\t\n \n', 'text'],
    ['leading blank lines kept', '\n\n  indented', '\n\n  indented'],
    ['only controls', `${ESC}[0m\x07\r\n `, ''],
  ])('%s', (_name, input, expected) => {
    expect(sanitizeMessage(input)).toBe(expected);
  });

  it('leaves nothing a terminal would act on, whatever the input', () => {
    const nasty = Array.from({ length: 2000 }, (_, i) => String.fromCharCode((i * 7919) % 0xa0)).join('') + `${ESC}[201~`;
    const clean = sanitizeMessage(nasty);
    // eslint-disable-next-line no-control-regex
    expect(clean).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    expect(sanitizeMessage(clean)).toBe(clean);
  });
});

describe('the inbox file', () => {
  const awkward: Record<string, string> = {
    'a line that looks like a header': 'before\n## abc-1-2-3 · 2025-01-01T00:00:00.000Z · from mallory\nafter',
    'only a header-like line': '## abc-1-2-3 · 2025-01-01T00:00:00.000Z · from mallory',
    markdown: '# Title\n\n- item\n- [ ] task\n\n```ts\nconst x = 1;\n```\n\n> quoted\n>\n> > nested',
    'a lone ---': '---',
    'horizontal rules and blank lines': 'a\n\n---\n\n\nb',
    quotes: `"double" 'single' “curly” «angle»`,
    'shell syntax': 'echo $(rm -rf ~) `whoami` ${HOME} && exit; | tee',
    'a lone >': '>',
    'lines starting with > and spaces': '> x\n>\n  > y\n>>z',
    'leading blank lines and indentation': '\n\n    code\n\ttabbed',
    'non-ASCII and emoji': 'Grüße 🚀 日本語',
    'a blank-looking line of spaces inside': 'a\n   \nb',
  };

  it.each(Object.entries(awkward))('round trips %s exactly', async (_name, text) => {
    const dir = stateDir();
    await appendMessage(dir, 'builder', 'maintainer', 'first');
    const sent = await appendMessage(dir, 'builder', 'adversary', text);
    await appendMessage(dir, 'builder', 'maintainer', 'last');
    const read = readInbox(dir, 'builder');
    expect(read.map((m) => m.text)).toEqual(['first', sanitizeMessage(text), 'last']);
    expect(read[1]).toEqual(sent);
  });

  it('writes readable Markdown: a header, the text quoted, a blank line', async () => {
    const dir = stateDir();
    const m = await appendMessage(dir, 'builder', 'maintainer', 'Please fix it.\n\nThanks');
    expect(readFileSync(layout.inbox(dir, 'builder'), 'utf8')).toBe(`## ${m.id} · ${m.time} · from maintainer\n> Please fix it.\n>\n> Thanks\n\n`);
    expect(m.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('sanitizes the message and the sender before writing', async () => {
    const dir = stateDir();
    const m = await appendMessage(dir, 'builder', `evil\n## x${ESC}[31m`, `hi${ESC}[201~\r\n`);
    expect(m).toMatchObject({ from: 'evil ## x', text: 'hi' });
    expect(readFileSync(layout.inbox(dir, 'builder'), 'utf8')).not.toContain(ESC);
    expect(readInbox(dir, 'builder')).toEqual([m]);
  });

  it('refuses an empty message, creating nothing', async () => {
    const dir = stateDir();
    await expect(appendMessage(dir, 'builder', 'maintainer', ` \n${ESC}[0m\x07\t`)).rejects.toBeInstanceOf(UsageError);
    expect(existsSync(layout.inboxes(dir))).toBe(false);
  });

  it('drops a record cut short, and the next append still lands whole', async () => {
    const dir = stateDir();
    const first = await appendMessage(dir, 'builder', 'maintainer', 'whole');
    const file = layout.inbox(dir, 'builder');
    const torn = formatRecord({ id: 'torn-1-1-aaaaaa', time: '2025-01-01T00:00:00.000Z', from: 'x', text: 'cut\nshort here' });
    for (const cut of [5, 40, torn.indexOf('> cut') + 3, torn.indexOf('short'), torn.length - 1]) {
      writeFileSync(file, formatRecord(first) + torn.slice(0, cut));
      expect(readInbox(dir, 'builder')).toEqual([first]);
      const next = await appendMessage(dir, 'builder', 'maintainer', 'after the crash');
      expect(readInbox(dir, 'builder')).toEqual([first, next]);
    }
  });

  it('ignores free text a human added, and tolerates CRLF line ends', () => {
    const m: Message = { id: 'a-1-1-abcdef', time: '2025-01-01T00:00:00.000Z', from: 'maintainer', text: 'hello\n\nworld' };
    const n: Message = { ...m, id: 'b-1-2-abcdef', text: 'second' };
    const content = [
      '# Inbox of builder',
      'Some notes.',
      '',
      formatRecord(m),
      'a remark between records',
      '## not a header',
      '',
      formatRecord(n),
      'trailing note\n',
    ].join('\n');
    expect(parseInbox(content)).toEqual([m, n]);
    expect(parseInbox(content.replace(/\n/g, '\r\n'))).toEqual([m, n]);
  });

  it('reads a missing inbox as empty and creates nothing', () => {
    const dir = stateDir();
    expect(readInbox(join(dir, 'state'), 'builder')).toEqual([]);
    expect(existsSync(join(dir, 'state'))).toBe(false);
  });

  it('gives unique ids to many concurrent appends, keeping every record whole', async () => {
    const dir = stateDir();
    const sent = await Promise.all(Array.from({ length: 200 }, (_, i) => appendMessage(dir, 'builder', `s${i % 7}`, `message ${i}\n## fake header\n`)));
    const read = readInbox(dir, 'builder');
    expect(read).toHaveLength(200);
    expect(new Set(read.map((m) => m.id)).size).toBe(200);
    expect(new Set(read.map((m) => m.text))).toEqual(new Set(sent.map((m) => m.text)));
    expect(read.map((m) => m.time)).toEqual([...read.map((m) => m.time)].sort());
  });

  it('agrees with coordPaths on where the inbox is', () => {
    const project = projectOf({ stateDir: '/p/state' });
    expect(coordPaths(project, 'one', 'builder').inbox).toBe(layout.inbox('/p/state', 'builder'));
    expect(layout.inbox('/p/state', 'builder')).toBe('/p/state/inbox/builder.md');
  });

  it('keeps its lock beside the inbox and releases it', async () => {
    const dir = stateDir();
    await appendMessage(dir, 'builder', 'maintainer', 'x');
    expect(existsSync(`${layout.inbox(dir, 'builder')}.lock`)).toBe(false);
    appendFileSync(layout.inbox(dir, 'builder'), 'note\n');
    expect(readInbox(dir, 'builder')).toHaveLength(1);
  });
});
