import { Box, Text } from 'ink';
import { Fragment, type ReactNode } from 'react';
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

function Row({
  cells,
  columns,
  agent,
  selected,
  more,
}: {
  cells: RowCells;
  columns: Column[];
  agent: AgentStatus;
  selected: boolean;
  more: '↑' | '↓' | null;
}): ReactNode {
  const theme = useTheme();
  const stopped = agent.state === 'stopped';
  return (
    <Text wrap="truncate-end" inverse={selected && theme.color} bold={selected} dimColor={stopped && !selected}>
      {selected ? '> ' : more ? `${more} ` : '  '}
      {columns.map((c, i) => (
        <Fragment key={c.id}>
          {i > 0 ? SEP : ''}
          <Text color={c.id === 'state' ? stateColor(agent.state, theme) : undefined}>{fit(cells[c.id], c.width, c.align)}</Text>
        </Fragment>
      ))}
    </Text>
  );
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
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text wrap="truncate-end" dimColor>
        {'  '}
        {columns.map((c, i) => `${i > 0 ? SEP : ''}${fit(c.title, c.width, c.align)}`).join('')}
      </Text>
      {shown.items.map((agent, i) => {
        // arrows on the edge rows: more agents above or below
        const more = i === 0 && shown.start > 0 ? '↑' : i === shown.items.length - 1 && shown.start + i < agents.length - 1 ? '↓' : null;
        return <Row key={agent.name} agent={agent} cells={rows[shown.start + i]!} columns={columns} selected={agent.name === selected} more={more} />;
      })}
    </Box>
  );
}
