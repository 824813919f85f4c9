import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { paint, useTheme } from '../theme.js';
import type { FleetRow } from './model.js';

export interface FleetListProps {
  rows: readonly FleetRow[];
  selected: string | null;
  width: number;
  /** rows of the terminal it may use; each project takes three */
  height: number;
}

/** One block per project: its name and folder, its phase, its one-line summary. */
export function FleetList({ rows, selected, width, height }: FleetListProps): ReactNode {
  const theme = useTheme();
  const fit = Math.max(1, Math.floor(height / 3));
  const at = Math.max(
    0,
    rows.findIndex((r) => r.name === selected),
  );
  const first = Math.min(Math.max(0, at - fit + 1), Math.max(0, rows.length - fit));
  return (
    <Box flexDirection="column" width={width}>
      {rows.slice(first, first + fit).map((row) => {
        const chosen = row.name === selected;
        const colour = !row.enabled ? undefined : row.healthy ? undefined : paint('red', theme);
        return (
          <Box key={row.name} flexDirection="column" width={width}>
            <Text wrap="truncate-end" inverse={chosen} bold>
              {`${chosen ? '›' : ' '} ${row.name}`}
              <Text dimColor={!chosen}>{` (${row.where})${row.enabled ? '' : ' disabled'}`}</Text>
            </Text>
            <Text wrap="truncate-end" dimColor={!row.enabled}>
              {`    ${row.phase ?? (row.error ? `config error: ${row.error}` : '-')}`}
            </Text>
            <Text wrap="truncate-end" color={colour} dimColor={!row.enabled}>
              {`    ${row.summary}`}
            </Text>
          </Box>
        );
      })}
    </Box>
  );
}
