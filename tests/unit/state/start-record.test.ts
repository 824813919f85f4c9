import { describe, expect, it } from 'vitest';
import { emptyRecord, markRun, markStarted, type AgentRecord, type StartFacts } from '../../../src/state/agents.js';

const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);

/** A record with a history: a death, a backoff, crashes, a pending paste, a stale error. */
function worn(): AgentRecord {
  return {
    ...emptyRecord(),
    up: true,
    startedAt: new Date(T0 - 60_000).toISOString(),
    restarts: 2,
    iteration: 4,
    model: 'old',
    life: { is: 'backoff', until: T0 + 1000, lastExit: 'exit 1' },
    failedStarts: [T0 - 5000],
    healthyRestarts: [T0 - 9000],
    streak: 2,
    deadSince: T0 - 1000,
    nudgedAt: T0 - 2000,
    nudgeDue: true,
    waitingOn: 'folder trust',
    pending: { what: 'kickoff', since: T0 - 3000 },
    lastStartError: 'prompts/a.md not found',
    phaseGen: 1,
    phaseIterations: 3,
    launchKey: 'old-key',
    runId: 'old-run',
    conversationId: 'conv-1',
    resumedRun: true,
    logOffset: 10,
    mailSeen: 5,
  };
}

const loop = (phaseGen: number, pasteKickoff = false): StartFacts['launch'] => ({ kind: 'loop', phaseGen, launchKey: 'key', pasteKickoff });

describe('markStarted: what a record looks like after a start', () => {
  it.each<[string, StartFacts, Partial<AgentRecord>]>([
    [
      'the watchdog starts the next iteration of a loop in the same phase: crash history kept, counters on',
      { at: T0, model: 'new', by: 'watchdog', launch: loop(1) },
      { iteration: 5, phaseIterations: 4, restarts: 2, failedStarts: [T0 - 5000], healthyRestarts: [T0 - 9000], streak: 2, lastStartError: 'prompts/a.md not found', pending: null },
    ],
    [
      'the watchdog heals a loop into a new phase: one restart, the phase count begins again',
      { at: T0, model: 'new', by: 'watchdog', launch: loop(2, true), restart: true },
      { iteration: 5, phaseIterations: 1, phaseGen: 2, restarts: 3, pending: { what: 'kickoff', since: T0 } },
    ],
    [
      '`ao restart` of a persistent agent: a fresh crash budget, no iteration',
      { at: T0, model: 'new', by: 'hand', launch: { kind: 'persistent', phaseGen: 1, launchKey: 'key', pasteKickoff: false }, restart: true },
      { iteration: 4, phaseIterations: 3, restarts: 3, failedStarts: [], healthyRestarts: [], streak: 0, up: true },
    ],
    [
      "the watchdog's own session started by `ao up`: no launch, nothing of a run",
      { at: T0, model: null, by: 'hand' },
      { model: null, phaseGen: 1, launchKey: 'old-key', runId: 'old-run', iteration: 4, restarts: 2, failedStarts: [] },
    ],
  ])('%s', (_title, facts, expected) => {
    const record = worn();
    markStarted(record, facts);
    // every start: clean of the old run's marks
    expect(record).toMatchObject({ life: { is: 'clear' }, startedAt: new Date(T0).toISOString(), model: facts.model, deadSince: null, nudgedAt: null, nudgeDue: false, waitingOn: null });
    expect(record).toMatchObject(expected);
  });

  it('a start by hand records its run at once, the watchdog adds it after the start was made; either ends a start error', () => {
    const byHand = worn();
    markStarted(byHand, { at: T0, model: 'm', by: 'hand', launch: loop(1), run: { runId: 'r2', conversation: { id: 'conv-2', resume: false }, logOffset: 99 } });
    expect(byHand).toMatchObject({ runId: 'r2', conversationId: 'conv-2', resumedRun: false, logOffset: 99, mailSeen: 5, lastStartError: null });

    const byWatchdog = worn();
    markStarted(byWatchdog, { at: T0, model: 'm', by: 'watchdog', launch: loop(1) });
    expect(byWatchdog.runId).toBe('old-run');
    markRun(byWatchdog, { runId: 'r3', conversation: null, logOffset: 7, mailSeen: 42 });
    // a start without a conversation keeps the old id, but is no resumed run
    expect(byWatchdog).toMatchObject({ runId: 'r3', conversationId: 'conv-1', resumedRun: false, logOffset: 7, mailSeen: 42, lastStartError: null });
  });
});
