import { describe, expect, it } from 'vitest';
import { buildStatus } from '../../../src/supervisor/status.js';
import { fit, GAP, layoutColumns, MARKER, rowCells } from '../../../src/ui/columns.js';
import { shortDuration, since } from '../../../src/ui/model.js';
import { everyState, everyStateObserved, NOW } from './fixtures.js';

const report = buildStatus(everyState, everyStateObserved());
const rows = report.agents.map((a) => rowCells(a, a.pid === null ? null : NOW - 3_723_000, NOW));
const widthOf = (cols: { width: number }[]): number => MARKER + cols.reduce((s, c) => s + c.width, 0) + GAP * (cols.length - 1);

describe('layoutColumns', () => {
  it('shows every column, in the order of the issue, when there is room', () => {
    const cols = layoutColumns(rows, 200);
    expect(cols.map((c) => c.id)).toEqual(['name', 'kind', 'backend', 'model', 'heal', 'state', 'up', 'restarts', 'iteration', 'activity']);
    expect(widthOf(cols)).toBeLessThanOrEqual(200);
  });

  it.each([80, 90, 100, 120, 60, 40])('fits %i columns, dropping heal, backend and kind first', (width) => {
    const cols = layoutColumns(rows, width);
    expect(widthOf(cols)).toBeLessThanOrEqual(width);
    const ids = cols.map((c) => c.id);
    // what a maintainer needs most stays longest
    if (width >= 80) expect(ids).toEqual(expect.arrayContaining(['name', 'state', 'up', 'restarts', 'activity']));
    if (ids.includes('heal')) expect(ids).toContain('kind');
  });

  it('a BRANCH column after the model only where some agent has a worktree, `*` when its last start found uncommitted work; it goes first', () => {
    const withBranch = report.agents.map((a, i) =>
      rowCells(i === 0 ? { ...a, workspace: { path: 'state/worktrees/runner', branch: 'ao/runner', head: 'abc', dirty: true, seen_at: null } } : a, null, NOW),
    );
    expect(withBranch[0]!.branch).toBe('ao/runner*');
    expect(layoutColumns(withBranch, 200).map((c) => c.id)).toEqual([
      'name',
      'kind',
      'backend',
      'model',
      'branch',
      'heal',
      'state',
      'up',
      'restarts',
      'iteration',
      'activity',
    ]);
    expect(layoutColumns(withBranch, 80).map((c) => c.id)).not.toContain('branch');
    expect(layoutColumns(rows, 200).map((c) => c.id)).not.toContain('branch');
  });

  it('at 80 columns the model gives way before the state, which keeps its usual labels whole', () => {
    const cols = layoutColumns(rows, 80);
    expect(cols.find((c) => c.id === 'state')!.width).toBeGreaterThanOrEqual('BACKOFF (restart in 7s)'.length);
    expect(cols.find((c) => c.id === 'model')!.width).toBeLessThan('claude-sonnet-4-6'.length);
  });
});

describe('rowCells', () => {
  it('uptime and activity for a live agent, dashes for a stopped one', () => {
    const runner = rows[0]!;
    expect(runner).toMatchObject({ name: 'runner', state: 'RUNNING', up: '1h02m', activity: '5s', restarts: '0', iteration: '-' });
    const idle = rows.find((r) => r.name === 'idle')!;
    expect(idle).toMatchObject({ state: 'STOPPED', up: '-', activity: '-' });
    expect(rows.find((r) => r.name === 'staller')).toMatchObject({ state: 'STALLED 14m', iteration: '3', restarts: '2' });
    expect(rows.find((r) => r.name === 'broken')!.state).toMatch(/^FAILED \(crash loop/);
  });
});

describe('formatting', () => {
  it.each([
    [0, '0s'],
    [59, '59s'],
    [60, '1m'],
    [3599, '59m'],
    [3723, '1h02m'],
    [86_400 + 4 * 3600, '1d4h'],
  ])('shortDuration(%i) = %s', (s, text) => expect(shortDuration(s)).toBe(text));

  it('since: unknown times are a dash', () => {
    expect(since(null, NOW)).toBe('-');
    expect(since('not a date', NOW)).toBe('-');
    expect(since(NOW - 90_000, NOW)).toBe('1m');
  });

  it('fit truncates with an ellipsis and pads', () => {
    expect(fit('orchestrator', 8)).toBe('orchest…');
    expect(fit('7', 4, 'right')).toBe('   7');
    expect(fit('ab', 4)).toBe('ab  ');
  });
});
