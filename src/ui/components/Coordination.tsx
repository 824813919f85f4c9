import { Box } from 'ink';
import type { ReactNode } from 'react';
import { split } from '../layout.js';
import { inboxLine } from '../lines.js';
import type { InboxLine, TailView } from '../model.js';
import { useTheme } from '../theme.js';
import { Panel } from './Panel.js';

export interface CoordinationProps {
  journal: TailView;
  review: TailView;
  inbox: readonly InboxLine[];
  height: number;
  /** the width, the left rule included */
  width: number;
}

/** The tails of the phase's journal and review, and the newest inbox messages, stacked behind a rule. */
export function Coordination({ journal, review, inbox, height, width }: CoordinationProps): ReactNode {
  const theme = useTheme();
  const [journalRows = 0, reviewRows = 0, inboxRows = 0] = split(height, 3);
  const inner = width - 1;
  return (
    <Box
      flexDirection="column"
      width={width}
      height={height}
      borderStyle="single"
      borderTop={false}
      borderRight={false}
      borderBottom={false}
      borderDimColor={theme.color}
    >
      <Panel title="journal" note={journal.name} lines={journal.lines} height={journalRows} width={inner} placeholder="nothing written yet" />
      <Panel title="review" note={review.name} lines={review.lines} height={reviewRows} width={inner} placeholder="nothing written yet" />
      <Panel title="inboxes" lines={inbox.map(inboxLine)} height={inboxRows} width={inner} placeholder="no messages" />
    </Box>
  );
}
