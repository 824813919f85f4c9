import { reasonLine } from '../../state/event-catalogue.js';
import { parseEventLine, readEvents, type LoggedEvent } from '../../state/events.js';
import { followLines } from '../../state/tail.js';
import { UsageError } from '../../errors.js';
import { openProjectOrRunning } from '../context.js';
import type { GlobalOptions, Io } from '../io.js';
import { layout } from '../../state/layout.js';
import { jsonText, safeLine, safeName } from '../../text/safe.js';

export interface EventsOptions extends GlobalOptions {
  /** only these agents' events (and `phase`, `config`, `watchdog` when named) */
  agents?: string[];
  follow?: boolean;
  json?: boolean;
  lines?: number;
  followForMs?: number;
}

/** One event on one safe line: the names capped, nothing in a reason or a detail can start another line or act on the terminal. */
export function formatEvent(e: LoggedEvent): string {
  const details = e.details
    ? ` ${Object.entries(e.details)
        .map(([k, v]) => `${safeName(k)}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ')}`
    : '';
  const reason = reasonLine(e);
  return safeLine(`${safeName(e.time)}  ${safeName(e.agent).padEnd(12)}  ${safeName(e.event).padEnd(14)}  ${reason}${details}`).trimEnd();
}

/** What `ao events` may be filtered by besides the agents: the events about the team itself. */
const TEAM_SUBJECTS = ['phase', 'config', 'watchdog', 'notify'];

/** `ao events [AGENT...] [-f] [--json] [-n N]`: the watchdog's decisions, one per line. */
export async function events(options: EventsOptions, io: Io): Promise<number> {
  const { project } = openProjectOrRunning(options, io);
  const wanted = options.agents?.length ? new Set(options.agents) : null;
  if (wanted) {
    const known = [...project.agents.map((a) => a.name), ...TEAM_SUBJECTS];
    const unknown = [...wanted].filter((a) => !known.includes(a));
    if (unknown.length > 0)
      throw new UsageError(
        `no agent named ${unknown.map((a) => `"${a}"`).join(', ')} (agents: ${project.agents.map((a) => a.name).join(', ')}; also ${TEAM_SUBJECTS.join(', ')})`,
      );
  }
  const keep = (e: LoggedEvent): boolean => wanted === null || wanted.has(e.agent);
  const show = (e: LoggedEvent): void => {
    if (keep(e)) io.out(`${options.json ? jsonText(e) : formatEvent(e)}\n`);
  };
  readEvents(project.stateDir, options.lines ?? 50, keep).forEach(show);
  if (!options.follow) return 0;
  await followLines(
    layout.events(project.stateDir),
    (line) => {
      const event = parseEventLine(line);
      if (event) show(event);
    },
    options.followForMs ? { untilMs: Date.now() + options.followForMs } : {},
  );
  return 0;
}
