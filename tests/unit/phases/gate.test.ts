import { describe, expect, it } from 'vitest';
import { parseClaims, parseVerdicts, stepGate } from '../../../src/phases/gate.js';
import { openGate } from '../../../src/state/gate-state.js';

describe('parseClaims: exact marker lines only', () => {
  it.each([
    ['GATE CLAIMED: alpha', 1],
    ['GATE CLAIMED: alpha   ', 1], // trailing blanks are tolerated
    ['notes\n\nGATE CLAIMED: alpha\nmore notes', 1],
    ['GATE CLAIMED: alpha\nGATE CLAIMED: alpha', 2],
    // near misses
    ['GATE CLAIMED: beta', 0],
    ['gate claimed: alpha', 0],
    ['  GATE CLAIMED: alpha', 0],
    ['> GATE CLAIMED: alpha', 0],
    ['- GATE CLAIMED: alpha', 0],
    ['GATE CLAIMED: alpha, finally', 0],
    ['GATE CLAIMED:alpha', 0],
    ['GATE CLAIMED: alpha.', 0],
    ['I will write GATE CLAIMED: alpha when done', 0],
    ['```\nGATE CLAIMED: alpha\n```', 0],
    ['~~~md\nGATE CLAIMED: alpha\n~~~', 0],
    ['```\nexample\n```\nGATE CLAIMED: alpha', 1],
    ['GATE CLAIMED: alpha\r\n', 1],
  ])('%j -> %i claims', (text, count) => {
    expect(parseClaims(text, 'alpha')).toHaveLength(count);
  });
});

describe('parseVerdicts', () => {
  it.each([
    ['VERDICT: PASS alpha', [{ pass: true, reasons: [] }]],
    ['VERDICT: FAIL alpha\n- `a.txt`: missing\n- tests fail\n\n- not a reason', [{ pass: false, reasons: ['`a.txt`: missing', 'tests fail'] }]],
    ['VERDICT: FAIL alpha\n* star bullets count too', [{ pass: false, reasons: ['star bullets count too'] }]],
    ['VERDICT: FAIL alpha\nno bullet, no reason', [{ pass: false, reasons: [] }]],
    [
      'VERDICT: FAIL alpha\nVERDICT: PASS alpha',
      [
        { pass: false, reasons: [] },
        { pass: true, reasons: [] },
      ],
    ],
    // near misses
    ['verdict: pass alpha', []],
    ['VERDICT: PASS', []],
    ['VERDICT: PASS beta', []],
    ['VERDICT: PASS alpha, mostly', []],
    ['VERDICT: PASSED alpha', []],
    ['VERDICT:PASS alpha', []],
    ['> VERDICT: PASS alpha', []],
    [' VERDICT: PASS alpha', []],
    ['**VERDICT: PASS alpha**', []],
    ['```\nVERDICT: PASS alpha\n```', []],
  ])('%j', (text, expected) => {
    expect(parseVerdicts(text, 'alpha').map((v) => ({ pass: v.pass, reasons: v.reasons }))).toEqual(expected);
  });
});

const claim = 'GATE CLAIMED: alpha\n';
const pass = 'VERDICT: PASS alpha\n';
const fail = 'VERDICT: FAIL alpha\n- reason\n';

describe('stepGate', () => {
  it('claim, then pass', () => {
    const a = stepGate(openGate(), claim, '', 'alpha');
    expect(a.state.status).toBe('claimed');
    expect(a.events.map((e) => e.type)).toEqual(['claimed']);
    const b = stepGate(a.state, claim, pass, 'alpha');
    expect(b.events.map((e) => e.type)).toEqual(['pass']);
    expect(b.state).toMatchObject({ status: 'open', failStreak: 0 });
  });

  it('a fail sends reasons and opens the gate again; fails in a row are counted, a pass resets them', () => {
    let s = stepGate(openGate(), claim, '', 'alpha').state;
    const failed = stepGate(s, claim, fail, 'alpha');
    expect(failed.events).toEqual([{ type: 'fail', line: 1, reasons: ['reason'] }]);
    s = stepGate(failed.state, claim + claim, fail, 'alpha').state;
    s = stepGate(s, claim + claim, fail + fail, 'alpha').state;
    expect(s.failStreak).toBe(2);
    s = stepGate(s, claim + claim + claim, fail + fail, 'alpha').state;
    s = stepGate(s, claim + claim + claim, fail + fail + pass, 'alpha').state;
    expect(s.failStreak).toBe(0);
  });

  it('a verdict with no open claim is ignored, with an event', () => {
    const r = stepGate(openGate(), '', pass, 'alpha');
    expect(r.events).toEqual([{ type: 'ignored-verdict', line: 1, pass: true }]);
    expect(r.state.status).toBe('open');
    // and it does not answer a later claim
    const later = stepGate(r.state, claim, pass, 'alpha');
    expect(later.events.map((e) => e.type)).toEqual(['claimed']);
  });

  it('a second claim while one is open is ignored', () => {
    const r = stepGate(stepGate(openGate(), claim, '', 'alpha').state, claim + claim, '', 'alpha');
    expect(r.events.map((e) => e.type)).toEqual(['ignored-claim']);
  });

  it('lines seen at once are taken in protocol order: claim, fail, claim leaves the gate claimed', () => {
    const r = stepGate(openGate(), claim + claim, fail, 'alpha');
    expect(r.events.map((e) => e.type)).toEqual(['claimed', 'fail', 'claimed']);
    expect(r.state.status).toBe('claimed');
  });

  it('is tolerant of free text and rewrites: a file rewritten shorter never counts twice', () => {
    const s = stepGate(openGate(), `# notes\n${claim}more`, '', 'alpha').state;
    const again = stepGate(s, `# rewritten\n${claim}`, '', 'alpha');
    expect(again.events).toEqual([]);
  });
});
