/**
 * Every event ao records, with the details each carries (state/events.jsonl,
 * the watchdog's log, `ao events`, the dashboard). Pure: no I/O, so the
 * dashboard can colour by it. A new event is one entry here and one in EVENTS.
 */

// type aliases, not interfaces, so that details stay assignable to Record<string, unknown>
type Run = { iteration: number; restarts: number; by?: string };

/** The details an event carries; `never` for an event with none. */
export interface EventDetails {
  // the reconciler's decisions
  start: never;
  stop: never;
  'foreign-session': never;
  'iteration-done': { iteration: number; lived_ms: number };
  spinning: never;
  'task-done': { lived_ms: number };
  died: { lived_ms: number; healthy?: boolean; backoff_ms?: number };
  failed: never;
  'model-changed': never;
  'config-changed': never;
  'phase-changed': never;
  waiting: never;
  'stall-restart': never;
  nudge: never;
  /** provider trouble (a usage limit, an outage) or a budget: not a crash */
  paused: { kind: string; resumes_at?: string; try?: number };
  resume: never;
  /** the CLI would not continue the recorded conversation: a fresh one starts */
  'resume-refused': never;
  /** the conversation a Claude agent runs, as its SessionStart hook reports it */
  conversation: never;
  /** a persistent agent that ran before starts a new conversation (its backend keeps none, or `resume` is off) */
  'fresh-start': never;
  /** its starts move to its fallback model (its own overloaded for fallback_after_s, or a probe of it in trouble again) */
  fallback: { from: string | null; to: string; trigger: 'trouble' | 'probe' };
  /** a start on its own model again, fallback_probe_s after the move */
  'fallback-probe': { from: string; to: string | null };
  /** the probe of its own model went well: its starts use it again */
  'fallback-recovered': { from: string; to: string | null };
  /** an agent's own git worktree made at a start (src/workspace/): a new branch from the base, or a worktree again on its kept branch */
  'worktree-created': { path: string; branch: string; base: string | null };
  // the watchdog's execution of them
  started: Run;
  restart: Run;
  'next-iteration': Run;
  'start-error': never;
  'task-scheduled': never;
  'plan-edited': never;
  'sweep-failed': never;
  'sweep-recovered': never;
  /** the state folder refuses writes (full, read-only, no permission): no start or paste until it takes them again */
  'state-unwritable': { code: string };
  'state-writable': { unwritable_ms: number };
  /** the tmux server or the watchdog's pane was gone under a running team: `ao up --wait` brought it up again */
  'team-restored': never;
  'watchdog-start': { stale_temp_files_removed: number };
  'watchdog-restarted': { stale_temp_files_removed: number };
  // the screen watch's deliveries
  'waiting-over': never;
  'kickoff-delivered': never;
  'kickoff-unconfirmed': never;
  'kickoff-not-delivered': never;
  'mail-notice': never;
  'mail-notice-unconfirmed': never;
  'mail-notice-not-delivered': never;
  'nudge-pasted': never;
  'nudge-unconfirmed': never;
  'nudge-not-delivered': never;
  // live config
  'config-error': never;
  'config-warning': never;
  'config-reloaded': never;
  'agent-added': never;
  'agent-removed': never;
  // the phase gate
  /** the gate events carry the sha256 of the journal or review text they were read from, and the full SHA of the commit where the gate is bound to commits (the builder in a worktree) */
  'gate-claimed': { phase: string; journal_sha256: string; sha?: string };
  'claim-ignored': { phase: string; journal_sha256: string };
  'verdict-ignored': { phase: string; review_sha256: string };
  /** a commit-bound gate's claim that names no commit on the builder's branch: not a claim (the builder's inbox says why) */
  'claim-refused': { phase: string; journal_sha256: string };
  /** a commit-bound gate's verdict that names no commit, or another than the open claim's: it does not count */
  'verdict-refused': { phase: string; review_sha256: string };
  'gate-fail': { fails_in_a_row: number; phase: string; review_sha256: string; sha?: string };
  'not-converging': never;
  'gate-pass': { phase: string; journal_sha256: string; review_sha256: string; sha?: string };
  /** the passed commit landed: the target branch moved to it, fast-forward only (`from` null: the target was made for it) */
  landed: { target: string; from: string | null; to: string };
  /** the target branch could not fast-forward to the passed commit (moved by hand, or checked out): the phase stays */
  'land-refused': { target: string; sha: string };
  /** the phase the gate passed (`from`), and the seqs of the claim and pass verdict it rests on (the watchdog adds them as it writes) */
  'phase-advance': PhaseMove & { index: number; count: number };
  /** `ao phase set|next`: who moved it (`maintainer`, or the agent from whose pane it ran) */
  'phase-set': { by: string };
  /** the last phase passed (the phase, and its claim and verdict), or moved past by `ao phase next` (who moved it) */
  complete: { by: string } | PhaseMove;
  // the state files
  'state-corrupt': never;
  /** a file of the state folder ao refused (a link, a FIFO, a device, one past its cap), once per file */
  'bad-file': { file: string; reason: string };
  /** the watchdog's start found the ledger's tail does not chain or is not the head it recorded (an edit, a cut) */
  'ledger-broken': { kind: string; file: string; line: number; seq: number | null };
  // notifications ([notify]): each attempt, and what the limits held back
  'notify-sent': NotifyAttempt;
  'notify-failed': NotifyAttempt & { error: string };
  'notify-dropped': { dropped: number; by_event: Record<string, number> };
  /** `ao notify test`: the event its notification is of */
  'notify-test': never;
}

/** What a phase advance rests on: the gate of `from` passed, on the claim and verdict recorded at these seqs. */
type PhaseMove = { from: string; claim_seq?: number; verdict_seq?: number };

/** One attempt to deliver a notification of `event` to one target. */
type NotifyAttempt = { target: 'webhook' | 'command'; event: string; ms: number };

export type EventName = keyof EventDetails;

/** One event as ao writes it, its details typed by its name. */
export type AoEvent = {
  [K in EventName]: { agent: string; event: K; reason: string; details?: EventDetails[K] };
}[EventName];

/** `bad` shows red in the dashboard, `warn` yellow; `warn` in `log` logs at warn level. */
export interface EventInfo {
  tone: 'bad' | 'warn' | 'plain';
  log: 'info' | 'warn';
}

const plain: EventInfo = { tone: 'plain', log: 'info' };
const bad: EventInfo = { tone: 'bad', log: 'info' };
const warn: EventInfo = { tone: 'warn', log: 'info' };
const badWarned: EventInfo = { tone: 'bad', log: 'warn' };

export const EVENTS: Record<EventName, EventInfo> = {
  start: plain,
  stop: plain,
  'foreign-session': plain,
  'iteration-done': plain,
  spinning: plain,
  'task-done': plain,
  died: bad,
  failed: badWarned,
  'model-changed': plain,
  'config-changed': plain,
  'phase-changed': plain,
  waiting: warn,
  'stall-restart': bad,
  nudge: warn,
  paused: { tone: 'warn', log: 'warn' },
  resume: plain,
  'resume-refused': warn,
  conversation: plain,
  'fresh-start': warn,
  fallback: warn,
  'fallback-probe': plain,
  'fallback-recovered': plain,
  'worktree-created': plain,
  started: plain,
  restart: plain,
  'next-iteration': plain,
  'start-error': badWarned,
  'task-scheduled': plain,
  'plan-edited': plain,
  'sweep-failed': { tone: 'plain', log: 'warn' },
  'sweep-recovered': plain,
  'state-unwritable': { tone: 'bad', log: 'warn' },
  'state-writable': plain,
  'team-restored': warn,
  'watchdog-start': plain,
  'watchdog-restarted': plain,
  'waiting-over': plain,
  'kickoff-delivered': plain,
  'kickoff-unconfirmed': plain,
  'kickoff-not-delivered': plain,
  'mail-notice': plain,
  'mail-notice-unconfirmed': plain,
  'mail-notice-not-delivered': plain,
  'nudge-pasted': plain,
  'nudge-unconfirmed': plain,
  'nudge-not-delivered': plain,
  'config-error': badWarned,
  'config-warning': warn,
  'config-reloaded': plain,
  'agent-added': plain,
  'agent-removed': warn,
  'gate-claimed': plain,
  'claim-ignored': plain,
  'verdict-ignored': plain,
  'claim-refused': warn,
  'verdict-refused': warn,
  landed: plain,
  'land-refused': { tone: 'warn', log: 'warn' },
  'gate-fail': plain,
  'not-converging': bad,
  'gate-pass': plain,
  'phase-advance': plain,
  'phase-set': plain,
  complete: plain,
  'state-corrupt': plain,
  'bad-file': { tone: 'bad', log: 'warn' },
  'notify-sent': plain,
  'notify-failed': { tone: 'warn', log: 'warn' },
  'notify-dropped': warn,
  'notify-test': plain,
  'ledger-broken': badWarned,
};

/**
 * The events `[notify]` sends when it names none: an agent failed, paused or
 * stalled (nudged, then restarted), the gate failing again and again, a phase
 * passed, the team complete, the watchdog restarted by its sh parent, a broken
 * agents.toml, a ledger whose tail was edited or cut.
 */
export const NOTIFY_DEFAULT_EVENTS: readonly EventName[] = [
  'failed',
  'paused',
  'nudge',
  'stall-restart',
  'not-converging',
  'phase-advance',
  'complete',
  'watchdog-restarted',
  'config-error',
  'ledger-broken',
];

/** Names a maintainer may reach for, and the events ao records for them. */
export const NOTIFY_NAME_HINTS: Readonly<Record<string, readonly EventName[]>> = {
  stalled: ['nudge', 'stall-restart'],
  'gate-failed-repeatedly': ['not-converging'],
  'phase-advanced': ['phase-advance'],
  'watchdog-restart': ['watchdog-restarted'],
};

/** Every event a notification may be asked for: all but the notifications' own. */
export function notifiable(name: string): name is EventName {
  return Object.hasOwn(EVENTS, name) && !name.startsWith('notify-');
}

/** What is known of an event read back from a file, which may be older or foreign. */
export function eventInfo(name: string): EventInfo {
  return Object.hasOwn(EVENTS, name) ? EVENTS[name as EventName] : plain;
}

/**
 * An event's reason as one line of text for a person: a reason of several lines
 * (a config error's caret snippet) joined, one that only repeats the event's
 * name left out.
 */
export function reasonLine(e: { event: string; reason: string }): string {
  return e.reason === e.event ? '' : e.reason.replace(/\s*\n\s*/g, ' ⏎ ');
}
