import type { ProcExit } from './procwatch.js';
import { layout } from './layout.js';
import { readTextCapped } from './safe-fs.js';

/**
 * ao's own record of how each agent's run ended, written by the launcher that
 * is the pane's program (launch.ts): "RUN_ID STATUS" in state/exits/AGENT.
 * tmux can lose an exit status (DESIGN §5); this file cannot.
 */

let runCount = 0;

/** A new id for one start of an agent: a record from an earlier run is never read as this one's. */
export function newRunId(now = Date.now()): string {
  return `${now.toString(36)}-${process.pid.toString(36)}-${(++runCount).toString(36)}`;
}

/**
 * The launcher's last record of `agent`: the run it was and how it ended, or
 * null when there is none (or it is not one). A status above 128 is a death
 * by signal STATUS-128, as the shell reports it.
 */
export function readExitRecord(stateDir: string, agent: string): { runId: string; exit: ProcExit } | null {
  let text: string | null;
  try {
    // a record is one short line: a link, a FIFO or anything longer is no record (and reported once)
    text = readTextCapped(layout.exit(stateDir, agent), 256);
  } catch {
    return null;
  }
  return text === null ? null : parseExitRecord(text);
}

/** An exit record's text (`RUNID STATUS`) as the launcher writes it, or null when it is not one. */
export function parseExitRecord(text: string): { runId: string; exit: ProcExit } | null {
  const match = /^(\S+) (\d+)\n?$/.exec(text);
  if (!match) return null;
  const status = Number(match[2]);
  return { runId: match[1]!, exit: status > 128 && status < 128 + 65 ? { status: null, signal: status - 128 } : { status, signal: null } };
}

/** How the run `runId` of `agent` ended, or null when it left no record (its launcher was killed itself, or it has not ended). */
export function readExit(stateDir: string, agent: string, runId: string): ProcExit | null {
  const record = readExitRecord(stateDir, agent);
  return record?.runId === runId ? record.exit : null;
}
