import { NOTIFY_DEFAULT_EVENTS, NOTIFY_NAME_HINTS, notifiable } from '../state/event-catalogue.js';
import type { RawNotify } from './schema.js';
import type { NotifySpec } from './types.js';

/** Reports a problem at a key; `find` moves the column to that text on the key's line (an element of an array). */
export type Fail = (path: PropertyKey[], message: string, find?: string) => void;

export const DEFAULT_NOTIFY_TIMEOUT_S = 10;

/** `[notify]` as the watchdog uses it; every problem is reported at its key. */
export function resolveNotify(raw: RawNotify | undefined, fail: Fail): NotifySpec | undefined {
  if (raw === undefined) return undefined;
  if (raw.webhook === undefined && raw.command === undefined)
    fail(['notify'], 'a [notify] table needs webhook = "https://..." or command = ["prog", "arg"] (or both)');
  if (raw.webhook !== undefined) {
    const problem = webhookProblem(raw.webhook);
    if (problem) fail(['notify', 'webhook'], problem);
  }
  const events = raw.events ?? [...NOTIFY_DEFAULT_EVENTS];
  events.forEach((name, index) => {
    if (notifiable(name)) return;
    const hint = NOTIFY_NAME_HINTS[name];
    fail(
      ['notify', 'events', index],
      hint
        ? `"${name}" is not an event ao records; ao records it as ${hint.map((h) => `"${h}"`).join(' and ')}`
        : `unknown event "${name}" (ao's events are the names \`ao events\` shows; the default list is ${NOTIFY_DEFAULT_EVENTS.join(', ')})`,
      `"${name}"`,
    );
  });
  return {
    webhook: raw.webhook ?? null,
    command: raw.command ?? null,
    events: [...new Set(events)],
    timeoutS: raw.timeout_s ?? DEFAULT_NOTIFY_TIMEOUT_S,
  };
}

function webhookProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `not a URL: "${url}" (write the full address, https://...)`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `a webhook is an http:// or https:// address, got ${parsed.protocol}//`;
  return null;
}

/** The webhook as ao shows it: scheme and host only, since the path of a Slack or ntfy address is its secret. */
export function webhookLabel(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}/…`;
  } catch {
    return 'webhook';
  }
}
