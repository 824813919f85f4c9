/**
 * `ao explain AGENT`, the pure part: which signals decided an agent's state
 * and when each was last seen — its pane, the launcher's exit record, the
 * screen detector, the CLI's hooks, what is due to be pasted, the record's
 * condition, and the stall clock.
 */
import type { ScreenState } from '../backends/types.js';
import type { AgentSpec } from '../config/types.js';
import type { AgentRecord } from '../state/agents.js';
import type { ProcExit } from '../state/procwatch.js';
import type { HookView } from '../state/signals.js';
import type { PaneInfo } from '../tmux/snapshot.js';
import { silenceMs } from './reconcile.js';
import type { AgentStatus } from './status.js';
import { safeLine, safeName } from '../text/safe.js';
import { lifeOf, nextStartOf, reasonOf } from '../state/lifecycle.js';

export interface ExplainInput {
  agent: AgentSpec;
  status: AgentStatus;
  record: AgentRecord | undefined;
  pane: PaneInfo | undefined;
  /** the launcher's record of how the current run ended (null: none yet; undefined: no run id) */
  exit: ProcExit | null | undefined;
  /** the detector's reading of a capture made now, or null when there is no live pane */
  screen: { state: ScreenState; dialog: string | null } | null;
  hooks: HookView;
  /** inbox bytes not yet announced to the agent */
  unseenMail: number;
  now: number;
}

export interface Explanation {
  agent: string;
  state: string;
  detail: string | null;
  /** the signals that decided the state, most decisive first */
  decided_by: string[];
  pane: {
    exists: boolean;
    alive: boolean;
    pid: number | null;
    exit_status: number | null;
    exit_signal: number | null;
    last_output: string | null;
    exit_record: ProcExit | null;
  };
  screen: { now: ScreenState | null; dialog: string | null; waiting_on: string | null };
  hooks: { last: string | null; last_at: string | null; by_hook: Record<string, string>; session: string | null; waiting: string | null };
  pending: { kickoff_since: string | null; nudge_due: boolean; unseen_mail_bytes: number; last_delivery: AgentRecord['delivery'] | null };
  condition: {
    condition: string | null;
    failed_reason: string | null;
    paused_reason: string | null;
    error: string | null;
    next_start_at: string | null;
    streak: number;
    restarts: number;
  };
  stall: { watched: boolean; silent_s: number | null; stall_after_s: number; nudged_at: string | null };
  conversation: { resume: boolean; id: string | null; resumed_run: boolean };
}

const iso = (ms: number | null | undefined): string | null => (ms == null ? null : new Date(ms).toISOString());

export function explainAgent(input: ExplainInput): Explanation {
  const { agent, status, record, pane, exit, screen, hooks, now } = input;
  const alive = pane !== undefined && !pane.dead;
  const silent = silenceMs(agent, { exists: pane !== undefined, dead: !alive, activityMs: pane?.activity != null ? pane.activity * 1000 : null }, record, now);
  const stallMs = agent.stallMinutes * 60_000;
  const why: string[] = [];
  if (!record?.up) why.push('record: not brought up (or brought down by `ao down`)');
  const life = lifeOf(record);
  if (life.is !== 'clear') {
    const [reason, next] = [reasonOf(life), nextStartOf(life)];
    why.push(`record: condition ${life.is}${reason ? ` (${reason})` : ''}${next ? `, next start ${iso(next)}` : ''}`);
  }
  if (!pane) why.push('tmux: no session');
  else if (pane.dead)
    why.push(
      `tmux: pane dead${pane.deadStatus !== null ? ` (exit ${pane.deadStatus})` : pane.deadSignal !== null ? ` (signal ${pane.deadSignal})` : ' (tmux lost the exit status)'}`,
    );
  else why.push(`tmux: pane alive (pid ${pane.pid ?? '?'})`);
  if (exit) why.push(`launcher: the run ended with ${exit.signal !== null ? `signal ${exit.signal}` : `exit ${exit.status}`}`);
  if (record?.waitingOn) why.push(`screen watch: waiting on a dialog (${record.waitingOn})`);
  if (record?.providerWait) why.push(`stream: its CLI retries the provider, waiting on ${record.providerWait} (no stall)`);
  if (hooks.waiting) why.push(`hooks: ${hooks.last?.hook} at ${hooks.last?.time} asks a person (raises waiting)`);
  if (screen) why.push(`screen now: ${screen.state}${screen.dialog ? ` (${screen.dialog})` : ''}`);
  if (hooks.last && !hooks.waiting) why.push(`hooks: last ${hooks.last.hook} at ${hooks.last.time}`);
  if (record?.pending) why.push(`pending: the kickoff since ${iso(record.pending.since)}, pasted once the screen is steadily ready`);
  const fb = record?.fallback;
  if (fb?.probing) why.push(`fallback model: this run probes its own model (${fb.own ?? '-'}) again`);
  else if (fb?.since != null) why.push(`fallback model: its starts use ${status.model ?? '-'} since ${iso(fb.since)}, its own (${fb.own ?? '-'}) overloaded`);
  else if (fb?.troubleSince != null) why.push(`fallback model: its own (${fb.own ?? '-'}) in provider trouble since ${iso(fb.troubleSince)}`);
  if (silent !== null)
    why.push(
      `stall clock: silent ${Math.round(silent / 1000)} s of ${Math.round(stallMs / 1000)} s${record?.nudgedAt ? `, nudged ${iso(record.nudgedAt)}` : ''}`,
    );
  return {
    agent: agent.name,
    state: status.state,
    detail: status.detail,
    decided_by: why,
    pane: {
      exists: pane !== undefined,
      alive,
      pid: pane?.pid ?? null,
      exit_status: pane?.deadStatus ?? null,
      exit_signal: pane?.deadSignal ?? null,
      last_output: pane?.activity != null ? iso(pane.activity * 1000) : null,
      exit_record: exit ?? null,
    },
    screen: { now: screen?.state ?? null, dialog: screen?.dialog ?? null, waiting_on: record?.waitingOn ?? null },
    hooks: { last: hooks.last?.hook ?? null, last_at: hooks.last?.time ?? null, by_hook: hooks.byHook, session: hooks.session, waiting: hooks.waiting },
    pending: {
      kickoff_since: iso(record?.pending?.since),
      nudge_due: record?.nudgeDue ?? false,
      unseen_mail_bytes: input.unseenMail,
      last_delivery: record?.delivery ?? null,
    },
    condition: {
      condition: life.is === 'clear' ? null : life.is,
      failed_reason: life.is === 'failed' ? life.why : null,
      paused_reason: life.is === 'paused' ? life.why : null,
      error: life.is === 'error' ? life.message : (record?.lastStartError ?? null),
      next_start_at: iso(nextStartOf(life)),
      streak: record?.streak ?? 0,
      restarts: record?.restarts ?? 0,
    },
    stall: {
      watched: agent.heal === 'heal+stall',
      silent_s: silent === null ? null : Math.round(silent / 1000),
      stall_after_s: stallMs / 1000,
      nudged_at: iso(record?.nudgedAt),
    },
    conversation: { resume: agent.resume ?? false, id: record?.conversationId ?? null, resumed_run: record?.resumedRun ?? false },
  };
}

/** The explanation as a person reads it. */
export function formatExplanation(e: Explanation): string {
  const lines = [`${safeName(e.agent)}: ${e.state.toUpperCase()}${e.detail ? ` (${e.detail})` : ''}`, 'decided by:', ...e.decided_by.map((w) => `  - ${w}`)];
  lines.push(
    `pane:         ${e.pane.exists ? (e.pane.alive ? `alive, pid ${e.pane.pid ?? '?'}` : 'dead') : 'none'}; last output ${e.pane.last_output ?? '-'}`,
    `screen:       now ${e.screen.now ?? '-'}${e.screen.dialog ? ` (${e.screen.dialog})` : ''}; waiting on ${e.screen.waiting_on ?? '-'}`,
    `hooks:        ${
      Object.keys(e.hooks.by_hook).length === 0
        ? 'none this run'
        : Object.entries(e.hooks.by_hook)
            .map(([h, t]) => `${safeName(h)} ${t}`)
            .join(', ')
    }`,
    `pending:      kickoff ${e.pending.kickoff_since ?? '-'}; nudge ${e.pending.nudge_due ? 'due' : '-'}; unseen mail ${e.pending.unseen_mail_bytes} B; last delivery ${e.pending.last_delivery ? `${e.pending.last_delivery.what} ${e.pending.last_delivery.verdict}` : '-'}`,
    `condition:    ${e.condition.condition ?? 'none'}; restarts ${e.condition.restarts}; backoff streak ${e.condition.streak}${e.condition.next_start_at ? `; next start ${e.condition.next_start_at}` : ''}`,
    `stall clock:  ${e.stall.watched ? `silent ${e.stall.silent_s ?? '-'} s of ${e.stall.stall_after_s} s${e.stall.nudged_at ? `; nudged ${e.stall.nudged_at}` : ''}` : 'not watched (heal is not heal+stall)'}`,
    `conversation: ${e.conversation.resume ? `${e.conversation.id ?? 'none yet'}${e.conversation.resumed_run ? ' (this run continued it)' : ''}` : 'resume off'}`,
  );
  // each line one safe line: nothing an agent wrote into its record or a hook name can forge another
  return `${lines.map(safeLine).join('\n')}\n`;
}
