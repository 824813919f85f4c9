import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { KEY_HELP } from '../keys.js';
import { paint, useTheme } from '../theme.js';

export interface HelpProps {
  height: number;
  width: number;
}

/** The keys and what they do. */
export function Help({ height, width }: HelpProps): ReactNode {
  const theme = useTheme();
  const lines = [
    ...KEY_HELP.map(([key, what]) => `${key.padEnd(10)} ${what}`),
    '',
    'The dashboard reads what `ao status` reads and changes nothing until a key asks it to.',
  ];
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <Text bold color={paint('cyan', theme)}>
        keys
      </Text>
      {lines.slice(0, Math.max(0, height - 1)).map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {line === '' ? ' ' : line}
        </Text>
      ))}
    </Box>
  );
}
