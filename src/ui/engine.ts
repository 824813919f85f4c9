/**
 * Fills the dashboard's store. Every tick (1 s, sooner when a state file
 * changes): one tmux snapshot into the same `readProjectView` as `ao status`
 * (its files read through the cached StateReader), the selected agent's
 * screen (captured again only when its pane printed since), and bounded tails
 * of the coordination files and events. It publishes only when something it
 * shows changed (a clock only when its text moves: `42s`, then `43s`; `7m`
 * only each minute), so the UI renders at a steady rate however much the
 * agents print, and draws nothing while nothing changes.
 */
import { coordPaths } from '../config/resolve.js';
import type { Project } from '../config/types.js';
import { ConfigError } from '../errors.js';
import type { Tmux } from '../tmux/client.js';
import { bySession, type PaneInfo } from '../tmux/snapshot.js';
import { screenLines } from '../readmodel/feed.js';
import { fileStamp, StateReader } from '../readmodel/state-reader.js';
import { readProjectView } from '../readmodel/view.js';
import { rowCells } from './columns.js';
import { since, type DashState, type View } from './model.js';
import type { DashStore } from './store.js';

export type TmuxPort = Pick<Tmux, 'snapshot' | 'capture'>;

export interface EngineOptions {
  project: Project;
  tmux: TmuxPort;
  store: DashStore;
  /** agents.toml did not validate when the dashboard started (it runs the last good config) */
  configError?: string | null;
  /** loads agents.toml again when it changes; throws a ConfigError when it does not validate */
  reload?: (() => Project) | null;
  tickMs?: number;
  /** watch the state folder to tick sooner than the clock (off in tests) */
  watch?: boolean;
  now?: () => number;
}

/** How much each part keeps: enough for a tall terminal, bounded whatever the run. */
const LIMITS = { preview: 120, log: 200, tail: 40, inbox: 30, events: 40 };
/** no two ticks closer than this, whatever asks for them */
const MIN_GAP_MS = 100;
/** a burst of state-file changes makes one tick */
const WATCH_DEBOUNCE_MS = 300;
/**
 * A quiet pane is captured again this often all the same: a resize reflows a screen
 * without any output (no activity), and this bounds how long the preview shows the old shape.
 */
const RECAPTURE_MS = 10_000;

/** What the screen shows that moves with the clock alone: each agent's uptime and last activity, the phase's age. */
function clockText(state: DashState): string {
  const { report, now } = state;
  let text = state.phaseStartedAt === null ? '' : since(state.phaseStartedAt, now);
  for (const agent of report?.agents ?? []) {
    const cells = rowCells(agent, state.startedAt[agent.name], now);
    text += `\t${cells.up}\t${cells.activity}`;
  }
  return text;
}

/**
 * Whether a pane printed nothing since `since` (unix ms): tmux keeps the time of a window's
 * last output in whole seconds (`window_activity`), so output in second A may have come as
 * late as A + 1 s. Unknown activity is never quiet.
 */
export function quietSince(activity: number | null, since: number): boolean {
  return activity !== null && (activity + 1) * 1000 <= since;
}

export class Engine {
  private project: Project;
  private configError: string | null;
  private configStamp: string | null = null;
  private readonly reader = new StateReader();
  private focusAgent: string | null = null;
  private view: View = 'preview';
  private timer: NodeJS.Timeout | null = null;
  private dueAt = 0;
  private running = false;
  private again = false;
  private active = false;
  private lastTickAt = 0;
  private lastKey = '';
  /** the preview's last capture: which pane (session, id, pid, dead), when it began, its lines */
  private lastCapture: { key: string; at: number; lines: string[] } | null = null;
  /** ticks run and states published, for AO_DASH_STATS */
  ticks = 0;
  publishes = 0;

  constructor(private readonly options: EngineOptions) {
    this.project = options.project;
    this.configError = options.configError ?? null;
    this.configStamp = fileStamp(options.project.configFile);
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  start(): void {
    if (this.active) return;
    this.active = true;
    this.requestTick(0);
  }

  /** Stops ticking and watching (while the terminal is lent to an attached session, and at exit). */
  stop(): void {
    this.active = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.reader.unwatch();
  }

  /** Which agent the preview (or the log) follows. */
  focus(agent: string | null, view: View): void {
    if (agent === this.focusAgent && view === this.view) return;
    this.focusAgent = agent;
    this.view = view;
    this.requestTick(0);
  }

  /** Ticks soon: after an action, or a change seen in the state folder. Never later than already due. */
  requestTick(delayMs = 0): void {
    if (!this.active) return;
    if (this.running) {
      this.again = true;
      return;
    }
    const now = this.now();
    const at = Math.max(now + delayMs, this.lastTickAt + MIN_GAP_MS);
    if (this.timer && this.dueAt <= at) return;
    this.schedule(at - now);
  }

  private schedule(waitMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.dueAt = this.now() + waitMs;
    this.timer = setTimeout(() => void this.runTick(), Math.max(0, waitMs));
  }

  private async runTick(): Promise<void> {
    this.timer = null;
    if (!this.active) return;
    this.running = true;
    this.ticks += 1;
    try {
      await this.tick();
    } catch (e) {
      this.options.store.update({ error: (e as Error).message });
    } finally {
      this.running = false;
      this.lastTickAt = this.now();
    }
    if (!this.active) return;
    const again = this.again;
    this.again = false;
    this.schedule(again ? MIN_GAP_MS : (this.options.tickMs ?? 1000));
  }

  /** One look at the team; publishes what changed. */
  async tick(): Promise<void> {
    const now = this.now();
    const state = this.options.store.get();
    let error: string | null = null;
    this.reloadConfig();
    if (this.options.watch) this.reader.watch(this.project.stateDir, () => this.requestTick(WATCH_DEBOUNCE_MS));
    const { project } = this;
    const { stateDir } = project;
    let panes: PaneInfo[] = [];
    try {
      panes = await this.options.tmux.snapshot();
    } catch (e) {
      error = `tmux: ${(e as Error).message}`;
    }
    const { report, startedAt, phaseStartedAt, note, failure } = readProjectView(project, panes, { source: this.reader, now, configError: this.configError });
    if (failure !== null) error = failure;
    else error ??= note;
    const sessions = bySession(panes);

    const focused = report.agents.find((a) => a.name === this.focusAgent) ?? report.agents[0];
    let preview: DashState['preview'] = null;
    let log: DashState['log'] = null;
    const focusedPane = focused && this.view === 'preview' ? sessions.get(focused.session) : undefined;
    if (focused && focusedPane) {
      try {
        const lines = await this.screen(focusedPane, now);
        preview = lines === null ? null : { agent: focused.name, lines };
      } catch (e) {
        this.lastCapture = null;
        error ??= `tmux: ${(e as Error).message}`;
      }
    } else this.lastCapture = null;
    if (focused && this.view === 'log') {
      log = { agent: focused.name, lines: this.reader.agentLog(stateDir, focused.name, LIMITS.log) };
    }

    const paths = coordPaths(project, report.phase.id, '');
    const next: DashState = {
      ...state,
      report,
      startedAt,
      phaseStartedAt,
      now,
      preview,
      log,
      journal: this.reader.tail(paths.journal, LIMITS.tail),
      review: this.reader.tail(paths.review, LIMITS.tail),
      inbox: this.reader.inboxes(
        stateDir,
        project.agents.map((a) => a.name),
        LIMITS.inbox,
      ),
      events: this.reader.events(stateDir, LIMITS.events),
      error,
    };
    this.reader.sweep();
    this.publish(next);
  }

  private publish(next: DashState): void {
    const { now: _now, notice: _notice, ...data } = next;
    const key = `${JSON.stringify(data)}\n${clockText(next)}`;
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.publishes += 1;
    // the notice belongs to the actions: keep whatever they set meanwhile
    this.options.store.set({ ...next, notice: this.options.store.get().notice });
  }

  /** The lines of a pane's screen: captured again only when the pane may have changed since the last capture. */
  private async screen(pane: PaneInfo, now: number): Promise<string[] | null> {
    const key = `${pane.session}\t${pane.paneId}\t${pane.pid}\t${pane.dead}`;
    const last = this.lastCapture;
    if (last && last.key === key && now - last.at < RECAPTURE_MS && quietSince(pane.activity, last.at)) return last.lines;
    const screen = await this.options.tmux.capture(pane.session);
    const lines = screen === null ? null : screenLines(screen, LIMITS.preview);
    // `now` is when this tick began, before the capture: output after it makes the next tick capture again
    this.lastCapture = lines === null ? null : { key, at: now, lines };
    return lines;
  }

  /** agents.toml changed: load it again; an invalid edit keeps the last good team and shows the error. */
  private reloadConfig(): void {
    const { reload } = this.options;
    if (!reload) return;
    const current = fileStamp(this.project.configFile);
    if (current === this.configStamp) return;
    this.configStamp = current;
    try {
      this.project = reload();
      this.configError = null;
    } catch (e) {
      this.configError = e instanceof ConfigError ? e.format(this.project.dir) : (e as Error).message;
    }
  }
}
