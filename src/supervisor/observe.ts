/** What tmux and /proc show, in the reconciler's terms. */
import type { Project } from '../config/types.js';
import { processAlive } from '../state/pidlock.js';
import type { ProcExit } from '../state/procwatch.js';
import { ownSessions, type PaneInfo } from '../tmux/snapshot.js';
import type { ObservedAgent, Timings } from './reconcile.js';

export function timingsOf(project: Project): Timings {
  const w = project.watchdog;
  return {
    backoffInitialMs: w.backoffInitialS * 1000,
    backoffMaxMs: w.backoffMaxS * 1000,
    healthyAfterMs: w.healthyAfterS * 1000,
    crashLimit: w.crashLimit,
    crashWindowMs: w.crashWindowS * 1000,
    restartLimit: w.restartLimit,
    restartWindowMs: w.restartWindowS * 1000,
    probeInitialMs: w.probeInitialS * 1000,
    probeMaxMs: w.probeMaxS * 1000,
    resumeMarginMs: w.resumeMarginS * 1000,
  };
}

/**
 * What tmux and /proc show of each agent. A pane whose pid is gone or a zombie
 * is dead, whatever tmux says. `recorded` reads the launcher's record of how an
 * agent's current run ended (undefined: the run has no launcher to record it).
 */
export function observe(
  project: Project,
  panes: readonly PaneInfo[],
  alive: (pid: number) => boolean = processAlive,
  exits: ReadonlyMap<number, { status: number | null; signal: number | null }> = new Map(),
  recorded: (agent: string) => ProcExit | null | undefined = () => undefined,
): Map<string, ObservedAgent> {
  const { own: sessions, foreign } = ownSessions(panes, project.configFile);
  const observed = new Map<string, ObservedAgent>();
  for (const agent of project.agents) {
    const pane = sessions.get(agent.session);
    const other = foreign.get(agent.session);
    // a session with its name but another owner: not the agent, and never touched
    if (other)
      observed.set(agent.name, { exists: false, dead: false, exitStatus: null, exitSignal: null, activityMs: null, screen: null, foreign: other.owner ?? '' });
    if (!pane) continue;
    const dead = pane.dead || (pane.pid !== null && !alive(pane.pid));
    // tmux's own status first; else what the zombie showed in /proc
    const fromProc = pane.pid !== null ? exits.get(pane.pid) : undefined;
    const known = pane.dead && (pane.deadStatus !== null || pane.deadSignal !== null);
    // ao's own record first: exact, and about the agent rather than its launcher
    const record = dead ? recorded(agent.name) : undefined;
    observed.set(agent.name, {
      exists: true,
      dead,
      ...(record !== undefined ? { recorded: record !== null } : {}),
      exitStatus: record ? record.status : known ? pane.deadStatus : dead ? (fromProc?.status ?? null) : null,
      exitSignal: record ? record.signal : known ? pane.deadSignal : dead ? (fromProc?.signal ?? null) : null,
      activityMs: pane.activity === null ? null : pane.activity * 1000,
      screen: null,
    });
  }
  return observed;
}

export function observedPids(project: Project, panes: readonly PaneInfo[]): number[] {
  const names = new Set(project.agents.map((a) => a.session));
  return panes.filter((p) => names.has(p.session) && p.owner === project.configFile && !p.dead && p.pid !== null).map((p) => p.pid!);
}
