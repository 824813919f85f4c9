import { getBackend } from '../../backends/index.js';
import { readAgentsState } from '../../state/agents.js';
import { readExit } from '../../state/exits.js';
import { readPhaseStateOf } from '../../state/phase.js';
import { hookView, readSignals, signalFile } from '../../state/signals.js';
import { explainAgent, formatExplanation, type Explanation } from '../../supervisor/explain.js';
import { inboxSize } from '../../supervisor/mail.js';
import { buildStatus, WATCHDOG } from '../../supervisor/status.js';
import { explainWatchdog, formatWatchdogExplanation } from '../../supervisor/explain-watchdog.js';
import { watchdogProcess } from '../../supervisor/watchdog-pid.js';
import type { AgentSpec, Project } from '../../config/types.js';
import type { Tmux } from '../../tmux/client.js';
import { UsageError } from '../../errors.js';
import { ownSessions } from '../../tmux/snapshot.js';
import { openProjectOrRunning, selectAgents } from '../context.js';
import type { GlobalOptions, Io } from '../io.js';
import { jsonText } from '../../text/safe.js';

export interface ExplainOptions extends GlobalOptions {
  agent: string;
  json?: boolean;
}

/** `ao explain AGENT`: read-only, like `ao status`; one snapshot and one capture of its pane. */
export async function explain(options: ExplainOptions, io: Io): Promise<number> {
  const { project, tmux } = openProjectOrRunning(options, io);
  if (options.agent === WATCHDOG && !project.agents.some((a) => a.name === WATCHDOG)) return explainTheWatchdog(project, tmux, options, io);
  const [agent] = selectAgents(project, [options.agent], () => false);
  if (!agent) throw new UsageError('ao explain needs an agent name');
  const explanation = await explainOf(project, tmux, agent);
  io.out(options.json ? `${jsonText(explanation, 2)}\n` : formatExplanation(explanation));
  return 0;
}

/** What `ao explain AGENT` says of one agent: one snapshot and one capture of its pane. */
export async function explainOf(project: Project, tmux: Tmux, agent: AgentSpec): Promise<Explanation> {
  const panes = await tmux.snapshot();
  const agents = readAgentsState(project.stateDir);
  const now = Date.now();
  const report = buildStatus(project, { panes, server: panes.length > 0, agents, phase: readPhaseStateOf(project), now });
  const status = report.agents.find((a) => a.name === agent.name)!;
  const record = agents.agents[agent.name];
  const pane = ownSessions(panes, project.configFile).own.get(agent.session);
  const capture = pane && !pane.dead ? await tmux.capture(agent.session).catch(() => null) : null;
  const backend = agent.kind === 'service' ? null : getBackend(agent.backend);
  const screen =
    capture !== null && backend ? { state: backend.detect(capture, { readyPattern: agent.readyPattern }), dialog: backend.dialog?.(capture) ?? null } : null;
  const since = record?.startedAt ? Date.parse(record.startedAt) : 0;
  return explainAgent({
    agent,
    status,
    record,
    pane,
    exit: record?.runId ? readExit(project.stateDir, agent.name, record.runId) : undefined,
    screen,
    hooks: hookView(readSignals(signalFile(project.stateDir, agent.name)), since),
    unseenMail: Math.max(0, inboxSize(project.stateDir, agent.name) - (record?.mailSeen ?? 0)),
    now,
  });
}

/** `ao explain watchdog`: its own process, its supervisor and who brings it back. */
async function explainTheWatchdog(project: Project, tmux: Tmux, options: ExplainOptions, io: Io): Promise<number> {
  const panes = await tmux.snapshot();
  const agents = readAgentsState(project.stateDir);
  const pane = ownSessions(panes, project.configFile).own.get(`${project.sessionPrefix}${WATCHDOG}`);
  const watchdogPid = pane && !pane.dead ? watchdogProcess(project.stateDir, pane.pid) : null;
  const report = buildStatus(project, { panes, server: panes.length > 0, agents, phase: readPhaseStateOf(project), now: Date.now(), watchdogPid });
  const explanation = explainWatchdog(
    report.agents.find((a) => a.name === WATCHDOG)!,
    agents.agents[WATCHDOG],
    pane,
  );
  io.out(options.json ? `${JSON.stringify(explanation, null, 2)}\n` : formatWatchdogExplanation(explanation));
  return 0;
}
