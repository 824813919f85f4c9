import { join } from 'node:path';
import { acquirePidLock, releasePidLock } from '../../state/pidlock.js';
import { appendEvent, type EventRecord } from '../../state/events.js';
import { removeStaleTemps, writePidFile } from '../../state/housekeeping.js';
import { Watchdog } from '../../supervisor/watchdog.js';
import { aoEntry, openProjectOrRunning } from '../context.js';
import type { GlobalOptions, Io } from '../io.js';
import { mkdirSync, rmSync } from 'node:fs';
import { writeJsonAtomic } from '../../state/files.js';
import { configErrorFile, runningProjectFile } from '../../supervisor/reload.js';

export const watchdogLockFile = (stateDir: string): string => join(stateDir, 'watchdog.lock');

/** `ao watchdog`: what the watchdog session runs. One per project, by a pid lock. */
export async function watchdog(options: GlobalOptions, io: Io): Promise<number> {
  // a watchdog restarted while agents.toml is broken keeps the team on the last good config
  const { project, tmux, configError } = openProjectOrRunning(options, io);
  mkdirSync(join(project.stateDir, 'logs'), { recursive: true });
  const lock = acquirePidLock(watchdogLockFile(project.stateDir), 'watchdog');
  if (!lock.ok) {
    io.out(`another watchdog runs for this project (pid ${lock.holder.pid}); leaving it alone\n`);
    return 0;
  }
  writePidFile(project.stateDir);
  const removed = removeStaleTemps(project.stateDir);

  // pino is loaded here only: status and the CLI's other commands never pay for it
  const { pino, destination } = await import('pino');
  const logger = pino({ base: { pid: process.pid } }, destination({ dest: join(project.stateDir, 'logs', 'watchdog.log'), append: true, mkdir: true, sync: true }));
  const log = (level: 'info' | 'warn' | 'error', entry: EventRecord | string): void => {
    if (typeof entry === 'string') logger[level](entry);
    else logger[level](entry, `${entry.agent}: ${entry.event} (${entry.reason})`);
    io.out(`${new Date().toISOString()} ${typeof entry === 'string' ? entry : `${entry.agent}: ${entry.event} (${entry.reason})`}\n`);
  };

  const dog = new Watchdog({ project, tmux, aoEntry: aoEntry(), env: io.env, log });
  const start: EventRecord = { time: new Date().toISOString(), agent: 'watchdog', event: 'watchdog-start', reason: `pid ${process.pid}`, ...(removed ? { details: { stale_temp_files_removed: removed } } : {}) };
  appendEvent(project.stateDir, start);
  log('info', start);

  const stop = (signal: string) => () => {
    log('info', `stopping on ${signal}`);
    dog.stop();
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, stop(signal));
  if (configError) {
    await writeJsonAtomic(configErrorFile(project.stateDir), { at: new Date().toISOString(), message: configError });
    appendEvent(project.stateDir, { time: new Date().toISOString(), agent: 'config', event: 'config-error', reason: `agents.toml does not validate; keeping the last good config: ${configError}` });
  } else {
    await writeJsonAtomic(runningProjectFile(project.stateDir), project);
    rmSync(configErrorFile(project.stateDir), { force: true });
  }
  const unwatch = await dog.watchFiles();
  try {
    await dog.run();
  } finally {
    await unwatch();
    releasePidLock(watchdogLockFile(project.stateDir));
    logger.flush();
  }
  return 0;
}
