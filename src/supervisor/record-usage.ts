/**
 * One iteration's usage, from its raw stream into state/usage.jsonl. The
 * watchdog calls it when a one-shot iteration ends (before the next one
 * starts and rotates the stream).
 */
import { existsSync, readFileSync } from 'node:fs';
import { getBackend } from '../backends/index.js';
import type { AgentSpec, Project } from '../config/types.js';
import { readPhaseStateOf, phaseView } from '../state/phase.js';
import { readExitRecord } from '../state/exits.js';
import { appendUsage, type UsageRecord } from '../state/usage.js';
import { rawStreamFile } from '../stream/raw.js';

export interface RecordOptions {
  /** the phase the iteration ran in (default: the phase now) */
  phase?: string;
  /** the launch's run id (AgentRecord.runId; default: the one in state/exits/<agent>): a second record of one run counts once */
  run?: string;
  now?: Date;
}

/** Appends the record and returns it; null when the stream is missing or reports no usage. */
export function recordIteration(...args: Parameters<typeof iterationUsage>): UsageRecord | null {
  const record = iterationUsage(...args);
  if (record) appendUsage(args[0].stateDir, record);
  return record;
}

/** The record of one iteration's usage, read from its raw stream (appended by the caller); null when there is none. */
export function iterationUsage(
  project: Project,
  agent: AgentSpec,
  iteration: number,
  rawFile = rawStreamFile(project.stateDir, agent.name),
  options: RecordOptions = {},
): UsageRecord | null {
  const parse = getBackend(agent.backend).usage;
  if (parse === undefined || !existsSync(rawFile)) return null;
  const usage = parse(readFileSync(rawFile, 'utf8'));
  if (usage === null) return null;
  const phase = options.phase ?? phaseView(project, readPhaseStateOf(project)).phase.id;
  // the run id the launcher wrote with the last exit status: the run whose stream this is
  const run = options.run ?? readExitRecord(project.stateDir, agent.name)?.runId ?? null;
  return {
    time: (options.now ?? new Date()).toISOString(),
    agent: agent.name,
    phase,
    iteration,
    ...(run !== null ? { run } : {}),
    backend: agent.backend,
    usage,
  };
}
