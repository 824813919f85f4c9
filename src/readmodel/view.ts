/**
 * The one read model: what `ao status` (and `--json`), `ao phase` and the
 * dashboard show of a project, built in one place from one tmux snapshot and
 * the state files. The files are read through a `StateSource`: by default a
 * plain read of each (a command that runs once), or the dashboard's cached
 * StateReader, which rereads only the files that changed.
 */
import { existsSync } from 'node:fs';
import type { Project } from '../config/types.js';
import { loadAgentsState, type AgentsState } from '../state/agents.js';
import { readExitRecord } from '../state/exits.js';
import { loadPhaseState, rebuildPhaseState, type PhaseState } from '../state/phase.js';
import type { ProcExit } from '../state/procwatch.js';
import { readUsageReport, type UsageReport } from '../state/usage.js';
import { readConfigError } from '../state/running.js';
import { buildStatus, WATCHDOG, type StatusReport } from '../supervisor/status.js';
import { watchdogProcess } from '../supervisor/watchdog-pid.js';
import { bySession, type PaneInfo } from '../tmux/snapshot.js';

/** agents.json and phase.json as the view shows them. */
export interface TeamState {
  agents: AgentsState;
  phase: PhaseState;
  /** a corrupt state file, shown from its good copy (or what was seen last), in words */
  note: string | null;
  /** a state file that could not be read at all (the last good state is shown) */
  failure: string | null;
}

/** Where the view's files come from. */
export interface StateSource {
  team(project: Project): TeamState;
  /** the error of an agents.toml edit the watchdog could not apply */
  configError(stateDir: string): string | null;
  /** the launcher's last record of an agent: its run id and how that run ended */
  exit(stateDir: string, agent: string): { runId: string; exit: ProcExit } | null;
  /** what state/usage.jsonl adds up to */
  usage(stateDir: string): UsageReport;
  /** the watchdog's process, when the live holder of its lock runs in the pane whose pid is `panePid` */
  watchdog(stateDir: string, panePid: number | null): number | null;
}

export interface ProjectView {
  /** what `ao status`, `ao status --json` and the dashboard's table show */
  report: StatusReport;
  /** phase.json as read (gate, history, not converging), for `ao phase` */
  phase: PhaseState;
  /** unix ms of each live agent's last start, for its uptime */
  startedAt: Record<string, number | null>;
  /** unix ms the current phase began (or the team first started), when known */
  phaseStartedAt: number | null;
  /** a corrupt state file read around, in words */
  note: string | null;
  /** a state file that could not be read at all */
  failure: string | null;
}

export interface ViewOptions {
  /** default: a plain read of each file */
  source?: StateSource;
  /** unix ms; default now */
  now?: number;
  /** agents.toml did not load in this process (else the watchdog's record of an edit it could not apply counts) */
  configError?: string | null;
}

/** agents.json; around a corrupt one its good copy, else `previous` (what a reader saw last), and a note that says so. */
export function readAgentsFile(stateDir: string, previous: AgentsState | null): { state: AgentsState; note: string | null } {
  const loaded = loadAgentsState(stateDir);
  if (loaded.corrupt === null) return { state: loaded.state, note: null };
  const fromCopy = loaded.from === 'good copy' || previous === null;
  const note = `state file agents.json is corrupt (${loaded.corrupt}); showing ${loaded.from === 'good copy' ? 'its last good copy' : previous === null ? 'no agents' : 'the last state seen'}`;
  return { state: fromCopy ? loaded.state : previous, note };
}

/** phase.json; around a corrupt one its good copy, else the furthest phase the journals and reviews show. Never throws. */
export function readPhaseFile(project: Project): { state: PhaseState; note: string | null } {
  const loaded = loadPhaseState(project.stateDir);
  if (loaded.corrupt === null && loaded.state) return { state: loaded.state, note: null };
  const state = loaded.state ?? rebuildPhaseState(project, existsSync, 0);
  return {
    state,
    note: `state file phase.json is corrupt (${loaded.corrupt ?? '?'}); showing ${loaded.state ? 'its last good copy' : 'the phase its journals and reviews show'}`,
  };
}

/** Each file read once, as it is now: for a command that runs once. */
export const plainSource: StateSource = {
  team(project) {
    const agents = readAgentsFile(project.stateDir, null);
    const phase = readPhaseFile(project);
    return { agents: agents.state, phase: phase.state, note: joinNotes(agents.note, phase.note), failure: null };
  },
  configError: (stateDir) => readConfigError(stateDir)?.message ?? null,
  exit: (stateDir, agent) => readExitRecord(stateDir, agent),
  usage: (stateDir) => readUsageReport(stateDir),
  watchdog: watchdogProcess,
};

export const joinNotes = (...notes: (string | null)[]): string | null => notes.filter((n) => n !== null).join('; ') || null;

/**
 * The project as one snapshot of tmux (`null`: none taken, as `ao phase`
 * needs none) and the state files show it.
 */
export function readProjectView(project: Project, panes: readonly PaneInfo[] | null, options: ViewOptions = {}): ProjectView {
  const source = options.source ?? plainSource;
  const now = options.now ?? Date.now();
  const { stateDir } = project;
  const team = source.team(project);
  const { agents, phase } = team;
  const seen = panes ?? [];
  const dead = new Set(seen.filter((p) => p.dead).map((p) => p.session));
  // tmux can lose a dead pane's status: the launcher's record of the agent's current run says it
  const exits: Record<string, ProcExit | null> = {};
  for (const a of project.agents) {
    const run = agents.agents[a.name]?.runId;
    if (!dead.has(a.session) || !run) continue;
    const record = source.exit(stateDir, a.name);
    exits[a.name] = record?.runId === run ? record.exit : null;
  }
  const dog = bySession(seen).get(`${project.sessionPrefix}${WATCHDOG}`);
  const report = buildStatus(project, {
    panes: seen,
    watchdogPid: dog && !dog.dead ? source.watchdog(stateDir, dog.pid) : null,
    // a tmux server lives only while it has a session, so no panes means no server
    server: seen.length > 0,
    agents,
    exits,
    phase,
    now,
    configError: options.configError ?? source.configError(stateDir),
    usage: source.usage(stateDir),
  });

  const sessions = bySession(seen);
  const startedAt: Record<string, number | null> = {};
  for (const agent of report.agents) {
    const record = agents.agents[agent.name];
    const pane = sessions.get(agent.session);
    startedAt[agent.name] = agent.pid === null ? null : record?.startedAt ? Date.parse(record.startedAt) : pane?.created ? pane.created * 1000 : null;
  }
  const teamStart = Object.values(agents.agents)
    .filter((r) => r.up && r.startedAt)
    .map((r) => Date.parse(r.startedAt!))
    .reduce((a, b) => Math.min(a, b), Infinity);
  const phaseStartedAt = phase.startedAt ? Date.parse(phase.startedAt) : Number.isFinite(teamStart) ? teamStart : null;
  return { report, phase, startedAt, phaseStartedAt, note: team.note, failure: team.failure };
}
