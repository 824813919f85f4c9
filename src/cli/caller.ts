import type { AgentSpec, Project } from '../config/types.js';
import { UsageError } from '../errors.js';
import { procStat } from '../state/pidlock.js';
import type { Tmux } from '../tmux/client.js';
import type { PaneInfo } from '../tmux/snapshot.js';

/**
 * Who runs a command: the maintainer, or an agent in whose pane it runs. A
 * command is an agent's when it runs inside a pane that ao made on the
 * project's own tmux socket. The pane is found by the process itself (its
 * session leader or an ancestor is the pane's process), or failing that by
 * TMUX and TMUX_PANE naming a pane on that socket. `AO_AGENT` decides nothing.
 * Without OS isolation this is what an agent does by default, not a
 * guarantee: docs/PROTOCOL.md "Who did it".
 */
export type Caller =
  | { kind: 'maintainer' }
  | {
      kind: 'agent';
      /** the agent's name; for a session of another project, its session name */
      name: string;
      /** the agent's config; null for a session of ours that is no agent of the config (the watchdog) or another project's */
      agent: AgentSpec | null;
      session: string;
      /** the session belongs to this project (its @ao_project) */
      ours: boolean;
    };

export interface CallerFacts {
  /** every pane on the project's tmux socket (the snapshot), [] when no server runs */
  panes: readonly PaneInfo[];
  /** this process, its session leader and its ancestors, nearest first */
  lineage: readonly number[];
  /** TMUX_PANE as the environment says it */
  tmuxPane: string | undefined;
  /** the socket path of TMUX as the environment says it */
  tmuxSocketPath: string | null;
  /** the socket file of the project's tmux server */
  socketPath: string;
}

export const MAINTAINER: Caller = { kind: 'maintainer' };

/** The pure decision: a pane ao made on the project's socket that holds this process, else the maintainer. */
export function callerOf(project: Pick<Project, 'agents' | 'configFile' | 'sessionPrefix'>, facts: CallerFacts): Caller {
  const made = facts.panes.filter((p) => p.owner !== null);
  const byPid = new Map(made.filter((p) => p.pid !== null).map((p) => [p.pid, p]));
  let pane = facts.lineage.map((pid) => byPid.get(pid)).find((p) => p !== undefined);
  // a pane id alone means nothing: pane ids of every tmux server start at %0
  if (!pane && facts.tmuxPane !== undefined && /^%\d+$/.test(facts.tmuxPane) && facts.tmuxSocketPath === facts.socketPath)
    pane = made.find((p) => p.paneId === facts.tmuxPane);
  if (!pane) return MAINTAINER;
  if (pane.owner !== project.configFile) return { kind: 'agent', name: pane.session, agent: null, session: pane.session, ours: false };
  const agent = project.agents.find((a) => a.session === pane.session) ?? null;
  const name = agent?.name ?? (pane.session.startsWith(project.sessionPrefix) ? pane.session.slice(project.sessionPrefix.length) : pane.session);
  return { kind: 'agent', name, agent, session: pane.session, ours: true };
}

/** How a caller is named in events and messages. */
export const callerName = (caller: Caller): string => (caller.kind === 'maintainer' ? 'maintainer' : caller.name);

/**
 * Why `command` (a phase move) is refused to this caller, or null when it may
 * go on: the maintainer may; an agent only when its config says
 * `may_move_phase = true`.
 */
export function phaseMoveRefusal(caller: Caller, command: string): string | null {
  if (caller.kind === 'maintainer' || (caller.ours && caller.agent?.mayMovePhase === true)) return null;
  const where = !caller.ours
    ? `in the pane of session ${caller.session}, which another project made`
    : caller.agent
      ? `in agent ${caller.name}'s pane (session ${caller.session}), and [agents.${caller.name}] in agents.toml does not set may_move_phase = true`
      : `in session ${caller.session}'s pane, which is no agent of agents.toml`;
  return `${command} refused: it ran ${where}; only the maintainer, or an agent with may_move_phase = true, moves the phase`;
}

/** The socket path TMUX names (`path,server pid,session index`), or null. */
export function tmuxSocketOf(value: string | undefined): string | null {
  const match = /^(.+),\d+,-?\d+$/.exec(value ?? '');
  return match?.[1] ?? null;
}

/** This process and its ancestors up to init, nearest first, then its session leader (from /proc). */
export function processLineage(pid = process.pid): number[] {
  const lineage: number[] = [];
  const sid = Number(procStat(pid)?.[3]);
  for (let at = pid; at > 1 && lineage.length < 64;) {
    const fields = procStat(at);
    if (!fields) break;
    lineage.push(at);
    at = Number(fields[1]);
  }
  // a process that left its pane's process tree (reparented to init) is still of the pane's session
  if (sid > 1 && !lineage.includes(sid)) lineage.push(sid);
  return lineage;
}

/** Who runs this command in the project (from `panes`, else one snapshot of its tmux socket: none when no server runs). */
export async function findCaller(project: Project, tmux: Tmux, env: NodeJS.ProcessEnv, panes?: readonly PaneInfo[]): Promise<Caller> {
  return callerOf(project, {
    panes: panes ?? (await tmux.snapshot()),
    lineage: processLineage(),
    tmuxPane: env.TMUX_PANE,
    tmuxSocketPath: tmuxSocketOf(env.TMUX),
    socketPath: tmux.socketPath,
  });
}

/**
 * The agent whose sandbox runs this command (AO_SANDBOX, which its bubblewrap
 * sets), or null. Inside a sandbox tmux is out of reach, so this is how a
 * command knows. What it is used to refuse, the sandbox's read-only mounts
 * refuse anyway: the refusal is there to say so clearly.
 */
export function sandboxedAgent(env: NodeJS.ProcessEnv): string | null {
  return env.AO_SANDBOX?.trim() || null;
}

/** Throws for a command that changes the team (`ao up`, `down`, `restart`, `run`, `phase next|set`) run inside an agent's sandbox. */
export function refuseInSandbox(env: NodeJS.ProcessEnv, command: string): void {
  const agent = sandboxedAgent(env);
  if (agent !== null)
    throw new UsageError(
      `${command} refused: it ran inside agent ${agent}'s sandbox; only the maintainer changes the team (read commands such as ao status, ao phase, ao inbox work)`,
    );
}
