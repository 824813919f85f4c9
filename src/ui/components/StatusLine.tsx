import { Text } from 'ink';
import type { ReactNode } from 'react';
import type { Mode } from '../keys.js';
import type { Notice } from '../model.js';
import { paint, toneColor, useTheme } from '../theme.js';

export interface StatusLineProps {
  mode: Mode;
  /** the selected agent */
  agent: string | null;
  /** the message being typed */
  draft: string;
  /** the question `p` asks */
  confirm: string;
  notice: Notice | null;
  /** what the engine could not read */
  error: string | null;
}

/** One row: the message being typed, the question being asked, or what the last action said. */
export function StatusLine({ mode, agent, draft, confirm, notice, error }: StatusLineProps): ReactNode {
  const theme = useTheme();
  if (mode === 'message') {
    return (
      <Text wrap="truncate-start">
        <Text bold color={paint('cyan', theme)}>
          message to {agent}:{' '}
        </Text>
        {draft}
        <Text inverse> </Text>
      </Text>
    );
  }
  if (mode === 'confirm') {
    return (
      <Text wrap="truncate-end" bold color={paint('yellow', theme)}>
        {confirm} [y/N]
      </Text>
    );
  }
  if (notice) {
    return (
      <Text wrap="truncate-end" color={toneColor(notice.tone, theme)}>
        {notice.text}
      </Text>
    );
  }
  if (error) {
    return (
      <Text wrap="truncate-end" color={paint('red', theme)}>
        {error}
      </Text>
    );
  }
  return <Text> </Text>;
}
