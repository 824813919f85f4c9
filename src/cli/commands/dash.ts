import { writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { loadProject } from '../../config/load.js';
import { AoError, ConfigError, UsageError } from '../../errors.js';
import { watchdogSession } from '../../supervisor/sessions.js';
import { WATCHDOG } from '../../supervisor/status.js';
import { Tmux } from '../../tmux/client.js';
import { ControlClient, controlWanted } from '../../tmux/control.js';
import type { DashActions, DashStore, Engine, NoticeTone } from '../../ui/index.js';
import { openProjectOrRunning, type Context } from '../context.js';
import type { GlobalOptions, Io } from '../io.js';
// the actions are loaded with the dashboard, not on first use: a dashboard left open across a
// rebuild or an upgrade of ao (new chunk names in dist/) must still be able to act
import { attach } from './attach.js';
import { down } from './down.js';
import { phase } from './phase.js';
import { restart } from './restart.js';
import { send } from './send.js';
import { up } from './up.js';

export const NO_TERMINAL = 'ao dash needs a terminal; use `ao status` (or `ao status --json`) instead';

/** A notice stays this long, then the status line clears. */
const NOTICE_MS = 15_000;

/** The alternate screen: the dashboard leaves the shell's screen as it found it. */
export const SCREEN = { enter: '\x1b[?1049h\x1b[2J\x1b[H', leave: '\x1b[?25h\x1b[?1049l' };

/**
 * `ao dash`: the team, live. Read-only until a key asks it to act; every
 * action is the same command function the CLI runs (`ao restart`, `ao up`,
 * `ao down`, `ao send`, `ao phase next`, `ao attach`).
 */
export async function dash(options: GlobalOptions, io: Io): Promise<number> {
  if (!io.isTTY || !process.stdin.isTTY) throw new UsageError(NO_TERMINAL);
  // like `ao status`: a broken agents.toml shows the team the watchdog still runs, with the error
  const context = openProjectOrRunning(options, io, true);
  const terminal = await openTerminal(io);
  try {
    await dashProject(context, io, terminal, false);
    return 0;
  } finally {
    terminal.close();
  }
}

type Ui = typeof import('../../ui/index.js');

/** The terminal made ready for ink, once per `ao dash`: the UI loaded, a stop on SIGTERM/SIGHUP/SIGINT, the screen restored at exit. */
export interface Terminal {
  ui: Ui;
  stop: Promise<'quit'>;
  stats: ReturnType<typeof renderStats> | null;
  close: () => void;
}

export async function openTerminal(io: Io): Promise<Terminal> {
  // ink draws nothing until exit when it believes it runs under CI (is-in-ci, read as ink loads); this is a terminal
  for (const key of Object.keys(process.env)) if (key === 'CI' || key === 'CONTINUOUS_INTEGRATION' || key.startsWith('CI_')) delete process.env[key];
  // React's development build is several times slower and heavier: a screen left open all week runs the production one
  process.env.NODE_ENV ||= 'production';
  // The dashboard makes a little garbage every second, steadily; left to grow, V8's young generation
  // only holds more of it (about 17 MB of RSS, docs/PERFORMANCE.md). The growth factor is read each
  // time it would grow, so it applies although the heap already exists.
  setFlagsFromString('--semi-space-growth-factor=1');
  // Its old generation, left to V8's own growing factor, was seen on a loaded machine to climb to
  // 70 MB before a full collection (RSS 130+ MB); held to 1.5 times what the last one left live, it
  // stays near 30 MB. Read after every full collection, so it too applies once set.
  setFlagsFromString('--heap-growing-percent=50');
  const ui = await import('../../ui/index.js');
  const stop = new Promise<'quit'>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.once(signal, () => resolve('quit'));
  });
  const restoreOnExit = (): void => void process.stdout.write(SCREEN.leave);
  process.once('exit', restoreOnExit);
  const stats = io.env.AO_DASH_STATS ? renderStats(io.env.AO_DASH_STATS) : null;
  return {
    ui,
    stop,
    stats,
    close: () => {
      stats?.stop();
      process.off('exit', restoreOnExit);
    },
  };
}

/** One project's dashboard until q (`quit`) or, when opened from the fleet list (`back`), escape. */
export async function dashProject(context: Context & { configError: string | null }, io: Io, terminal: Terminal, back: boolean): Promise<'quit' | 'back'> {
  const { project, configError } = context;
  const { colorEnabled, createStore, Engine, initialDashState, mountDashboard } = terminal.ui;
  const store = createStore(initialDashState());
  // each tick's snapshot and capture go through one control client attached to the watchdog's session
  // instead of two tmux processes a second; while that session is down, a process each as before
  const control = controlWanted(io.env) ? new ControlClient({ socket: project.tmuxSocket, session: watchdogSession(project) }) : null;
  const engine = new Engine({
    project,
    tmux: new Tmux(project.tmuxSocket, control?.runner),
    store,
    configError,
    reload: () => loadProject(project.configFile, io.env),
    watch: true,
  });
  terminal.stats?.follow(engine);
  const config = { config: project.configFile };
  const act = actionRunner(store, engine, io);
  const watchdogNote = 'the watchdog is started by `ao up` and stopped by `ao down`';

  const actions: Omit<DashActions, 'attach' | 'quit'> = {
    focus: (agent, view) => engine.focus(agent, view),
    restart: (agent) => (agent === WATCHDOG ? act.note(watchdogNote) : act(`restarting ${agent}`, (cio) => restart({ ...config, agent }, cio))),
    toggle: (agent, to) =>
      agent === WATCHDOG
        ? act.note(watchdogNote)
        : to === 'stop'
          ? act(`stopping ${agent}`, (cio) => down({ ...config, agents: [agent] }, cio))
          : act(`starting ${agent}`, (cio) => up({ ...config, agents: [agent] }, cio)),
    send: (agent, text) =>
      agent === WATCHDOG
        ? act.note('the watchdog has no inbox', 'error')
        : act(`sending to ${agent}`, (cio) => send({ ...config, agent, message: [text] }, cio)),
    advance: () => act('advancing the phase', (cio) => phase({ ...config, action: 'next' }, cio)),
  };

  let selected: string | null = null;
  try {
    for (;;) {
      process.stdout.write(SCREEN.enter);
      engine.start();
      let resolveOutcome: (outcome: { attach: string } | 'quit' | 'back') => void = () => {};
      const outcome = new Promise<{ attach: string } | 'quit' | 'back'>((resolve) => (resolveOutcome = resolve));
      const instance = mountDashboard({
        store,
        actions: {
          ...actions,
          attach: (agent) =>
            agent === WATCHDOG ? act.note('the watchdog has no screen to attach to; `l` shows its log', 'error') : resolveOutcome({ attach: agent }),
          quit: () => resolveOutcome('quit'),
          ...(back ? { back: () => resolveOutcome('back') } : {}),
        },
        color: colorEnabled(io.env),
        stdout: process.stdout,
        stdin: process.stdin,
        initialSelected: selected,
        ...(terminal.stats ? { onRender: terminal.stats.onRender } : {}),
      });
      const next = await Promise.race([outcome, terminal.stop]);
      instance.unmount();
      engine.stop();
      await releaseStdin();
      process.stdout.write(SCREEN.leave);
      if (next === 'quit' || next === 'back') return next;
      selected = next.attach;
      await attachTo(next.attach, config, io, store);
    }
  } finally {
    engine.stop();
    control?.close();
  }
}

type Act = ((label: string, run: (io: Io) => Promise<number>) => void) & { note: (text: string, tone?: NoticeTone) => void };

/** Runs one action at a time with an Io that captures its output for the status line. */
function actionRunner(store: DashStore, engine: Engine, io: Io): Act {
  let busy: string | null = null;
  let timer: NodeJS.Timeout | null = null;
  const note = (text: string, tone: NoticeTone = 'info'): void => {
    store.update({ notice: { text, tone } });
    // the store holds its own safe copy of the notice: that is what is still shown, or not, when the time is up
    const shown = store.get().notice;
    if (timer) clearTimeout(timer);
    if (tone === 'busy') return;
    timer = setTimeout(() => store.get().notice === shown && store.update({ notice: null }), NOTICE_MS);
    timer.unref();
  };
  const act = (label: string, run: (io: Io) => Promise<number>): void => {
    if (busy) return note(`still ${busy}…`, 'busy');
    busy = label;
    note(`${label}…`, 'busy');
    let text = '';
    const captured: Io = { out: (t) => void (text += t), err: (t) => void (text += t), env: io.env, cwd: io.cwd, isTTY: false };
    run(captured)
      .then(
        (code) => note(summary(text) || `${label}: done`, code === 0 ? 'info' : 'error'),
        (error: unknown) => note(errorText(error), 'error'),
      )
      .finally(() => {
        busy = null;
        engine.requestTick(0);
      });
  };
  return Object.assign(act, { note });
}

const summary = (text: string): string =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' · ');

export function errorText(error: unknown): string {
  if (error instanceof ConfigError) return `config error: ${error.format().split('\n')[0] ?? ''}`;
  if (error instanceof AoError) return error.message;
  return `failed: ${error instanceof Error ? error.message : String(error)}`;
}

/** Lends the terminal to `tmux attach` until the user detaches. */
async function attachTo(agent: string, config: GlobalOptions, io: Io, store: DashStore): Promise<void> {
  try {
    const code = await attach({ ...config, agent }, io);
    // a tmux attach that fails at once must not pass for a visit
    store.update({ notice: code === 0 ? { text: `back from ${agent}`, tone: 'info' } : { text: `tmux attach to ${agent} exited ${code}`, tone: 'error' } });
  } catch (error) {
    store.update({ notice: { text: errorText(error), tone: 'error' } });
  }
}

/**
 * Makes node let go of the terminal, so that every key typed while it is lent
 * (to tmux attach, to `ssh -t`) reaches that program, in the mode it set.
 *
 * Ink gives up raw mode and its `readable` listener when it unmounts (in an
 * effect's cleanup, which may run after `unmount()` returns), and the stream
 * forgets that one listened only on the next tick: until then resume() does
 * not make it flow, pause() does not say so, and node's read of the terminal
 * goes on under the child, taking some of its keys (tmux then sees its read
 * fail and leaves, "lost tty", exit 1; a child that leaves the terminal cooked
 * blocks node in a read until a whole line is typed). So: wait, bounded, for
 * that listener to go, and a tick; then a turn of the event loop and a
 * resume/pause cycle, whose pause stops the read one tick later; resolved once
 * it has.
 */
export async function releaseStdin(stdin: TerminalIn = process.stdin, waitMs = 1_000): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (stdin.listenerCount('readable') > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
  // Ink never let go (not seen): take its listener away, or node keeps reading for it
  stdin.removeAllListeners('readable');
  await new Promise((resolve) => process.nextTick(resolve));
  if (stdin.isTTY) stdin.setRawMode(false);
  await new Promise((resolve) => setImmediate(resolve));
  stdin.resume();
  stdin.pause();
  await new Promise((resolve) => setImmediate(resolve));
}

/** What releaseStdin needs of the terminal's input. */
export type TerminalIn = Pick<NodeJS.ReadStream, 'listenerCount' | 'removeAllListeners' | 'isTTY' | 'setRawMode' | 'resume' | 'pause'>;

/** AO_DASH_STATS=<file>: frames rendered, ticks, states published and memory, rewritten every second (bench/dash reads it). */
function renderStats(file: string): { onRender: () => void; stop: () => void; follow: (engine: Engine) => void } {
  let renders = 0;
  let engine: Engine | null = null;
  const started = Date.now();
  const write = (): void => {
    const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
    writeFileSync(
      file,
      `${JSON.stringify({ renders, publishes: engine?.publishes ?? 0, ticks: engine?.ticks ?? 0, since: started, at: Date.now(), rss, heapUsed, heapTotal, external })}\n`,
    );
  };
  const timer = setInterval(write, 1000);
  timer.unref();
  return {
    onRender: () => void (renders += 1),
    follow: (next) => void (engine = next),
    stop: () => {
      clearInterval(timer);
      write();
    },
  };
}
