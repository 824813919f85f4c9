/** One `list-panes -a` answers for every agent: the format and its parser. */

export interface PaneInfo {
  session: string;
  paneId: string;
  pid: number | null;
  dead: boolean;
  /** exit status of a dead pane; null when tmux lost it (see DESIGN §5) or the pane lives */
  deadStatus: number | null;
  /** the signal that killed a dead pane's process, when tmux saw it */
  deadSignal: number | null;
  /** unix seconds of the window's last output */
  activity: number | null;
  /** unix seconds the session was created */
  created: number | null;
  command: string;
}

const FIELDS = [
  'session_name',
  'pane_id',
  'pane_pid',
  'pane_dead',
  'pane_dead_status',
  'pane_dead_signal',
  'window_activity',
  'session_created',
  'pane_current_command',
] as const;

const SEP = '\t';
export const SNAPSHOT_FORMAT = FIELDS.map((f) => `#{${f}}`).join(SEP);

function int(text: string | undefined): number | null {
  if (text === undefined || text === '') return null;
  const n = Number.parseInt(text, 10);
  return Number.isFinite(n) ? n : null;
}

export function parseSnapshot(stdout: string): PaneInfo[] {
  const panes: PaneInfo[] = [];
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const [session = '', paneId = '', pid, dead, deadStatus, deadSignal, activity, created, command = ''] = line.split(SEP);
    panes.push({
      session,
      paneId,
      pid: int(pid),
      dead: dead === '1',
      deadStatus: int(deadStatus),
      deadSignal: int(deadSignal),
      activity: int(activity),
      created: int(created),
      command,
    });
  }
  return panes;
}

/** The first pane of each session, keyed by session name (ao's sessions have one pane). */
export function bySession(panes: readonly PaneInfo[]): Map<string, PaneInfo> {
  const map = new Map<string, PaneInfo>();
  for (const pane of panes) if (!map.has(pane.session)) map.set(pane.session, pane);
  return map;
}
