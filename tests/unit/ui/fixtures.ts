/** A project and dashboard states built with the same `buildStatus` as `ao status`. */
import type { AgentSpec, Project } from '../../../src/config/types.js';
import { initialPhaseState, type PhaseState } from '../../../src/state/phase.js';
import type { AgentRecord, AgentsState } from '../../../src/state/agents.js';
import { buildStatus, type Observed } from '../../../src/supervisor/status.js';
import type { PaneInfo } from '../../../src/tmux/snapshot.js';
import type { DashActions } from '../../../src/ui/App.js';
import { initialDashState, type DashState } from '../../../src/ui/model.js';
import { agentSpec, projectOf, record as aRecord } from '../../helpers/builders.js';

export const NOW = Date.parse('2026-06-01T12:00:00Z');
const S = NOW / 1000;

export function agent(name: string, over: Partial<AgentSpec> = {}): AgentSpec {
  return agentSpec({ name, backend: 'claude', model: 'sonnet', ...over });
}

export function project(agents: AgentSpec[], over: Partial<Project> = {}): Project {
  return projectOf({
    name: 'demo-team',
    defaultModel: 'sonnet',
    models: { sonnet: 'claude-sonnet-4-6', opus: 'claude-opus-4-8' },
    agents,
    phases: [
      { id: 'scaffold', plan: '01-scaffold.md', planPath: '/p/phases/01-scaffold.md', models: {} },
      { id: 'feature', plan: '02-feature.md', planPath: '/p/phases/02-feature.md', models: { builder: 'opus' } },
    ],
    ...over,
  });
}

export const pane = (session: string, over: Partial<PaneInfo> = {}): PaneInfo => ({
  session,
  paneId: '%1',
  pid: 4242,
  dead: false,
  deadStatus: null,
  deadSignal: null,
  activity: S - 5,
  created: S - 3600,
  owner: '/p/agents.toml',
  ...over,
});

/** A record of an agent up for an hour, on its third iteration. */
export const record = (over: Partial<AgentRecord> = {}): AgentRecord =>
  aRecord({ up: true, startedAt: new Date(NOW - 3_723_000).toISOString(), iteration: 3, ...over });

/** One agent in each of the seven states, and the watchdog. */
export const everyState = project([
  agent('runner', { kind: 'persistent', heal: 'heal' }),
  agent('waiter', { kind: 'persistent', heal: 'heal' }),
  agent('staller'),
  agent('idle', { kind: 'task', heal: 'none' }),
  agent('corpse', { heal: 'none' }),
  agent('retrier'),
  agent('broken', { kind: 'persistent', heal: 'heal' }),
]);

export function everyStateObserved(): Observed {
  const agents: AgentsState = {
    version: 1,
    agents: {
      runner: record(),
      waiter: record({ life: { is: 'waiting' } }),
      staller: record({ restarts: 2 }),
      corpse: record(),
      retrier: record({ life: { is: 'backoff', until: NOW + 7000, lastExit: null }, restarts: 4 }),
      broken: record({ life: { is: 'failed', why: 'crash loop: 5 starts died within 300 s' }, restarts: 5 }),
      watchdog: record(),
    },
  };
  return {
    panes: [
      pane('p-runner'),
      pane('p-waiter'),
      pane('p-staller', { activity: S - 14 * 60 }),
      pane('p-corpse', { dead: true, deadStatus: 3, pid: null }),
      pane('p-retrier', { dead: true, deadStatus: 1 }),
      pane('p-watchdog'),
    ],
    server: true,
    agents,
    phase: initialPhaseState(),
    now: NOW,
  };
}

export function stateFor(p: Project, observed: Observed, over: Partial<DashState> = {}): DashState {
  const report = buildStatus(p, observed);
  const startedAt = Object.fromEntries(report.agents.map((a) => [a.name, a.pid === null ? null : NOW - 3_723_000]));
  return { ...initialDashState(NOW), report, startedAt, now: NOW, phaseStartedAt: NOW - 5400_000, ...over };
}

export function observed(over: Partial<Observed> = {}): Observed {
  return { panes: [], server: false, agents: { version: 1, agents: {} }, phase: initialPhaseState(), now: NOW, ...over };
}

export function completePhase(): PhaseState {
  return { ...initialPhaseState(), index: 1, complete: true };
}

export interface Calls {
  calls: Array<[keyof DashActions, ...unknown[]]>;
  actions: DashActions;
}

/** Actions that only record how they were called. */
export function recordingActions(): Calls {
  const calls: Calls['calls'] = [];
  const rec =
    <K extends keyof DashActions>(name: K) =>
    (...args: unknown[]): void =>
      void calls.push([name, ...args]);
  return {
    calls,
    actions: {
      attach: rec('attach'),
      restart: rec('restart'),
      toggle: rec('toggle'),
      send: rec('send'),
      advance: rec('advance'),
      quit: rec('quit'),
      focus: rec('focus'),
    },
  };
}
