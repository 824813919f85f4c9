import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { paint, useTheme } from '../theme.js';

export interface ConfigBannerProps {
  /** the error as `ao check` prints it */
  error: string;
  /** rows it may take, its title included */
  height: number;
  width: number;
}

/** agents.toml does not validate: the team keeps running the last good config. */
export function ConfigBanner({ error, height, width }: ConfigBannerProps): ReactNode {
  const theme = useTheme();
  if (height <= 0) return null;
  const lines = error.split('\n').filter((l) => l.trim() !== '');
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <Text wrap="truncate-end" color={paint('red', theme)} bold>
        config error: agents.toml does not validate; the last good config keeps running
      </Text>
      {lines.slice(0, height - 1).map((line, i) => (
        <Text key={i} wrap="truncate-end" color={paint('red', theme)}>
          {line}
        </Text>
      ))}
    </Box>
  );
}
