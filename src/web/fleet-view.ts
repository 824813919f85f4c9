/**
 * The words of `ao web --fleet`'s pages: one card per project of the fleet
 * (where it runs, whether it answered and is healthy, its phase, its agents
 * by state and cost as `ao fleet status` says them), and a remote project's
 * team as its host's `ao status --json` reported it. Pure; every string made
 * safe text (the page escapes it too).
 */
import type { FleetEntryStatus } from '../cli/commands/fleet-status.js';
import type { StatusReport } from '../supervisor/status.js';
import { phaseHeader, teamSummary } from '../supervisor/labels.js';
import { safeDeep } from '../text/safe.js';
import { projectBase } from './paths.js';
import { agentCells, type TeamView } from './view-model.js';

/** How a project stands, as one word: its colour on the page. */
export type FleetState = 'healthy' | 'unhealthy' | 'unreachable' | 'error' | 'asking';

export interface FleetCard {
  name: string;
  /** `local`, or the host's name */
  where: string;
  /** its team page */
  href: string;
  enabled: boolean;
  state: FleetState;
  /** the phase header, or null when it could not be read */
  phase: string | null;
  /** its agents by state, the watchdog and the cost so far (teamSummary) */
  summary: string;
  /** why it could not be read (ssh's words for a host that did not answer), or its config error */
  error: string | null;
}

/** A project not read yet (its host's first answer is on its way). */
export interface FleetPending {
  name: string;
  host: string | null;
  enabled: boolean;
}

export function fleetCard(seen: FleetEntryStatus | FleetPending): FleetCard {
  if (!('entry' in seen))
    return safeDeep({
      name: seen.name,
      where: seen.host ?? 'local',
      href: `${projectBase(seen.name)}/`,
      enabled: seen.enabled,
      state: 'asking',
      phase: null,
      summary: seen.host ? `asking host ${seen.host}…` : 'reading…',
      error: null,
    });
  const { entry, report, error, healthy, reachable } = seen;
  const state: FleetState = !reachable ? 'unreachable' : !report ? 'error' : healthy ? 'healthy' : 'unhealthy';
  return safeDeep({
    name: entry.name,
    where: entry.host?.name ?? 'local',
    href: `${projectBase(entry.name)}/`,
    enabled: entry.enabled,
    state,
    phase: report ? phaseHeader(report.phase) : null,
    summary: report ? teamSummary(report) : reachable ? 'cannot be read' : 'unreachable',
    error,
  });
}

/**
 * A remote project's team from its `ao status --json`: what the team page
 * shows of a local one, but the phases (their list is in the host's
 * agents.toml, not in the status) reduced to the current one.
 */
export function remoteTeamView(report: StatusReport, notes: readonly string[] = []): TeamView {
  return safeDeep({
    project: report.project,
    header: phaseHeader(report.phase),
    complete: report.complete,
    phases: [{ id: report.phase.id, at: report.complete ? 'done' : 'current' }],
    agents: report.agents.map((a) => ({ name: a.name, state: a.state, cells: agentCells(a) })),
    notes: [...(report.config_error ? [report.config_error] : []), ...notes],
  });
}
