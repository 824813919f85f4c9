import { Box, Text } from 'ink';
import { memo, type ReactNode } from 'react';
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
export const Panel = memo(PanelBlock, samePanel);

function PanelBlock({ title, note, lines, height, width, placeholder, keep = 'last' }: PanelProps): ReactNode {
  const theme = useTheme();
  if (height <= 0) return null;
  const room = height - 1;
  const shown = lines.length === 0 && placeholder ? [{ text: placeholder, dim: true }] : keep === 'last' ? lines.slice(-room) : lines.slice(0, room);
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
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

const sameLine = (a: string | PanelLine, b: string | PanelLine): boolean =>
  typeof a === 'string' || typeof b === 'string' ? a === b : a.text === b.text && a.color === b.color && a.dim === b.dim;

/**
 * Its callers build `lines` afresh each tick (a new capture, events mapped to lines), so it is
 * compared by content: a panel that reads the same, most of them most ticks, is not rendered again.
 */
function samePanel(a: PanelProps, b: PanelProps): boolean {
  return (
    a.title === b.title &&
    a.note === b.note &&
    a.height === b.height &&
    a.width === b.width &&
    a.placeholder === b.placeholder &&
    a.keep === b.keep &&
    a.lines.length === b.lines.length &&
    a.lines.every((line, i) => sameLine(line, b.lines[i]!))
  );
}
