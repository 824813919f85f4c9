import { Text } from 'ink';
import type { ReactNode } from 'react';
import { phaseHeader } from '../../supervisor/labels.js';
import type { StatusReport } from '../../supervisor/status.js';
import { since } from '../model.js';
import { paint, useTheme } from '../theme.js';

export interface HeaderProps {
  report: StatusReport | null;
  /** unix ms the phase began */
  phaseStartedAt: number | null;
  now: number;
  width: number;
}

/** `project · phase: id [i/n] plan=… (status) · in phase 3h12m`, as `ao status` prints it, coloured by status. */
export function Header({ report, phaseStartedAt, now, width }: HeaderProps): ReactNode {
  const theme = useTheme();
  if (!report) {
    return (
      <Text wrap="truncate-end" dimColor>
        ao dash: reading the team…
      </Text>
    );
  }
  const { phase } = report;
  const colour =
    phase.status === 'complete'
      ? paint('green', theme)
      : phase.status === 'not converging'
        ? paint('red', theme)
        : phase.gate === 'claimed'
          ? paint('yellow', theme)
          : undefined;
  return (
    <Text wrap="truncate-end">
      <Text bold>{report.project}</Text>
      <Text> · </Text>
      <Text color={colour} bold={phase.status === 'complete'}>
        {phaseHeader(phase)}
      </Text>
      {phaseStartedAt !== null ? <Text dimColor> · in phase {since(phaseStartedAt, now)}</Text> : null}
      {width >= 100 && !report.server ? <Text dimColor> · no tmux server</Text> : null}
    </Text>
  );
}
