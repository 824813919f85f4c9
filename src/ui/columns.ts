/**
 * Which columns of the agent table fit a width, and how wide each is. Pure:
 * the table drops the least useful columns first and truncates names and
 * models last, so every row fits from 80 columns up.
 */
import { modelLabel, stateLabel } from '../supervisor/labels.js';
import type { AgentStatus } from '../supervisor/status.js';
import { since } from './model.js';

export type ColumnId = 'name' | 'kind' | 'backend' | 'model' | 'branch' | 'heal' | 'state' | 'up' | 'restarts' | 'iteration' | 'activity';

export interface Column {
  id: ColumnId;
  title: string;
  width: number;
  align: 'left' | 'right';
}

/** The cells of one agent's row, as text. */
export type RowCells = Record<ColumnId, string>;

interface ColumnDef {
  id: ColumnId;
  title: string;
  align: 'left' | 'right';
  /** higher stays longer when space runs out */
  keep: number;
  /** the narrowest it may be truncated to; equal to its width when it never truncates */
  min: number;
  max: number;
}

/** In the order shown (the order of the issue). */
const DEFS: readonly ColumnDef[] = [
  { id: 'name', title: 'NAME', align: 'left', keep: 10, min: 8, max: 20 },
  { id: 'kind', title: 'KIND', align: 'left', keep: 3, min: 10, max: 10 },
  { id: 'backend', title: 'BACKEND', align: 'left', keep: 2, min: 7, max: 8 },
  { id: 'model', title: 'MODEL', align: 'left', keep: 4, min: 8, max: 24 },
  // only where some agent works in a worktree of its own (its branch; `*` when its last start found uncommitted work)
  { id: 'branch', title: 'BRANCH', align: 'left', keep: 0, min: 6, max: 20 },
  { id: 'heal', title: 'HEAL', align: 'left', keep: 1, min: 10, max: 10 },
  { id: 'state', title: 'STATE', align: 'left', keep: 9, min: 11, max: 28 },
  { id: 'up', title: 'UP', align: 'right', keep: 7, min: 6, max: 6 },
  { id: 'restarts', title: 'RST', align: 'right', keep: 6, min: 3, max: 4 },
  { id: 'iteration', title: 'ITER', align: 'right', keep: 5, min: 4, max: 5 },
  { id: 'activity', title: 'ACTIVE', align: 'right', keep: 8, min: 6, max: 6 },
];

export const GAP = 2;
/** the selection marker before each row */
export const MARKER = 2;

export function rowCells(agent: AgentStatus, startedAt: number | null | undefined, now: number): RowCells {
  const live = agent.pid !== null;
  return {
    name: agent.name,
    kind: agent.kind,
    backend: agent.backend ?? '-',
    model: modelLabel(agent),
    branch: agent.workspace ? `${agent.workspace.branch}${agent.workspace.dirty ? '*' : ''}` : '-',
    heal: agent.heal ?? '-',
    state: stateLabel(agent),
    up: live ? since(startedAt ?? null, now) : '-',
    restarts: String(agent.restarts),
    iteration: agent.kind === 'loop' ? String(agent.iteration) : '-',
    activity: live || agent.last_activity ? since(agent.last_activity, now) : '-',
  };
}

const total = (cols: readonly { width: number }[]): number => MARKER + cols.reduce((sum, c) => sum + c.width, 0) + GAP * Math.max(0, cols.length - 1);

/** The columns that fit `width`, sized to their content. */
export function layoutColumns(rows: readonly RowCells[], width: number): Column[] {
  const worktrees = rows.some((r) => r.branch !== '-');
  let cols = DEFS.filter((d) => d.id !== 'branch' || worktrees).map((d) => {
    const content = Math.max(d.title.length, ...rows.map((r) => r[d.id].length));
    return { def: d, width: Math.min(d.max, Math.max(d.title.length, content)) };
  });
  // drop whole columns, least useful first, while even truncation could not make them fit
  const shrinkable = (cs: typeof cols): number => total(cs.map((c) => ({ width: Math.min(c.width, c.def.min) })));
  while (shrinkable(cols) > width && cols.length > 1) {
    const weakest = cols.reduce((a, b) => (b.def.keep < a.def.keep ? b : a));
    cols = cols.filter((c) => c !== weakest);
  }
  // then drop optional columns that do not fit at their natural width, then truncate
  for (const optional of ['branch', 'heal', 'backend', 'kind'] as ColumnId[]) {
    if (total(cols) <= width) break;
    cols = cols.filter((c) => c.def.id !== optional);
  }
  let over = total(cols) - width;
  for (const id of ['model', 'state', 'name'] as ColumnId[]) {
    const col = cols.find((c) => c.def.id === id);
    if (!col || over <= 0) continue;
    const cut = Math.min(over, col.width - col.def.min);
    col.width -= cut;
    over -= cut;
  }
  return cols.map((c) => ({ id: c.def.id, title: c.def.title, width: c.width, align: c.def.align }));
}

/** A cell fitted to its column: truncated with an ellipsis, padded. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const cut = text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
  return align === 'right' ? cut.padStart(width) : cut.padEnd(width);
}
