/** Events and messages as one-row lines for the panels. Pure. */
import type { EventRecord } from '../state/events.js';
import type { InboxLine } from './model.js';
import type { PanelLine } from './components/Panel.js';
import { paint, type Theme } from './theme.js';

/** `14:03:07` in local time; `--:--:--` when the time does not parse. */
export function clock(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '--:--:--';
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

const BAD = new Set(['died', 'failed', 'start-failed', 'stall-restart', 'config-error', 'not-converging']);
const WARN = new Set(['nudge', 'waiting', 'config-warning', 'backoff', 'agent-removed']);

export function eventLine(e: EventRecord, theme: Theme): PanelLine {
  const colour = BAD.has(e.event) ? paint('red', theme) : WARN.has(e.event) ? paint('yellow', theme) : undefined;
  return { text: `${clock(e.time)}  ${e.agent}  ${e.event}  ${oneLine(e.reason)}`, color: colour };
}

export function inboxLine(m: InboxLine): string {
  return `${clock(m.time).slice(0, 5)} ${m.from}→${m.to}: ${oneLine(m.text)}`;
}

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();
