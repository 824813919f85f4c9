/**
 * Provider trouble of a run that ended, for the watchdog: the backend's
 * recogniser reads the run's raw stream when ao kept one (structured events,
 * exact reset times), else the tail of its pane log (the CLI's words).
 */
import { lstatSync } from 'node:fs';
import { getBackend } from '../backends/index.js';
import { NO_TROUBLE, oneLine, tailLines, type Trouble } from '../backends/trouble.js';
import { safeText } from '../text/safe.js';
import type { AgentSpec, Project } from '../config/types.js';
import { rawStreamFile } from '../stream/raw.js';
import { layout } from '../state/layout.js';
import { readTail } from '../state/safe-fs.js';

/** A recogniser needs the end of the output: the last 256 KB is plenty. */
const TAIL_BYTES = 256 * 1024;

/** The end of a file, from `since` (a byte offset) when the file still reaches it. */
function tail(file: string, since = 0): string | null {
  try {
    // a log cut since the offset was taken: its tail is all that is left of the run (readTail starts over)
    return readTail(file, TAIL_BYTES, since)?.text ?? null;
  } catch {
    return null; // a link or a FIFO: no words to recognise (the watchdog reports the file)
  }
}

/** The size of the agent's pane log now: what a run prints goes after it. */
export function logOffset(project: Project, agent: string): number {
  try {
    return lstatSync(layout.agentLog(project.stateDir, agent)).size;
  } catch {
    return 0;
  }
}

/**
 * `logSince`: the pane log's size when the run started, so an earlier run's
 * words are never read as this one's. When no recogniser knows the words, the
 * message is still the CLI's (its structured failure, else the log's last
 * line), for status and explain, so that it can be added to the table in
 * docs/CLI-VERSIONS.md.
 */
export function troubleOf(
  project: Project,
  agent: AgentSpec,
  exitStatus: number | null,
  now: number,
  logSince = 0,
  raw: string | null = rawTail(project, agent),
): Trouble {
  const recognise = getBackend(agent.backend).trouble;
  const fromRaw = raw !== null && recognise !== undefined ? recognise(raw, exitStatus, now) : NO_TROUBLE;
  if (fromRaw.kind !== null) return fromRaw;
  const log = tail(layout.agentLog(project.stateDir, agent.name), logSince);
  const fromLog = log !== null && recognise !== undefined ? recognise(log, exitStatus, now) : NO_TROUBLE;
  if (fromLog.kind !== null || exitStatus === 0) return fromLog;
  return { ...NO_TROUBLE, message: fromRaw.message || fromLog.message || (log === null ? '' : lastWords(log)) };
}

/** The last non-empty line of a run's output, control sequences removed. */
export function lastWords(output: string): string {
  return oneLine(tailLines(safeText(output), 1));
}

/** The end of a loop's or task's raw stream (ao keeps one for them), or null. */
function rawTail(project: Project, agent: AgentSpec): string | null {
  return agent.kind === 'loop' || agent.kind === 'task' ? tail(rawStreamFile(project.stateDir, agent.name)) : null;
}

/**
 * What a run that ended says of its provider, its raw stream read once: its
 * trouble (none after exit 0) and the CLI's own switch to a fallback model.
 */
export function runEndOf(
  project: Project,
  agent: AgentSpec,
  exitStatus: number | null,
  now: number,
  logSince: number,
): { trouble: Trouble | null; fellBack: { from: string; to: string } | null } {
  const raw = rawTail(project, agent);
  const fellBack = getBackend(agent.backend).fellBack;
  return {
    trouble: exitStatus === 0 ? null : troubleOf(project, agent, exitStatus, now, logSince, raw),
    fellBack: raw !== null && fellBack !== undefined ? fellBack(raw) : null,
  };
}
