import { Box, Text } from 'ink';
import { memo, type ReactNode } from 'react';
import type { AgentStatus } from '../../supervisor/status.js';
import { fit, GAP, layoutColumns, rowCells, type Column, type RowCells } from '../columns.js';
import { stateColor, useTheme } from '../theme.js';

export interface AgentTableProps {
  agents: readonly AgentStatus[];
  /** unix ms of each live agent's last start */
  startedAt: Readonly<Record<string, number | null>>;
  now: number;
  selected: string | null;
  /** rows, the column titles included */
  height: number;
  width: number;
}

const SEP = ' '.repeat(GAP);

/** The agents that fit `rows`, scrolled so that the selected one is always in view. */
export function visibleWindow<T>(items: readonly T[], selectedIndex: number, rows: number): { start: number; items: T[] } {
  if (items.length <= rows) return { start: 0, items: [...items] };
  const start = Math.min(Math.max(0, selectedIndex - Math.floor(rows / 2)), items.length - rows);
  return { start, items: items.slice(start, start + rows) };
}

interface RowProps {
  /** the marker and the cells before the state, fitted and joined */
  before: string;
  /** the state cell, fitted: the only one in colour */
  stateText: string;
  after: string;
  state: AgentStatus['state'];
  selected: boolean;
}

/** Plain props only, so an agent whose row reads the same is not rendered again (most rows, most ticks). */
const Row = memo(function Row({ before, stateText, after, state, selected }: RowProps): ReactNode {
  const theme = useTheme();
  return (
    <Text wrap="truncate-end" inverse={selected && theme.color} bold={selected} dimColor={state === 'stopped' && !selected}>
      {before}
      <Text color={stateColor(state, theme)}>{stateText}</Text>
      {after}
    </Text>
  );
});

/** The row's text split around its state cell (which is absent when the table is too narrow for it). */
function rowText(cells: RowCells, columns: readonly Column[], marker: string): Pick<RowProps, 'before' | 'stateText' | 'after'> {
  const parts = columns.map((c) => fit(cells[c.id], c.width, c.align));
  const at = columns.findIndex((c) => c.id === 'state');
  if (at < 0) return { before: marker + parts.join(SEP), stateText: '', after: '' };
  return {
    before: marker + parts.slice(0, at).join(SEP) + (at > 0 ? SEP : ''),
    stateText: parts[at] ?? '',
    after: parts.length > at + 1 ? SEP + parts.slice(at + 1).join(SEP) : '',
  };
}

/** One row per agent: name, kind, backend, model, heal, state in colour, uptime, restarts, iteration, last activity. */
export function AgentTable({ agents, startedAt, now, selected, height, width }: AgentTableProps): ReactNode {
  const rows = agents.map((a) => rowCells(a, startedAt[a.name], now));
  const columns = layoutColumns(rows, width);
  const index = Math.max(
    0,
    agents.findIndex((a) => a.name === selected),
  );
  const shown = visibleWindow(agents, index, Math.max(0, height - 1));
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <Text wrap="truncate-end" dimColor>
        {'  '}
        {columns.map((c, i) => `${i > 0 ? SEP : ''}${fit(c.title, c.width, c.align)}`).join('')}
      </Text>
      {shown.items.map((agent, i) => {
        // arrows on the edge rows: more agents above or below
        const more = i === 0 && shown.start > 0 ? '↑' : i === shown.items.length - 1 && shown.start + i < agents.length - 1 ? '↓' : null;
        const isSelected = agent.name === selected;
        const marker = isSelected ? '> ' : more ? `${more} ` : '  ';
        return <Row key={agent.name} {...rowText(rows[shown.start + i]!, columns, marker)} state={agent.state} selected={isSelected} />;
      })}
    </Box>
  );
}
