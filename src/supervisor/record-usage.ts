/**
 * One iteration's usage, from its raw stream into state/usage.jsonl. The
 * watchdog calls it when a one-shot iteration ends (before the next one
 * starts and rotates the stream).
 */
import { getBackend } from '../backends/index.js';
import type { AgentSpec, Project } from '../config/types.js';
import { readPhaseStateOf, phaseView } from '../state/phase.js';
import { readExitRecord } from '../state/exits.js';
import { appendUsage, type UsageRecord } from '../state/usage.js';
import { RAW_MAX_BYTES, rawStreamFile } from '../stream/raw.js';
import { ZERO_USAGE, type IterationUsage } from '../backends/usage.js';
import { priceOf, priceTokens } from '../config/prices.js';
import { modelFor } from '../config/resolve.js';
import type { BudgetNeeds } from './budgets.js';
import { readTextCapped } from '../state/safe-fs.js';

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
  if (parse === undefined) return null;
  // a stream is capped at RAW_MAX_BYTES (and its last line): anything larger is no stream of ao's
  const text = readTextCapped(rawFile, 2 * RAW_MAX_BYTES);
  if (text === null) return null;
  const usage = parse(text);
  if (usage === null) return null;
  const phase = options.phase ?? phaseView(project, readPhaseStateOf(project)).phase.id;
  const priced = pricedUsage(project, agent, phase, usage);
  // the run id the launcher wrote with the last exit status: the run whose stream this is
  const run = options.run ?? readExitRecord(project.stateDir, agent.name)?.runId ?? null;
  return {
    time: (options.now ?? new Date()).toISOString(),
    agent: agent.name,
    phase,
    iteration,
    ...(run !== null ? { run } : {}),
    backend: agent.backend,
    usage: priced ?? usage,
    ...(priced ? { priced: true as const } : {}),
  };
}

/** A run's usage with its tokens priced by `[models.prices]`, where its CLI reported no cost and its model has a price; else null. */
export function pricedUsage(project: Project, agent: AgentSpec, phaseId: string, usage: IterationUsage): IterationUsage | null {
  if (usage.cost_usd !== null) return null;
  const price = priceOf(project.prices, project.models, modelFor(project, agent, project.phases.find((p) => p.id === phaseId) ?? null));
  return price ? { ...usage, cost_usd: priceTokens(usage, price) } : null;
}

/**
 * Pure: what a budgeted run's end records when its usage is missing, or has
 * no cost where a budget_usd needs one (a stream cut short, a CLI that
 * stopped reporting): a line marked `unknown`, so the budget holds the agent
 * instead of counting the run as free (budgets.ts). A run with no budget that
 * applies records what it has.
 */
export function unknownUsage(line: UsageRecord | null, needs: BudgetNeeds, base: Omit<UsageRecord, 'usage'>): UsageRecord | null {
  if (!needs.usage) return line;
  if (line !== null && (!needs.cost || line.usage.cost_usd !== null)) return line;
  return { ...(line ?? { ...base, usage: { ...ZERO_USAGE } }), unknown: true };
}
