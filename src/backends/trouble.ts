/**
 * Provider trouble as an agent CLI reports it: what each backend's
 * recogniser returns, and the pieces they share. All pure.
 *
 * A usage limit waits for its reset, a rate limit or an outage backs off, an
 * authentication failure needs a person; none of them is the agent failing.
 */

export type TroubleKind = 'usage-limit' | 'rate-limit' | 'overload' | 'auth';

export interface Trouble {
  /** null: nothing the provider did explains how the run ended */
  kind: TroubleKind | null;
  /** when the limit lifts (ms since the epoch), when the CLI says */
  resetAt: number | null;
  /** the CLI's own words, one line */
  message: string;
}

export const NO_TROUBLE: Trouble = { kind: null, resetAt: null, message: '' };

/** The objects of a JSON-lines stream; other lines (text, torn JSON) are skipped. */
export function jsonLines(output: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of output.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      const v: unknown = JSON.parse(t);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) out.push(v as Record<string, unknown>);
    } catch {
      // a line cut by a cap or a crash, or text that starts with "{"
    }
  }
  return out;
}

export const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
export const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
export const obj = (v: unknown): Record<string, unknown> | null =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

/** The first line, spaces squeezed, at most 300 characters. */
export function oneLine(text: string): string {
  const first = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return first.replace(/\s+/g, ' ').trim().slice(0, 300);
}

/** Minutes east of UTC of `timeZone` at `at`; null for a zone Intl does not know. */
function zoneOffsetMinutes(timeZone: string, at: number): number | null {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    }).formatToParts(at);
  } catch {
    return null;
  }
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? '0');
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  return Math.round((wall - Math.floor(at / 1000) * 1000) / 60_000);
}

/**
 * The first moment after `now` at which the clock in `timeZone` (the
 * process's own zone when undefined) reads hour:minute. The CLIs print a
 * reset as a time of day ("resets 1:22pm (UTC)", "try again at 1:42 PM").
 */
export function nextClockTime(hour: number, minute: number, now: number, timeZone?: string): number | null {
  if (hour > 23 || minute > 59) return null;
  const offset = timeZone === undefined ? -new Date(now).getTimezoneOffset() : zoneOffsetMinutes(timeZone, now);
  if (offset === null) return null;
  const wallNow = new Date(now + offset * 60_000);
  let at = Date.UTC(wallNow.getUTCFullYear(), wallNow.getUTCMonth(), wallNow.getUTCDate(), hour, minute) - offset * 60_000;
  if (at <= now) at += 24 * 3_600_000;
  return at;
}

/** "1:22pm", "1:42 PM", "13:22", "2pm" to a 24-hour hour and minute. */
export function parseClock(text: string): { hour: number; minute: number } | null {
  const m = /\b(\d{1,2})(?::(\d{2}))?\s*([ap]\.?m\.?)?(?![\w:])/i.exec(text.trim());
  if (!m) return null;
  let hour = Number(m[1]);
  const minute = m[2] === undefined ? 0 : Number(m[2]);
  const half = m[3]?.toLowerCase().replace(/\./g, '');
  if (half === undefined && m[2] === undefined) return null;
  if (half === 'pm' && hour < 12) hour += 12;
  if (half === 'am' && hour === 12) hour = 0;
  return { hour, minute };
}

/** A "Xs", "X seconds", "X minutes" delay in text ("retry in 3600s") from now, or null. */
export function delayIn(text: string, now: number): number | null {
  const m = /\b(?:retry|try again|resets?)\s+(?:in|after)\s+(\d+(?:\.\d+)?)\s*(ms|s|sec|seconds?|m|min|minutes?|h|hours?)\b/i.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const ms = unit === 'ms' ? 1 : unit.startsWith('h') ? 3_600_000 : unit.startsWith('m') && unit !== 'ms' ? 60_000 : 1000;
  return now + Math.round(n * ms);
}

/** The time zone a CLI printed next to a reset ("(UTC)", "(Europe/Berlin)"), if Intl knows it. */
export function printedZone(text: string): string | undefined {
  const m = /\(([A-Za-z_]+(?:\/[A-Za-z_+-]+)*)\)/.exec(text);
  if (!m || m[1] === undefined) return undefined;
  return zoneOffsetMinutes(m[1], 0) === null ? undefined : m[1];
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * A printed reset time after `lead` ("resets 1:22pm (UTC)", "resets Dec 3,
 * 1pm (UTC)", "try again at 1:42 PM", "try again at Dec 3rd, 2026 1:42 PM")
 * to ms since the epoch: the next such moment after `now`, in the zone
 * printed with it, else the process's own zone (the CLI ran with ao's
 * environment).
 */
export function parseReset(text: string, lead: RegExp, now: number): number | null {
  const m = new RegExp(`${lead.source}\\s+([^\\n·]*)`, 'i').exec(text);
  const rest = m?.[1];
  if (rest === undefined) return null;
  const clock = parseClock(rest.replace(/^[A-Za-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s*(?:\d{4}\s+)?/, ''));
  if (clock === null) return null;
  const zone = printedZone(rest);
  const day = /^([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b/.exec(rest.trim());
  const next = nextClockTime(clock.hour, clock.minute, now, zone);
  if (next === null || day === null) return next;
  const month = MONTHS.indexOf((day[1] ?? '').toLowerCase());
  if (month < 0) return next;
  // a dated reset: step whole days from the next matching clock time until the date matches
  for (let at = next, i = 0; i < 400; i++, at += 24 * 3_600_000) {
    const local = new Date(at + (zone === undefined ? -new Date(at).getTimezoneOffset() : (zoneOffsetMinutes(zone, at) ?? 0)) * 60_000);
    if (local.getUTCMonth() === month && local.getUTCDate() === Number(day[2])) return at;
  }
  return next;
}

/** How long ago a printed reset may be and still be today's: ao reads the output a little after the CLI wrote it. */
export const PRINTED_LATE_MS = 5 * 60_000;

/**
 * A reset printed as a time of day (parseReset), where one printed as the
 * minute now running, or one just gone, is today's (already lifted: the
 * watchdog resumes or probes), never the same time tomorrow.
 */
export function printedReset(text: string, lead: RegExp, now: number): number | null {
  return parseReset(text, lead, now - PRINTED_LATE_MS);
}

/** The last `count` non-empty lines of a text: a screen's or a log's tail, where a CLI's final error sits. */
export function tailLines(text: string, count: number): string {
  return text
    .replace(/\r/g, '')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-count)
    .join('\n');
}
