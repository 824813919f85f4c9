/**
 * `[web] listen = "HOST:PORT"`: the watchdog keeps an `ao web` running for the
 * project, started, healed and stopped with the team. It is a service agent
 * named `web` whose pane runs ao's own entry; phase moves from its pane are
 * the maintainer's, made through the page, so it may move the phase.
 */
import { UsageError } from '../errors.js';
import { parseListen } from '../web/listen.js';
import type { Fail } from './notify.js';
import { aoEntry } from './package-root.js';
import type { RawAgent, RawConfig } from './schema.js';

export const WEB_AGENT = 'web';

/** The `web` service `[web]` asks for, or null; a bad listen address or a clash of names fails. */
export function webAgent(raw: RawConfig, fail: Fail): RawAgent | null {
  if (!raw.web) return null;
  try {
    parseListen(raw.web.listen);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    fail(['web', 'listen'], `"${raw.web.listen}" is not HOST:PORT (like "127.0.0.1:7420", "[::1]:7420" or "0.0.0.0:7420")`);
    return null;
  }
  if (raw.agents[WEB_AGENT]) {
    fail(['agents', WEB_AGENT], `[web] runs ao web as an agent named "${WEB_AGENT}": rename [agents.${WEB_AGENT}] or drop [web]`);
    return null;
  }
  return {
    kind: 'service',
    backend: 'shell',
    heal: 'heal',
    command: process.execPath,
    args: [aoEntry(), 'web', '--listen', raw.web.listen],
    may_move_phase: true,
  };
}
