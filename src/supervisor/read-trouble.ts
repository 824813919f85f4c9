/**
 * Provider trouble of a run that ended, for the watchdog: the backend's
 * recogniser reads the run's raw stream when ao kept one (structured events,
 * exact reset times), else the tail of its pane log (the CLI's words).
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { getBackend } from '../backends/index.js';
import { NO_TROUBLE, type Trouble } from '../backends/trouble.js';
import type { AgentSpec, Project } from '../config/types.js';
import { rawStreamFile } from '../stream/raw.js';
import { logFile } from './launch.js';

/** A recogniser needs the end of the output: the last 256 KB is plenty. */
const TAIL_BYTES = 256 * 1024;

function tail(file: string): string | null {
  if (!existsSync(file)) return null;
  const size = statSync(file).size;
  const length = Math.min(size, TAIL_BYTES);
  const buffer = Buffer.alloc(length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  return buffer.toString('utf8');
}

export function troubleOf(project: Project, agent: AgentSpec, exitStatus: number | null, now: number): Trouble {
  const recognise = getBackend(agent.backend).trouble;
  if (recognise === undefined) return NO_TROUBLE;
  const raw = agent.kind === 'loop' || agent.kind === 'task' ? tail(rawStreamFile(project.stateDir, agent.name)) : null;
  if (raw !== null) {
    const found = recognise(raw, exitStatus, now);
    if (found.kind !== null) return found;
  }
  const log = tail(logFile(project, agent.name));
  return log === null ? NO_TROUBLE : recognise(log, exitStatus, now);
}
