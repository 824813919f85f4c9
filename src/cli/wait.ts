/**
 * `ao up --wait`: the foreground that a boot unit runs. It lasts as long as the
 * team runs: `ao down` ends it with 0 (a stop on purpose, not restarted); a
 * watchdog gone while the team should run (its tmux server killed) makes it
 * bring the team up again (wait-step.ts), and a team that keeps going down
 * ends it with 1, so that systemd's Restart=on-failure takes over.
 */
import type { Project } from '../config/types.js';
import { readAgentsState } from '../state/agents.js';
import { appendEvent } from '../state/events.js';
import { watchdogSession } from '../supervisor/sessions.js';
import { WATCHDOG } from '../supervisor/status.js';
import type { Tmux } from '../tmux/client.js';
import { bySession } from '../tmux/snapshot.js';
import type { Io } from './io.js';
import { sleepFor } from '../sleep.js';
import { bringUpGapMs, nextWaitStep } from './wait-step.js';

/** one snapshot (a few ms) a second */
const POLL_MS = 1000;

/** `bringUp`: a bare `ao up` of the team (without --wait), its exit code; `stopped`: aborted by a signal to this process (a test passes its own to look at). */
export async function waitTeamDown(project: Project, tmux: Tmux, io: Io, bringUp?: () => Promise<number>, stopped = new AbortController()): Promise<number> {
  io.out('waiting while the team runs (`ao down` ends this)\n');
  const onSignal = (): void => stopped.abort();
  const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
  for (const signal of signals) process.once(signal, onSignal);
  const restored: number[] = [];
  try {
    for (;;) {
      // a signal (systemctl stop, a shutdown) ends the wait, not the team: a reboot kills that anyway
      if (stopped.signal.aborted) return 0;
      const dog = bySession(await tmux.snapshot()).get(watchdogSession(project));
      const step = nextWaitStep({
        watchdog: !dog ? 'gone' : dog.owner !== project.configFile ? 'foreign' : dog.dead ? 'dead' : 'alive',
        teamUp: dog !== undefined && !dog.dead ? true : readAgentsState(project.stateDir).agents[WATCHDOG]?.up !== false,
        restored,
        now: Date.now(),
      });
      if (step.step === 'down') {
        io.out('the team was brought down\n');
        return 0;
      }
      if (step.step === 'give-up' || (step.step === 'bring-up' && !bringUp)) {
        io.out(`the watchdog is gone while the team should run (${step.step === 'give-up' ? step.why : 'its tmux server ended?'}): exit 1\n`);
        return 1;
      }
      if (step.step === 'bring-up' && bringUp) {
        restored.push(Date.now());
        io.out(`${new Date().toISOString()} ${step.why}: bringing the team up again\n`);
        const code = await bringUp().catch((error: unknown) => (io.out(`ao up failed: ${(error as Error).message}\n`), 1));
        try {
          appendEvent(project.stateDir, {
            time: new Date().toISOString(),
            agent: WATCHDOG,
            event: 'team-restored',
            reason: `${step.why}; ao up --wait brought the team up again (exit ${code})`,
          });
        } catch {
          // a state folder that takes no writes: the line above said it
        }
        // a team that went down again at once is not brought up again at once: 1, 2, 4, 8 s between bring-ups
        await sleepFor(bringUpGapMs(restored, Date.now()), stopped.signal);
        continue;
      }
      await sleepFor(POLL_MS, stopped.signal);
    }
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
  }
}
