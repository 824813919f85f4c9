/** What the dashboard shows: one plain value the engine publishes and the components render. */
import type { LoggedEvent } from '../state/events.js';
import type { AgentState, StatusReport } from '../supervisor/status.js';

import type { InboxLine, TailView } from '../readmodel/feed.js';

export type { InboxLine, TailView };

/** Lines of a pane (preview) or of an agent's log. */
export interface PaneView {
  agent: string;
  lines: string[];
}

export type NoticeTone = 'info' | 'busy' | 'error';

export interface Notice {
  text: string;
  tone: NoticeTone;
}

export interface DashState {
  /** null until the first tick */
  report: StatusReport | null;
  /** unix ms of each live agent's last start, for its uptime */
  startedAt: Record<string, number | null>;
  /** unix ms the current phase began (or the team first started), when known */
  phaseStartedAt: number | null;
  /** unix ms of the tick the report was built at: every relative time is measured from it */
  now: number;
  preview: PaneView | null;
  log: PaneView | null;
  journal: TailView;
  review: TailView;
  inbox: InboxLine[];
  events: LoggedEvent[];
  /** what the last action said (restart, send, …) */
  notice: Notice | null;
  /** why the engine could not read the state (corrupt file, tmux failure) */
  error: string | null;
}

export type View = 'preview' | 'log';

export const emptyTail = (name: string): TailView => ({ name, exists: false, lines: [] });

export function initialDashState(now = Date.now()): DashState {
  return {
    report: null,
    startedAt: {},
    phaseStartedAt: null,
    now,
    preview: null,
    log: null,
    journal: emptyTail(''),
    review: emptyTail(''),
    inbox: [],
    events: [],
    notice: null,
    error: null,
  };
}

/** Agents that have a live process: `s` stops them, the others it starts. */
export const LIVE_STATES: readonly AgentState[] = ['running', 'waiting', 'stalled', 'backoff'];

/** A duration in seconds, short: 42s, 7m, 3h12m, 2d4h. */
export function shortDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3600)}h`;
}

/** `3m` since an ISO time or unix ms, `-` when unknown. */
export function since(at: string | number | null | undefined, now: number): string {
  if (at === null || at === undefined) return '-';
  const ms = typeof at === 'number' ? at : Date.parse(at);
  return Number.isFinite(ms) ? shortDuration((now - ms) / 1000) : '-';
}
