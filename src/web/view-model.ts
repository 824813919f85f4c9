/**
 * The words the team page shows, in one place for the page and the live feed:
 * the phase header with every phase, and each agent's cells, as `ao status`
 * and the dashboard say them (supervisor/labels.ts). Pure, and every string
 * made safe text (the page escapes it too).
 */
import type { Project } from '../config/types.js';
import type { ProjectView } from '../readmodel/view.js';
import { modelLabel, phaseHeader, stateLabel, usd } from '../supervisor/labels.js';
import type { AgentStatus } from '../supervisor/status.js';
import { safeDeep } from '../text/safe.js';

export interface PhaseStep {
  id: string;
  /** `done`, `current` or `next` */
  at: 'done' | 'current' | 'next';
}

export interface AgentCells {
  name: string;
  kind: string;
  backend: string;
  model: string;
  state: string;
  waiting: string;
  pid: string;
  restarts: string;
  iteration: string;
  cost: string;
  activity: string;
}

export interface AgentRow {
  name: string;
  /** the state as a word (`running`, `waiting`, …): the colour */
  state: string;
  cells: AgentCells;
}

export interface TeamView {
  project: string;
  header: string;
  phases: PhaseStep[];
  complete: boolean;
  agents: AgentRow[];
  /** a config error or an unreadable state file, in words */
  notes: string[];
}

/** What an agent waits on, as the page says it: a dialog belongs to the person at a terminal. */
export function waitingWords(a: AgentStatus): string {
  if (a.waiting_on) return `waiting at a dialog (${a.waiting_on}) — attach in a terminal to answer`;
  if (a.state === 'paused' && a.detail) return `paused: ${a.detail}`;
  return '';
}

export function agentCells(a: AgentStatus): AgentCells {
  return {
    name: a.name,
    kind: a.kind,
    backend: a.backend ?? '-',
    model: modelLabel(a),
    state: stateLabel(a),
    waiting: waitingWords(a),
    pid: a.pid === null ? '-' : String(a.pid),
    restarts: String(a.restarts),
    iteration: String(a.iteration),
    cost: usd(a.usage),
    activity: a.last_activity ?? '-',
  };
}

export function teamView(project: Project, view: ProjectView): TeamView {
  const { report } = view;
  const index = report.phase.index;
  return safeDeep({
    project: report.project,
    header: phaseHeader(report.phase),
    complete: report.complete,
    phases: project.phases.map((p, i) => ({ id: p.id, at: report.complete || i < index ? 'done' : i === index ? 'current' : 'next' }) as PhaseStep),
    agents: report.agents.map((a) => ({ name: a.name, state: a.state, cells: agentCells(a) })),
    notes: [report.config_error, view.note, view.failure].filter((n): n is string => n !== null),
  });
}
