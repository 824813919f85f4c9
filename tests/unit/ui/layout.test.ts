import { describe, expect, it } from 'vitest';
import { computeLayout, split } from '../../../src/ui/layout.js';

describe('computeLayout', () => {
  it.each([
    [80, 24, 4, 0],
    [80, 24, 20, 0],
    [80, 24, 50, 3],
    [120, 40, 8, 0],
    [200, 60, 50, 2],
  ])('%i×%i with %i agents and a %i-line banner: the sections add up to one row less than the terminal', (columns, rows, agents, banner) => {
    const l = computeLayout({ columns, rows }, agents, banner);
    expect(1 + l.banner + l.table + l.middle + l.events + 2).toBe(rows - 1);
    expect(l.table).toBeGreaterThanOrEqual(3);
    expect(l.middle).toBeGreaterThanOrEqual(4);
    expect(l.events).toBeGreaterThanOrEqual(2);
    expect(l.width).toBe(columns);
  });

  it('a small team gets a table just tall enough, the rest goes to the screens', () => {
    const l = computeLayout({ columns: 120, rows: 40 }, 4, 0);
    expect(l.table).toBe(5);
  });

  it('split shares rows evenly', () => {
    expect(split(10, 3)).toEqual([4, 3, 3]);
    expect(split(2, 3)).toEqual([1, 1, 0]);
  });
});
