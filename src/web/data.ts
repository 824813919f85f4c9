/**
 * What `ao web` answers, built from the same read model as `ao status`, `ao
 * phase`, `ao cost`, `ao explain` and the dashboard (readmodel/): the objects
 * of the CLI's `--json`, and the tails the pages show. Every answer goes
 * through safeDeep (no control sequence in any string) before it leaves.
 */
import type { AgentSpec, Project } from '../config/types.js';
import { fileStamp } from '../state/files.js';
import { layout } from '../state/layout.js';
import { ledgerHead } from '../state/ledger.js';
import { readEvents, type LoggedEvent } from '../state/events.js';
import { readProjectView, type ProjectView } from '../readmodel/view.js';
import { StateReader } from '../readmodel/state-reader.js';
import { screenLines, type InboxLine } from '../readmodel/feed.js';
import { statusJson } from '../cli/format.js';
import { costJson } from '../cli/commands/cost.js';
import { commitsReport, statusReport } from '../cli/commands/phase.js';
import { explainOf } from '../cli/commands/explain.js';
import { openProjectOrRunning } from '../cli/context.js';
import type { GlobalOptions, Io } from '../cli/io.js';
import type { Explanation } from '../supervisor/explain.js';
import type { AgentStatus } from '../supervisor/status.js';
import { Tmux } from '../tmux/client.js';
import { ControlClient, controlWanted } from '../tmux/control.js';
import { watchdogSession } from '../supervisor/sessions.js';
import { safeDeep } from '../text/safe.js';

/** The project as agents.toml says now: loaded again when the file changes (else the config the watchdog runs). */
export class ProjectHolder {
  private stamp: string | null = null;
  private loaded!: { project: Project; tmux: Tmux; configError: string | null };
  readonly reader = new StateReader();
  /** one control-mode client on the watchdog's session answers the snapshots and captures (as the dashboard's), not a tmux process each */
  private control: ControlClient | null = null;

  constructor(
    private readonly options: GlobalOptions,
    private readonly io: Io,
  ) {
    this.current();
  }

  current(): { project: Project; tmux: Tmux; configError: string | null } {
    const file = this.loaded?.project.configFile;
    const stamp = file ? fileStamp(file) : null;
    if (this.loaded && stamp === this.stamp) return this.loaded;
    const { project, configError } = openProjectOrRunning(this.options, this.io, this.loaded !== undefined);
    const session = watchdogSession(project);
    if (controlWanted(this.io.env) && (this.control === null || this.controlOf !== `${project.tmuxSocket} ${session}`)) {
      this.control?.close();
      this.control = new ControlClient({ socket: project.tmuxSocket, session });
      this.controlOf = `${project.tmuxSocket} ${session}`;
    }
    this.loaded = { project, tmux: new Tmux(project.tmuxSocket, this.control?.runner), configError };
    this.stamp = fileStamp(project.configFile);
    return this.loaded;
  }

  private controlOf = '';

  close(): void {
    this.control?.close();
    this.control = null;
  }

  /** The read model from one tmux snapshot, through the cached reader. */
  async view(): Promise<ProjectView> {
    const { project, tmux, configError } = this.current();
    this.reader.sweep();
    return readProjectView(project, await tmux.snapshot(), { source: this.reader, configError });
  }

  agent(name: string): AgentSpec | undefined {
    return this.current().project.agents.find((a) => a.name === name);
  }
}

/** `ao status --json`'s object, with the ledger's head. */
export function statusObject(project: Project, view: ProjectView): object {
  return safeDeep({ ...statusJson(view.report), ledger: ledgerHead(project.stateDir) });
}

/** `ao phase --json`'s object. */
export async function phaseObject(project: Project, view: ProjectView): Promise<object> {
  return safeDeep(statusReport(project, view, await commitsReport(project, view.phase)));
}

/** `ao cost --json`'s object. */
export function costObject(project: Project, reader: StateReader): object {
  return safeDeep(costJson(project.name, reader.usage(project.stateDir)));
}

/** The events after `after` (their seq), oldest first, at most `limit`. */
export function eventsAfter(stateDir: string, after: number, limit: number): { events: LoggedEvent[]; head: number | null } {
  const recent = readEvents(stateDir, Math.max(limit, 1000));
  const events = recent.filter((e) => (e.seq ?? 0) > after).slice(0, limit);
  return safeDeep({ events, head: recent.at(-1)?.seq ?? null });
}

export interface AgentDetail {
  status: AgentStatus;
  explain: Explanation;
  log: string[];
  inbox: InboxLine[];
  workspace: AgentStatus['workspace'] | null;
}

/** One agent: its row of `ao status --json`, `ao explain --json`, the tail of its log and its inbox. */
export async function agentDetail(holder: ProjectHolder, agent: AgentSpec, view: ProjectView): Promise<AgentDetail | null> {
  const { project, tmux } = holder.current();
  const status = view.report.agents.find((a) => a.name === agent.name);
  if (!status) return null;
  const { reader } = holder;
  return safeDeep({
    status,
    explain: await explainOf(project, tmux, agent),
    log: reader.agentLog(project.stateDir, agent.name, 60),
    inbox: reader.inboxes(project.stateDir, [agent.name], 20),
    workspace: status.workspace ?? null,
  });
}

/** An agent's screen as text: escapes and controls removed, the blank tail dropped; null when it has no live pane. */
export async function agentScreen(holder: ProjectHolder, agent: AgentSpec): Promise<{ agent: string; at: string; lines: string[] | null }> {
  const capture = await holder
    .current()
    .tmux.capture(agent.session)
    .catch(() => null);
  return safeDeep({ agent: agent.name, at: new Date().toISOString(), lines: capture === null ? null : screenLines(capture, 200) });
}

/** The files of a phase the phase page shows (journal and review), as the dashboard reads them. */
export function phaseFiles(stateDir: string, phaseId: string): { journal: string; review: string } {
  return { journal: layout.journal(stateDir, phaseId), review: layout.review(stateDir, phaseId) };
}
