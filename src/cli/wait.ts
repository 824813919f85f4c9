/**
 * `ao up --wait`: the foreground that a boot unit runs. It lasts as long as the
 * team's watchdog: `ao down` ends it with 0 (a stop on purpose, not restarted);
 * a watchdog gone while the team should run (its tmux server killed) ends it
 * with 1, so that systemd's Restart=on-failure runs `ao up` again.
 */
import type { Project } from '../config/types.js';
import { readAgentsState } from '../state/agents.js';
import { watchdogSession } from '../supervisor/executor.js';
import { WATCHDOG } from '../supervisor/status.js';
import type { Tmux } from '../tmux/client.js';
import { bySession } from '../tmux/snapshot.js';
import type { Io } from './io.js';
import { sleepFor } from '../sleep.js';

/** one snapshot (a few ms) a second */
const POLL_MS = 1000;

/** `stopped`: aborted by a signal to this process (a test passes its own to look at). */
export async function waitTeamDown(project: Project, tmux: Tmux, io: Io, stopped = new AbortController()): Promise<number> {
  io.out('waiting while the team runs (`ao down` ends this)\n');
  const onSignal = (): void => stopped.abort();
  const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
  for (const signal of signals) process.once(signal, onSignal);
  try {
    for (;;) {
      // a signal (systemctl stop, a shutdown) ends the wait, not the team: a reboot kills that anyway
      if (stopped.signal.aborted) return 0;
      const dog = bySession(await tmux.snapshot()).get(watchdogSession(project));
      if (!dog || dog.dead || dog.owner !== project.configFile) {
        // `ao down` marks the team down under the state lock before it stops a session
        if (readAgentsState(project.stateDir).agents[WATCHDOG]?.up === false) {
          io.out('the team was brought down\n');
          return 0;
        }
        io.out('the watchdog is gone while the team should run (its tmux server ended?): exit 1\n');
        return 1;
      }
      await sleepFor(POLL_MS, stopped.signal);
    }
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
  }
}
