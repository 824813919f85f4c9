import { checkLedgerTail } from '../../state/ledger-read.js';
import type { LedgerBreak } from '../../state/ledger-verify.js';
import type { SinkEvent } from '../../supervisor/event-sink.js';
import { rememberProject } from '../../config/cache.js';
import { acquirePidLock, releasePidLock } from '../../state/pidlock.js';
import { eventSummary, type EventRecord } from '../../state/events.js';
import { removeStaleTemps, writePidFile } from '../../state/housekeeping.js';
import { removeStaleEnvFiles } from '../../state/env-file.js';
import { writeRunningProject } from '../../state/running.js';
import { watchdogSession } from '../../supervisor/sessions.js';
import { ControlClient, controlWanted } from '../../tmux/control.js';
import { Tmux } from '../../tmux/client.js';
import { Watchdog } from '../../supervisor/watchdog.js';
import { aoEntry, openProjectOrRunning } from '../context.js';
import type { GlobalOptions, Io } from '../io.js';
import type { Logger } from 'pino';
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { writeJsonAtomic } from '../../state/files.js';
import { layout } from '../../state/layout.js';
import { ensureDir, openAppend } from '../../state/safe-fs.js';

type Level = 'info' | 'warn' | 'error';

/** How long a stop may take before the watchdog process ends whatever is still pending. */
const STOP_GRACE_MS = 5000;

/** errors of a full, read-only or failing disk: the watchdog waits them out */
const DISK_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EIO', 'EROFS']);

/** `ao watchdog`: what the watchdog session runs. One per project, by a pid lock. */
export async function watchdog(options: GlobalOptions, io: Io): Promise<number> {
  // a burst of heals makes garbage that V8's young generation would grow to hold, and then keep for the
  // rest of the week (about 17 MB of RSS); held at its first size it stays there (docs/PERFORMANCE.md).
  // Nothing it runs is hot enough to pay for V8's optimising compilers, whose code and output take
  // 2–3 MB more after a burst of heals
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--no-opt');
  setFlagsFromString('--no-maglev');
  // a watchdog restarted while agents.toml is broken keeps the team on the last good config
  const opened = openProjectOrRunning(options, io);
  const { project, loaded, configError } = opened;
  // its questions to tmux go through one control client attached to its own session (unless AO_TMUX_CONTROL=0);
  // without a session of its own (run by hand) it spawns a client per question as the CLI does
  const control = io.env.TMUX_PANE && controlWanted(io.env) ? new ControlClient({ socket: project.tmuxSocket, session: watchdogSession(project) }) : null;
  const client = control ? new Tmux(project.tmuxSocket, control.runner) : opened.tmux;
  // in its own session it lives in the server: a server killed under it must not be started again by a heal of its
  const tmux = io.env.TMUX_PANE ? client.neverStartingServer() : client;
  ensureDir(layout.logs(project.stateDir));
  let lock = acquirePidLock(layout.watchdogLock(project.stateDir), 'watchdog');
  // respawned by tmux after its sh parent died: the watchdog under that sh is still ending (the hangup), give it its grace
  for (let waited = 0; !lock.ok && io.env.AO_WATCHDOG_RESPAWNED && waited < STOP_GRACE_MS + 1000; waited += 100) {
    await sleep(100);
    lock = acquirePidLock(layout.watchdogLock(project.stateDir), 'watchdog');
  }
  if (!lock.ok) {
    io.out(`another watchdog runs for this project (pid ${lock.holder.pid}); leaving it alone\n`);
    return 0;
  }
  // best effort: on a full disk the watchdog still runs (the pid file only speeds up the death hook)
  const startupProblems: string[] = [];
  const attempt = (what: string, fn: () => void): void => {
    try {
      fn();
    } catch (error) {
      startupProblems.push(`${what}: ${(error as Error).message}`);
    }
  };
  attempt('pid file', () => writePidFile(project.stateDir));
  let removed = 0;
  attempt('stale temp files', () => (removed = removeStaleTemps(project.stateDir)));
  // environment files of starts that never reached their launcher (a crash in between)
  attempt('stale environment files', () => void removeStaleEnvFiles(project.stateDir));
  // the ledger's tail still chains and ends at the head last recorded: an edit or a cut since is said (and notified) once the start is recorded
  let broken: LedgerBreak | null = null;
  attempt('ledger', () => (broken = checkLedgerTail(project.stateDir)));
  // started again by its sh parent after a death: say so (a crash loop shows as a count in a row)
  const restart = io.env.AO_WATCHDOG_RESTART;
  const start: EventRecord = {
    time: new Date().toISOString(),
    agent: 'watchdog',
    event: restart ? 'watchdog-restarted' : 'watchdog-start',
    reason: restart ? `pid ${process.pid}; the last watchdog died (${restart})` : `pid ${process.pid}`,
    ...(removed ? { details: { stale_temp_files_removed: removed } } : {}),
  };

  // lines logged before pino is loaded wait for it: the start is recorded in events.jsonl first, as soon as a respawn can
  let logger: Logger | null = null;
  const waiting: Array<[Level, EventRecord | string]> = [];
  const log = (level: Level, entry: EventRecord | string): void => {
    if (logger === null) return void waiting.push([level, entry]);
    try {
      if (typeof entry === 'string') logger[level](entry);
      else {
        // pino writes the line's own time: the event's would be a second "time" key
        const { time: _time, ...fields } = entry;
        logger[level](fields, eventSummary(entry));
      }
    } catch {
      // the log is the one thing that may fail silently: the pane still shows the line
    }
    io.out(`${new Date().toISOString()} ${typeof entry === 'string' ? entry : eventSummary(entry)}\n`);
  };

  // a stop that cannot finish (a watcher of a removed folder that never closes, a promise nothing will settle)
  // must not leave a watchdog behind: STOP_GRACE_MS after the stop began, the process ends whatever is pending
  let grace: NodeJS.Timeout | undefined;
  let finished = false;
  const exitAfterGrace = (): void => {
    grace ??= setTimeout(() => {
      if (!finished) log('warn', `the stop did not finish within ${STOP_GRACE_MS / 1000} s: exiting anyway`);
      process.exit(0);
    }, STOP_GRACE_MS).unref();
  };
  const dog = new Watchdog({
    project,
    tmux,
    aoEntry: aoEntry(),
    env: io.env,
    log,
    stopping: exitAfterGrace,
    ...(io.env.TMUX_PANE ? { ownSession: watchdogSession(project) } : {}),
  });
  // through the watchdog's event sink: a full disk holds the line, [notify] hears of it once the phase is known
  dog.event(start);
  if (broken) dog.event(ledgerBroken(broken));

  // pino is loaded here only: status and the CLI's other commands never pay for it
  const { pino, destination } = await import('pino');
  // bounded: on a full disk lines are dropped, never held without limit
  // opened by ao (0600, never through a link); a bad watchdog.log sends the lines to the pane (logs/watchdog-pane.log)
  let logFd = 1;
  attempt('watchdog.log', () => (logFd = openAppend(layout.watchdogLog(project.stateDir))));
  const dest = destination({ dest: logFd, sync: true, maxLength: 1024 * 1024 });
  let logTrouble = false;
  dest.on('error', (error: Error) => {
    if (!logTrouble) io.out(`${new Date().toISOString()} watchdog.log cannot be written (${error.message}); lines are dropped until it can\n`);
    logTrouble = true;
  });
  dest.on('write', () => (logTrouble = false));
  logger = pino({ base: { pid: process.pid } }, dest);
  for (const [level, entry] of waiting.splice(0)) log(level, entry);
  for (const problem of startupProblems) log('warn', `at start: ${problem}`);
  // disk trouble raised outside a sweep (a stream, a timer) must not end the watchdog; anything else does, and its sh parent starts it again
  let diskReported = false;
  // the pane's terminal gone (its session or tmux server killed): the watchdog's place is gone too
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EIO' || error.code === 'EPIPE') process.exit(0);
  });
  process.on('uncaughtException', (error: NodeJS.ErrnoException) => {
    if (error.code && DISK_ERRORS.has(error.code)) {
      if (!diskReported) log('warn', `disk trouble outside a sweep: ${error.message} (reported once; carrying on)`);
      diskReported = true;
      return;
    }
    log('error', `uncaught: ${error.stack ?? String(error)}`);
    process.exit(1);
  });

  const stop = (signal: string) => () => {
    exitAfterGrace();
    log('info', `stopping on ${signal}`);
    dog.stop();
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, stop(signal));
  try {
    if (configError) {
      await writeJsonAtomic(layout.configError(project.stateDir), { at: new Date().toISOString(), message: configError });
      dog.event({ agent: 'config', event: 'config-error', reason: `agents.toml does not validate; keeping the last good config: ${configError}` });
    } else {
      await writeRunningProject(project);
      if (loaded) await rememberProject(loaded);
      rmSync(layout.configError(project.stateDir), { force: true });
    }
  } catch (error) {
    log('warn', `at start: cannot record the config in force: ${(error as Error).message}`);
  }
  // without file watchers (inotify limits, a failing disk) the sweeps still see every change, later
  const unwatch = await dog.watchFiles().catch((error: unknown) => {
    log('warn', `file watchers unavailable: ${(error as Error).message}; relying on sweeps`);
    return async () => {};
  });
  try {
    await dog.run();
  } finally {
    exitAfterGrace(); // a run that ended by itself (its session gone) winds down under the same deadline
    await unwatch();
    control?.close();
    releasePidLock(layout.watchdogLock(project.stateDir));
    finished = true;
    logger.flush();
  }
  return 0;
}

/** The event of a ledger whose tail the watchdog's start found broken. */
export function ledgerBroken(b: LedgerBreak): SinkEvent {
  const where = `${b.file}${b.line > 0 ? `:${b.line}` : ''}${b.seq === null ? '' : ` (seq ${b.seq})`}`;
  return {
    agent: 'watchdog',
    event: 'ledger-broken',
    reason: `the ledger does not hold together at ${where}: ${b.message}; ao verify reads all of it`,
    details: { kind: b.kind, file: b.file, line: b.line, seq: b.seq },
  };
}
