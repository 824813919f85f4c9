/**
 * Where the watchdog holds an agent, named the way supervisord names its
 * process states: one tagged value per agent in agents.json (`life`), each
 * state carrying what belongs to it and nothing else. Whether a pane runs is
 * tmux's to say; this is what ao has decided about the agent. The reconciler
 * moves an agent from one state to another (supervisor/reconcile.ts,
 * death.ts); `ao status`, `ao explain` and the dashboard put the state into
 * words (`lifeWords`) and derive nothing of their own.
 */

export type Life =
  /** nothing holds it: it runs while its pane lives and is started when it does not */
  | { is: 'clear' }
  /** it crashed: started again at `until` (the backoff of its failed starts in a row) */
  | { is: 'backoff'; until: number; lastExit: string | null }
  /** a loop's iteration ended within min_iteration_s: the next one starts at `until` */
  | { is: 'pacing'; until: number }
  /** provider trouble (`until` the reset or the next probe) or a budget (`until` null: a raised number lets it go on) */
  | { is: 'paused'; until: number | null; why: string }
  /** silent past its stall time with a screen that asks for input: left alone */
  | { is: 'waiting' }
  /** its last start could not be made: tried again at `retryAt` */
  | { is: 'error'; retryAt: number; message: string }
  /** a crash loop: left down until a person starts it */
  | { is: 'failed'; why: string }
  /** its session name is taken by a session ao did not make for this project: touched by nothing */
  | { is: 'foreign' };

export type LifeState = Life['is'];

export const CLEAR: Life = Object.freeze({ is: 'clear' });

/** The state a record is in (a record written before `life` existed, and not yet migrated, is clear). */
export function lifeOf(record: { life?: Life | null } | undefined): Life {
  return record?.life ?? CLEAR;
}

/** When a held agent may be started next: the end of its backoff, pacing, pause or error wait; null when nothing is scheduled. */
export function nextStartOf(life: Life): number | null {
  switch (life.is) {
    case 'backoff':
    case 'pacing':
    case 'paused':
      return life.until;
    case 'error':
      return life.retryAt;
    default:
      return null;
  }
}

/** Why it is held, in a person's words (the reason its state carries), or null. */
export function reasonOf(life: Life): string | null {
  switch (life.is) {
    case 'backoff':
      return life.lastExit;
    case 'paused':
    case 'failed':
      return life.why;
    case 'error':
      return life.message;
    default:
      return null;
  }
}

/** The fields of an agents.json record written before `life`: its state was spread over them. */
export interface OldLifeFields {
  condition?: string | null;
  nextStartAt?: number | null;
  failedReason?: string | null;
  pausedReason?: string | null;
  error?: string | null;
  lastExit?: string | null;
}

const OLD_FIELDS = ['condition', 'nextStartAt', 'failedReason', 'pausedReason', 'error', 'lastExit'] as const;

/**
 * An older ao's record, read: its `condition` and the fields beside it become
 * one `life` (written so at the next write), and those fields go. A record
 * that has a `life` keeps it.
 */
export function migrateLife(record: OldLifeFields & { life?: Life | null; lastStartError?: string | null }): void {
  const had = OLD_FIELDS.some((key) => key in record);
  if (!had) return;
  record.life ??= lifeFromOld(record);
  // `error` was also the memory of the last start error told, kept until a start was made
  if (record.error != null) record.lastStartError ??= record.error;
  for (const key of OLD_FIELDS) Reflect.deleteProperty(record, key);
}

function lifeFromOld(old: OldLifeFields): Life {
  const until = old.nextStartAt ?? null;
  switch (old.condition) {
    case 'backoff':
      return { is: 'backoff', until: until ?? 0, lastExit: old.lastExit ?? null };
    case 'pacing':
    case 'spinning':
      return { is: 'pacing', until: until ?? 0 };
    case 'paused':
      return { is: 'paused', until, why: old.pausedReason ?? 'provider trouble' };
    case 'waiting':
      return { is: 'waiting' };
    case 'error':
      return { is: 'error', retryAt: until ?? 0, message: old.error ?? 'its start failed' };
    case 'failed':
      return { is: 'failed', why: old.failedReason ?? 'crash loop' };
    case 'foreign':
      return { is: 'foreign' };
    default:
      // no condition: a death healed at once (its next start due already), or nothing wrong
      return CLEAR;
  }
}

const STATES: readonly LifeState[] = ['clear', 'backoff', 'pacing', 'paused', 'waiting', 'error', 'failed', 'foreign'];

/** Whether a stored `life` is a state this ao knows, with the fields that state needs (else agents.json is not one it can trust). */
export function isLife(value: unknown): value is Life {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const num = (key: string): boolean => typeof v[key] === 'number';
  const str = (key: string): boolean => typeof v[key] === 'string';
  switch (v.is) {
    case 'backoff':
      return num('until') && (str('lastExit') || v.lastExit === null);
    case 'pacing':
      return num('until');
    case 'paused':
      return (num('until') || v.until === null) && str('why');
    case 'error':
      return num('retryAt') && str('message');
    case 'failed':
      return str('why');
    default:
      return STATES.includes(v.is as LifeState) && typeof v.is === 'string';
  }
}
