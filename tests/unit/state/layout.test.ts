import { describe, expect, it } from 'vitest';
import { layout } from '../../../src/state/layout.js';

describe('the state folder layout', () => {
  it('names every file ao keeps there', () => {
    const s = '/p/state';
    expect([
      layout.agents(s),
      layout.goodCopy(layout.agents(s)),
      layout.phase(s),
      layout.events(s),
      layout.runningProject(s),
      layout.configError(s),
      layout.watchdogPid(s),
      layout.watchdogLock(s),
      layout.agentLog(s, 'builder'),
      layout.watchdogLog(s),
      layout.watchdogPaneLog(s),
      layout.kickoff(s, 'builder'),
      layout.exit(s, 'builder'),
      layout.inbox(s, 'builder'),
      layout.appendLock(layout.inbox(s, 'builder')),
      layout.journal(s, 'one'),
      layout.review(s, 'one'),
      layout.dirLock(s),
      layout.corruptCopy(layout.agents(s), new Date('2030-01-02T03:04:05.678Z')),
    ]).toEqual([
      '/p/state/agents.json',
      '/p/state/agents.json.good',
      '/p/state/phase.json',
      '/p/state/events.jsonl',
      '/p/state/project.json',
      '/p/state/config-error.json',
      '/p/state/watchdog.pid',
      '/p/state/watchdog.lock',
      '/p/state/logs/builder.log',
      '/p/state/logs/watchdog.log',
      '/p/state/logs/watchdog-pane.log',
      '/p/state/kickoff/builder.md',
      '/p/state/exits/builder',
      '/p/state/inbox/builder.md',
      '/p/state/inbox/builder.md.lock',
      '/p/state/JOURNAL-one.md',
      '/p/state/REVIEW-one.md',
      '/p/state/.lock.pid',
      '/p/state/agents.json.corrupt-2030-01-02T03-04-05-678Z',
    ]);
  });

  it('tells the gate files and write-file-atomic temps by name', () => {
    expect(['/p/state/JOURNAL-one.md', '/p/state/REVIEW-x.md', '/p/state/inbox/a.md', '/p/state/JOURNAL-one.md.123'].map(layout.isGateFile)).toEqual([true, true, false, false]);
    expect(['agents.json.12345', 'JOURNAL-a.md.9', 'agents.json', 'agents.json.good'].map(layout.isAtomicTemp)).toEqual([true, true, false, false]);
  });

  it('tells whose a file of the state folder is: an agent for its own files, the phase for a gate file, the state for the rest', () => {
    const agents = ['builder', 'build'];
    const owners = [
      'logs/builder.log',
      'logs/builder.log.1',
      'inbox/build.md',
      'kickoff/builder.md',
      'exits/build',
      'outbox/builder/note.md',
      'JOURNAL-one.md',
      'REVIEW-one.md',
      'agents.json',
      'logs/watchdog.log',
      '../elsewhere/builder.log',
    ].map((f) => layout.ownerOf('/p/state', `/p/state/${f}`, agents));
    expect(owners).toEqual(['builder', 'builder', 'build', 'builder', 'build', 'builder', 'phase', 'phase', 'state', 'state', 'state']);
    expect(layout.ownerOf('/p/state', 'inbox/builder.md', agents)).toBe('builder');
  });
});
