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
  /** the project that made the session (its @ao_project option); null for a session ao did not make */
  owner: string | null;
}

/** The session option that names a session's owning project (DESIGN §4.9). */
export const OWNER_OPTION = '@ao_project';

const FIELDS = [
  'session_name',
  'pane_id',
  'pane_pid',
  'pane_dead',
  'pane_dead_status',
  'pane_dead_signal',
  'window_activity',
  'session_created',
  // last: a config path may hold the separator
  OWNER_OPTION,
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
    const [session = '', paneId = '', pid, dead, deadStatus, deadSignal, activity, created, ...owner] = line.split(SEP);
    panes.push({
      session,
      paneId,
      pid: int(pid),
      dead: dead === '1',
      deadStatus: int(deadStatus),
      deadSignal: int(deadSignal),
      activity: int(activity),
      created: int(created),
      owner: owner.length > 0 && owner.join(SEP) !== '' ? owner.join(SEP) : null,
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

/**
 * The sessions of one owner by name, and apart the sessions that have one of
 * its names but another owner (or none): those are reported, never touched.
 */
export function ownSessions(panes: readonly PaneInfo[], owner: string): { own: Map<string, PaneInfo>; foreign: Map<string, PaneInfo> } {
  const own = new Map<string, PaneInfo>();
  const foreign = new Map<string, PaneInfo>();
  for (const [name, pane] of bySession(panes)) (pane.owner === owner ? own : foreign).set(name, pane);
  return { own, foreign };
}

/** What to say of a session that has one's name but is not one's own. */
export const foreignNote = (pane: PaneInfo): string => (pane.owner ? `belongs to another project (${pane.owner})` : 'was not made by ao');
