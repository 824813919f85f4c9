import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { claimLine, failLine, parseVerdicts, passLine, stepGate } from '../../../src/phases/gate.js';
import { openGate } from '../../../src/state/gate-state.js';
import { describeFinding, failReason, itemsToFix, mergeItems, parsePlan, parseReason, refusePath, viewGate } from '../../../src/demo/plan.js';

const repoPlan = (file: string): string => readFileSync(new URL(`../../../phases/${file}`, import.meta.url), 'utf8');

describe('parsePlan', () => {
  it("reads the repository's demo phases", () => {
    expect(parsePlan(repoPlan('01-scaffold.md'))).toEqual({
      build: [
        { path: 'sandbox/README.md', content: 'a demo project built by the ao demo team' },
        { path: 'sandbox/hello.txt', content: 'hello from the builder' },
      ],
      review: [],
      refused: [],
    });
    expect(parsePlan(repoPlan('02-feature.md'))).toEqual({
      build: [{ path: 'sandbox/greet.txt', content: 'hello, ao' }],
      review: [{ path: 'sandbox/NOTES.md', content: 'greet.txt says hello' }],
      refused: [],
    });
    expect(parsePlan(repoPlan('03-polish.md')).build).toEqual([{ path: 'sandbox/CHANGELOG.md', content: 'scaffold, feature and polish are done' }]);
  });

  it('takes items only from the Build and Review sections, outside fences; everything else is prose', () => {
    const plan = parsePlan(
      [
        '# Phase x',
        '- `before.txt`: not in a section',
        '## Build',
        'Some prose with `code`: in it.',
        '- `a.txt`:   spaced content  ',
        '* `b/c.txt`: star item',
        '  - `not an item` because no colon',
        '```',
        '- `fenced.txt`: example only',
        '```',
        '### Notes',
        '- `notes.txt`: under another heading',
        '## Review',
        '- `r.txt`: checked too',
        '## Other',
        '- `other.txt`: ignored',
      ].join('\n'),
    );
    expect(plan.build).toEqual([
      { path: 'a.txt', content: 'spaced content' },
      { path: 'b/c.txt', content: 'star item' },
    ]);
    expect(plan.review).toEqual([{ path: 'r.txt', content: 'checked too' }]);
  });

  it('refuses items whose path leaves the state folder', () => {
    const plan = parsePlan('## Build\n- `../escape.txt`: x\n- `/etc/passwd`: x\n- `a/../../b`: x\n- `C:\\\\x`: x\n- `ok/file..txt`: fine\n');
    expect(plan.build).toEqual([{ path: 'ok/file..txt', content: 'fine' }]);
    expect(plan.refused.map((r) => r.path)).toEqual(['../escape.txt', '/etc/passwd', 'a/../../b', 'C:\\\\x']);
  });
});

describe('refusePath', () => {
  it.each([
    ['sandbox/a.txt', false],
    ['./a.txt', false],
    ['a..b', false],
    ['', true],
    ['..', true],
    ['../a', true],
    ['a/../../b', true],
    ['a\\..\\b', true],
    ['/abs', true],
    ['\\abs', true],
    ['D:/abs', true],
  ] as const)('%j refused: %s', (path, refused) => {
    expect(refusePath(path) !== null).toBe(refused);
  });
});

describe('the fail-reason format', () => {
  it('is the documented line', () => {
    const item = { path: 'sandbox/NOTES.md', content: 'greet.txt says hello' };
    expect(failReason(item, { kind: 'missing' })).toBe('`sandbox/NOTES.md`: expected "greet.txt says hello", found nothing');
    expect(failReason(item, { kind: 'text', text: 'hi\n' })).toBe('`sandbox/NOTES.md`: expected "greet.txt says hello", found "hi"');
    expect(failReason(item, { kind: 'unreadable', code: 'EISDIR' })).toBe(
      '`sandbox/NOTES.md`: expected "greet.txt says hello", found no readable file (EISDIR)',
    );
    expect(failReason(item, { kind: 'text', text: 'x'.repeat(100) })).toMatch(/found "x{59}…"$/);
    expect(describeFinding(item, { kind: 'text', text: 'greet.txt says hello\n' })).toBe('`sandbox/NOTES.md`: ok');
  });

  it.each(['hello, ao', 'say "hi", then \\ leave', 'tab\there', 'ünïcode — ok', 'found nothing'])('round-trips %j through the review', (content) => {
    const item = { path: 'sandbox/x.txt', content };
    for (const found of [{ kind: 'missing' } as const, { kind: 'text', text: 'a\n"b"\nc' } as const]) {
      const review = `${failLine('p')}\n- ${failReason(item, found)}\n`;
      const [verdict] = parseVerdicts(review, 'p');
      expect(verdict!.reasons).toHaveLength(1);
      expect(parseReason(verdict!.reasons[0]!)).toEqual(item);
    }
  });

  it.each([
    'the plan asks for a changelog',
    '`a.txt`: missing',
    '`../x`: expected "y", found nothing',
    '`a.txt`: expected "unterminated',
    '`a.txt`: refused, `..` is refused',
  ])('ignores the reason %j', (reason) => {
    expect(parseReason(reason)).toBeNull();
  });
});

describe('viewGate', () => {
  const J1 = `## a\n\n${claimLine('p')}\n`;
  const J2 = `${J1}\n## b\n\n${claimLine('p')}\n`;
  const FAIL = `${failLine('p')}\n- ${failReason({ path: 'n.md', content: 'x' }, { kind: 'missing' })}\n`;

  it.each([
    ['nothing yet', '', '', { claims: 0, open: false }],
    ['claimed', J1, '', { claims: 1, open: true }],
    ['failed', J1, FAIL, { claims: 1, open: false }],
    ['claimed again after a fail', J2, FAIL, { claims: 2, open: true }],
    ['passed after the fix', J2, `${FAIL}\n${passLine('p')}\n`, { claims: 2, open: false }],
    ['a claim of another phase', claimLine('q'), '', { claims: 0, open: false }],
    ['a fenced claim', '```\nGATE CLAIMED: p\n```\n', '', { claims: 0, open: false }],
  ])('%s', (_name, journal, review, want) => {
    expect(viewGate(journal, review, 'p')).toMatchObject(want);
  });

  it('sees the claim after a fail, as a replay of stepGate over the whole files does', () => {
    // both take new lines in protocol order: claim, verdict, claim
    expect(stepGate(openGate(), J2, FAIL, 'p').state.status).toBe('claimed');
    expect(viewGate(J2, FAIL, 'p').open).toBe(true);
  });

  it('names the items of the newest fail to fix, and none once the gate is claimed or passed', () => {
    const failed = viewGate(J1, FAIL, 'p');
    expect(itemsToFix(failed)).toEqual([{ path: 'n.md', content: 'x' }]);
    expect(itemsToFix(viewGate(J2, FAIL, 'p'))).toEqual([]);
    expect(itemsToFix(viewGate(J1, passLine('p'), 'p'))).toEqual([]);
  });
});

describe('mergeItems', () => {
  it('keeps one item per path, the later one', () => {
    expect(
      mergeItems(
        [
          { path: 'a', content: '1' },
          { path: 'b', content: '2' },
        ],
        [{ path: 'a', content: '3' }],
      ),
    ).toEqual([
      { path: 'b', content: '2' },
      { path: 'a', content: '3' },
    ]);
  });
});
