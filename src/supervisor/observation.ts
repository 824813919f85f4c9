/**
 * The sweep's observe step: what tmux, /proc, the exit records, the signal
 * files, the gate files, the runs' output and (sparingly) the screens show of
 * the team, in the deciders' terms. It writes nothing: the usage of runs that ended and of
 * the Claude TUIs' turns comes back as lines, which the apply step writes
 * with the sweep's records, and the decision counts them already (a budget
 * they used up holds the next run).
 */
import { getBackend } from '../backends/index.js';
import { coordPaths } from '../config/resolve.js';
import type { AgentSpec, Project } from '../config/types.js';
import type { GateFacts } from '../phases/advance.js';
import { gateFacts } from '../workspace/land.js';
import { safeText } from '../text/safe.js';
import type { AgentRecord } from '../state/agents.js';
import { readExit } from '../state/exits.js';
import { fileStamp } from '../state/files.js';
import { layout } from '../state/layout.js';
import { phaseView, type PhaseState } from '../state/phase.js';
import { processAlive } from '../state/pidlock.js';
import type { ProcExit } from '../state/procwatch.js';
import { readTailLines } from '../state/safe-fs.js';
import { hookView, readSignals, signalFile } from '../state/signals.js';
import { addRecord, emptyReport, readUsageReport, usageFile, type UsageRecord, type UsageReport } from '../state/usage.js';
import type { Tmux } from '../tmux/client.js';
import type { PaneInfo } from '../tmux/snapshot.js';
import { followsConversation, type AgentsInput } from './decide.js';
import { watchesScreen } from './deliver.js';
import { observe } from './observe.js';
import { SignalViews } from './provider-wait.js';
import { runEndOf } from './read-trouble.js';
import { iterationUsage, unknownUsage } from './record-usage.js';
import { budgetNeeds } from './budgets.js';
import { silentTooLong } from './reconcile.js';
import { tuiUsage, type TuiUsage } from './tui-usage.js';

export interface GateObservation {
  phase: PhaseState;
  journal: string;
  review: string;
  /** a commit-bound gate: what git says of the new gate lines' commits (null: the classic gate) */
  facts: GateFacts | null;
}

export type AgentsObservation = Pick<AgentsInput, 'observed' | 'conversations' | 'usage'> & {
  /** usage lines of runs that ended, for the apply step to write */
  usageLines: UsageRecord[];
};

export interface ObserverDeps {
  tmux: Tmux;
  log: (level: 'warn', text: string) => void;
}

export class Observer {
  /** the signal files (hooks, the CLIs' own retries of their provider), each read again when it changed */
  private readonly signals = new SignalViews();
  private usageRead: { key: string; report: UsageReport } | null = null;

  constructor(private readonly deps: ObserverDeps) {}

  /** The current phase's gate files, with what git says of the commits their new lines name (a commit-bound gate). */
  async gate(project: Project, phase: PhaseState): Promise<GateObservation> {
    const paths = coordPaths(project, phaseView(project, phase).phase.id, 'builder');
    const journal = readTailLines(paths.journal);
    const review = readTailLines(paths.review);
    return { phase, journal, review, facts: await gateFacts(project, phase, journal, review) };
  }

  /** Every Claude TUI's usage since its last turn: the lines, and where each transcript was read to. */
  tuiUsage(project: Project, records: Readonly<Record<string, AgentRecord>>, panes: readonly PaneInfo[], phase: string, now: number): TuiUsage {
    return tuiUsage(project, records, panes, this.signals, phase, now, (text) => this.deps.log('warn', text));
  }

  /**
   * What tmux, /proc and the state folder show of each agent. A run's end
   * seen for the first time has its usage read here, with the lines already
   * found (`found`) counted into the report the decision sees. Screens are
   * captured only of agents silent for their stall time, and of a dead run
   * that was to continue a conversation: a heal reads nothing more.
   */
  async agents(
    project: Project,
    panes: readonly PaneInfo[],
    records: Readonly<Record<string, AgentRecord>>,
    phase: string,
    now: number,
    exits: ReadonlyMap<number, ProcExit>,
    found: readonly UsageRecord[],
  ): Promise<AgentsObservation> {
    const { tmux } = this.deps;
    const recorded = (name: string): ProcExit | null | undefined => {
      const runId = records[name]?.runId;
      return runId ? readExit(project.stateDir, name, runId) : undefined;
    };
    const observed = observe(project, panes, processAlive, exits, recorded);
    const conversations = new Map<string, string>();
    for (const spec of project.agents) {
      const record = records[spec.name];
      if (!followsConversation(spec, record)) continue;
      const reported = hookView(readSignals(signalFile(project.stateDir, spec.name)), Date.parse(record.startedAt)).session;
      if (reported) conversations.set(spec.name, reported);
    }
    const usageLines = [...found];
    for (const spec of project.agents) {
      const seen = observed.get(spec.name);
      const record = records[spec.name];
      if (!seen) continue;
      if (seen.dead && record?.up && record.deadSince == null) {
        // a run's end seen for the first time: its tokens and cost first (a budget may hold the next run)
        const line = this.iterationUsage(project, spec, record, phase);
        if (line) usageLines.push(line);
        // and was it the provider's trouble (a usage limit, an outage)?
        const { trouble, fellBack } = runEndOf(project, spec, seen.exitStatus, now, record.logOffset ?? 0);
        if (trouble && trouble.kind !== null) seen.trouble = { kind: trouble.kind, resetAt: trouble.resetAt, message: trouble.message };
        else if (trouble?.message) seen.lastWords = trouble.message;
        seen.fellBack = fellBack;
      }
      const support = spec.kind === 'service' ? undefined : getBackend(spec.backend).conversations;
      const conversationId = conversations.get(spec.name) ?? record?.conversationId;
      if (seen.dead && seen.exists && record?.resumedRun && conversationId && support && record.deadSince == null) {
        // did the CLI refuse to continue the conversation? its last screen or its log says so (a
        // full-screen TUI leaves its alternate screen on exit, and the message with it)
        const screen = (await tmux.capture(spec.session).catch(() => null)) ?? '';
        seen.refusedResume =
          support.refused(screen, conversationId) ||
          support.refused(safeText(readTailLines(layout.agentLog(project.stateDir, spec.name), 16 * 1024)), conversationId);
      }
      // an interactive pane is read by the screen watch: a dialog it saw makes the reconciler leave the agent alone
      if (!seen.dead && record?.startedAt && (spec.kind === 'loop' || spec.kind === 'task'))
        seen.providerRetry = this.signals.view(project.stateDir, spec.name, Date.parse(record.startedAt))?.provider ?? null;
      if (watchesScreen(spec)) seen.screen = !seen.dead && record?.waitingOn ? 'waiting' : null;
      else if (silentTooLong({ heal: spec.heal, stallMs: spec.stallMinutes * 60_000 }, seen, record, now)) {
        const screen = await tmux.capture(spec.session).catch(() => null);
        if (screen !== null) seen.screen = getBackend(spec.backend).detect(screen, { readyPattern: spec.readyPattern });
      }
    }
    return { observed, conversations, usage: withLines(this.usage(project.stateDir), usageLines), usageLines };
  }

  /** What state/usage.jsonl adds up to, read again only when it grew. */
  private usage(stateDir: string): UsageReport | null {
    const key = fileStamp(usageFile(stateDir));
    if (key === null) return null;
    if (this.usageRead?.key !== key) this.usageRead = { key, report: readUsageReport(stateDir) };
    return this.usageRead.report;
  }

  /** One iteration's usage, read from its run's stream (before the next run rotates it). */
  private iterationUsage(project: Project, agent: AgentSpec, record: AgentRecord, phase: string): UsageRecord | null {
    if (agent.kind !== 'loop' && agent.kind !== 'task') return null;
    const run = record.runId ? { run: record.runId } : {};
    let line: UsageRecord | null = null;
    try {
      line = iterationUsage(project, agent, record.iteration ?? 0, undefined, { phase, ...run });
    } catch (error) {
      this.deps.log('warn', `usage of ${agent.name}: ${String(error)}`);
    }
    // a budget that applies needs the run's usage (a budget_usd its cost): without it the run is unknown, never free
    const base = { time: new Date().toISOString(), agent: agent.name, phase, iteration: record.iteration ?? 0, ...run, backend: agent.backend };
    return unknownUsage(line, budgetNeeds(project, agent, phase), base);
  }
}

/** The report with lines not yet written counted in (a copy: the report read stays as the file is). */
function withLines(report: UsageReport | null, lines: readonly UsageRecord[]): UsageReport | null {
  if (lines.length === 0) return report;
  const counted = report ? structuredClone(report) : emptyReport();
  for (const line of lines) addRecord(counted, line);
  return counted;
}
