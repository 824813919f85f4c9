import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { paint, useTheme, type Colour } from '../theme.js';

export interface PanelLine {
  text: string;
  color?: Colour | undefined;
  dim?: boolean;
}

export interface PanelProps {
  title: string;
  /** a few words after the title, dimmed (a file name, a hint) */
  note?: string;
  lines: readonly (string | PanelLine)[];
  /** rows, the title included */
  height: number;
  width: number;
  /** shown when there are no lines */
  placeholder?: string;
  /** which lines to keep when there are too many: the newest (bottom, default) or the first */
  keep?: 'last' | 'first';
}

/** A titled block of one-row lines, clipped to its size: nothing in it can wrap or overflow. */
export function Panel({ title, note, lines, height, width, placeholder, keep = 'last' }: PanelProps): ReactNode {
  const theme = useTheme();
  if (height <= 0) return null;
  const room = height - 1;
  const shown = lines.length === 0 && placeholder ? [{ text: placeholder, dim: true }] : keep === 'last' ? lines.slice(-room) : lines.slice(0, room);
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text wrap="truncate-end">
        <Text bold color={paint('cyan', theme)}>
          {title}
        </Text>
        {note ? <Text dimColor> {note}</Text> : null}
      </Text>
      {room > 0 &&
        shown.map((line, i) => {
          const l = typeof line === 'string' ? { text: line } : line;
          return (
            <Text key={i} wrap="truncate-end" color={l.color} dimColor={l.dim ?? false}>
              {l.text === '' ? ' ' : l.text}
            </Text>
          );
        })}
    </Box>
  );
}
