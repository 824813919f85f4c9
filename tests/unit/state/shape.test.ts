import { describe, expect, it } from 'vitest';
import * as S from '../../../src/state/shape.js';

// The hand-written shapes of agents.json and phase.json: what they accept, and
// the path and words of what they refuse.

const shape = S.looseObject({
  version: S.literal(1),
  n: S.count,
  i: S.optional(S.intCount),
  s: S.nullable(S.string),
  list: S.optional(S.array(S.number)),
  agents: S.record(S.looseObject({ up: S.boolean })),
});
const ok = { version: 1, n: 0.5, s: null, agents: { a: { up: true, extra: 'kept' } }, newer: 'field' };

describe('shape checks', () => {
  it('accept a value of the shape, with fields a newer ao adds', () => {
    expect(S.shapeIssues(shape, ok)).toEqual([]);
    expect(S.shapeIssues(shape, { ...ok, i: 3, list: [1, 2], s: 'x' })).toEqual([]);
  });

  it.each<[string, unknown, [string, string][]]>([
    ['null', null, [['', 'expected object, received null']]],
    ['an array', [], [['', 'expected object, received array']]],
    ['a wrong literal', { ...ok, version: 2 }, [['version', 'expected 1, received number']]],
    ['a missing field', { version: 1, s: null, agents: {} }, [['n', 'expected a number ≥ 0, received undefined']]],
    ['a negative count', { ...ok, n: -1 }, [['n', 'expected a number ≥ 0, received number']]],
    ['a fraction where an integer goes', { ...ok, i: 1.5 }, [['i', 'expected an integer ≥ 0, received number']]],
    ['a wrong item', { ...ok, list: [1, 'two'] }, [['list.1', 'expected number, received string']]],
    ['a record entry of the wrong shape', { ...ok, agents: { a: { up: 'yes' }, b: null } }, [['agents.a.up', 'expected boolean, received string'], ['agents.b', 'expected object, received null']]],
    ['a record that is an array', { ...ok, agents: [] }, [['agents', 'expected object, received array']]],
  ])('refuse %s', (_what, value, expected) => {
    expect(S.shapeIssues(shape, value).map((i) => [i.path.join('.'), i.message])).toEqual(expected);
  });
});
