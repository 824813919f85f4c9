/** Events and messages as one-row lines for the panels. Pure. */
import type { LoggedEvent } from '../state/events.js';
import type { InboxLine } from './model.js';
import type { PanelLine } from './components/Panel.js';
import { paint, type Theme } from './theme.js';
import { eventInfo, reasonLine } from '../state/event-catalogue.js';
import { safeName } from '../text/safe.js';

/** `14:03:07` in local time; `--:--:--` when the time does not parse. */
export function clock(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '--:--:--';
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

const TONE = { bad: 'red', warn: 'yellow' } as const;

export function eventLine(e: LoggedEvent, theme: Theme): PanelLine {
  const { tone } = eventInfo(e.event);
  const colour = tone === 'plain' ? undefined : paint(TONE[tone], theme);
  // columns as in ao events: agent and event names padded, so the reasons start in one column
  return { text: `${clock(e.time)}  ${safeName(e.agent).padEnd(12)}  ${safeName(e.event).padEnd(14)}  ${oneLine(reasonLine(e))}`.trimEnd(), color: colour };
}

export function inboxLine(m: InboxLine): string {
  return `${clock(m.time).slice(0, 5)} ${safeName(m.from)}→${safeName(m.to)}: ${oneLine(m.text)}`;
}

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();
