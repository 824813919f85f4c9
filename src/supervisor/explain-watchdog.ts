/**
 * `ao explain watchdog`, the pure part: the watchdog's own process, what
 * supervises it, and what ao remembers of its starts.
 */
import type { AgentRecord } from '../state/agents.js';
import type { PaneInfo } from '../tmux/snapshot.js';
import type { AgentStatus } from './status.js';

export interface WatchdogExplanation {
  agent: 'watchdog';
  state: string;
  detail: string | null;
  session: string;
  /** the watchdog's own node process */
  pid: number | null;
  /** the sh in its pane that starts it again when it dies */
  supervisor_pid: number | null;
  /** who brings it back, in order */
  supervised_by: string[];
  up: boolean;
  started_at: string | null;
  pane: { exists: boolean; alive: boolean; exit_status: number | null; exit_signal: number | null };
}

export function explainWatchdog(status: AgentStatus, record: AgentRecord | undefined, pane: PaneInfo | undefined): WatchdogExplanation {
  return {
    agent: 'watchdog',
    state: status.state,
    detail: status.detail,
    session: status.session,
    pid: status.pid,
    supervisor_pid: status.supervisor_pid ?? null,
    supervised_by: [
      'its sh parent (the pane program): starts it again after a death, backoff 1 s to 60 s',
      "tmux's pane-died hook on its session: respawns the pane if that sh dies",
      '`ao up --wait`, where it runs: a dead watchdog pane or a lost tmux server brings the team back up',
    ],
    up: status.up,
    started_at: record?.startedAt ?? null,
    pane: { exists: pane !== undefined, alive: pane !== undefined && !pane.dead, exit_status: pane?.deadStatus ?? null, exit_signal: pane?.deadSignal ?? null },
  };
}

export function formatWatchdogExplanation(e: WatchdogExplanation): string {
  const lines = [
    `watchdog: ${e.state.toUpperCase()}${e.detail ? ` (${e.detail})` : ''}`,
    `process:      ${e.pid === null ? 'none' : `pid ${e.pid}`}; supervisor (sh) ${e.supervisor_pid === null ? '-' : `pid ${e.supervisor_pid}`}`,
    `session:      ${e.session}; pane ${e.pane.exists ? (e.pane.alive ? 'alive' : `dead${e.pane.exit_status !== null ? `, exit ${e.pane.exit_status}` : ''}`) : 'none'}`,
    `brought up:   ${e.up ? 'yes' : 'no'}; last start ${e.started_at ?? '-'}`,
    'supervised by:',
    ...e.supervised_by.map((s) => `  - ${s}`),
  ];
  return `${lines.join('\n')}\n`;
}
