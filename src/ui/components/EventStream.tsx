import type { ReactNode } from 'react';
import type { LoggedEvent } from '../../state/events.js';
import { eventLine } from '../lines.js';
import { useTheme } from '../theme.js';
import { Panel } from './Panel.js';

export interface EventStreamProps {
  events: readonly LoggedEvent[];
  height: number;
  width: number;
}

/** The watchdog's newest decisions, newest last. */
export function EventStream({ events, height, width }: EventStreamProps): ReactNode {
  const theme = useTheme();
  return (
    <Panel
      title="events"
      lines={events.map((e) => eventLine(e, theme))}
      height={height}
      width={width}
      placeholder="no events yet: the watchdog records every start, death, restart and nudge"
    />
  );
}
