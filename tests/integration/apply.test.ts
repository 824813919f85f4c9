/**
 * The sweep's apply step on real tmux (a private socket this file starts and
 * kills): each action has its own error handling, so a start that cannot be
 * made, or a mail that cannot be written, stays with its agent and the rest
 * of the batch is applied.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { emptyRecord, markStarted, type AgentRecord } from '../../src/state/agents.js';
import { initialPhaseState, phaseView } from '../../src/state/phase.js';
import { Tmux } from '../../src/tmux/client.js';
import { ownSessions } from '../../src/tmux/snapshot.js';
import { applyActions, type SweepContext } from '../../src/supervisor/apply.js';
import type { EventAction, SweepAction } from '../../src/supervisor/decide.js';
import { errorRetryMs } from '../../src/supervisor/reconcile.js';
import { timingsOf } from '../../src/supervisor/observe.js';
import { AO, team } from '../helpers/ao.js';

const { dir, socket } = team(
  'apply',
  {
    'agents.toml': [
      '[defaults]\nbackend = "shell"\nsession_prefix = "ap-"\n',
      ...['broken', 'good'].map((n) => `[agents.${n}]\nkind = "persistent"\ncommand = "sleep"\nargs = ["100000"]\n`),
      '[[phases]]\nid = "one"\nplan = "one.md"\n',
    ].join('\n'),
    'prompts/kickoff.md': 'Kickoff for {role}.\n\n{role_prompt}\n',
    'prompts/broken.md': 'broken\n',
    'prompts/good.md': 'good\n',
    'phases/one.md': '# one\n',
  },
  { teardown: 'afterAll' },
);

describe('applyActions', () => {
  it('a start whose prompt file is gone marks its agent error, once; a failing mail is logged; the other start in the batch is made', async () => {
    const project = loadProject(join(dir, 'agents.toml'), { AO_TMUX_SOCKET: socket });
    const tmux = new Tmux(socket);
    // the prompt deleted after the config was loaded, and the inboxes' folder unusable (a file stands in its place)
    rmSync(join(dir, 'prompts', 'broken.md'));
    mkdirSync(project.stateDir, { recursive: true });
    writeFileSync(join(project.stateDir, 'inbox'), 'not a folder\n');

    const T0 = Date.now();
    const records: Record<string, AgentRecord> = {};
    for (const name of ['broken', 'good']) {
      const record = emptyRecord();
      markStarted(record, { at: T0 - 60_000, model: null, by: 'hand' });
      records[name] = record;
    }
    const events: EventAction[] = [];
    const logged: string[] = [];
    const context = (before: Record<string, AgentRecord>, history: Record<string, AgentRecord>, now: number): SweepContext => ({
      project,
      view: phaseView(project, initialPhaseState()),
      generation: 0,
      tmux,
      aoEntry: AO,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      panes: new Map(),
      before,
      history,
      now,
      event: (e) => events.push(e),
      log: (_level, text) => logged.push(text),
    });
    const batch: SweepAction[] = [
      { type: 'mail', to: 'good', text: 'the plan changed' },
      { type: 'start', agent: 'broken', reason: 'start' },
      { type: 'start', agent: 'good', reason: 'start' },
    ];

    records.broken!.iteration = 3;
    records.broken!.phaseIterations = 2;
    // the decision leaves the records as they were; the start transaction counts a start only when it is made
    const history = structuredClone(records);
    const done = await applyActions(batch, context(records, history, T0));
    expect(done.started).toBe(1);
    expect(logged).toEqual([expect.stringMatching(/^mail to good: /)]);
    const panes = ownSessions(await tmux.snapshot(), project.configFile).own;
    expect(panes.get('ap-good')).toMatchObject({ dead: false });
    expect(panes.has('ap-broken')).toBe(false);
    expect(history.broken).toMatchObject({
      life: { is: 'error', retryAt: T0 + errorRetryMs(timingsOf(project)), message: 'prompts/broken.md not found' },
      deadSince: T0,
      iteration: 3,
      phaseIterations: 2,
      restarts: 0,
    });
    expect(history.good).toMatchObject({ life: { is: 'clear' }, lastStartError: null, runId: expect.any(String) as string, phaseGen: 0 });
    expect(Date.parse(history.good!.startedAt!)).toBeGreaterThanOrEqual(T0);
    expect(events.map((e) => `${e.agent} ${e.event}`)).toEqual(['broken start-error', 'good started']);
    expect(events[0]?.reason).toBe('error: prompts/broken.md not found; tried again every 5 s');

    // the retry fails the same way: the record says so again, the event is not repeated
    const retry = structuredClone(history);
    const later = T0 + errorRetryMs(timingsOf(project));
    await applyActions([{ type: 'start', agent: 'broken', reason: 'retry' }], context(history, retry, later));
    expect(retry.broken).toMatchObject({ life: { is: 'error', retryAt: later + errorRetryMs(timingsOf(project)) } });
    expect(events).toHaveLength(2);

    // a nudge does what it says: handed to the screen watch on the record (it pastes once the screen is steadily ready)
    const nudging = structuredClone(retry);
    const nudged = await applyActions([{ type: 'nudge', agent: 'good' }], context(retry, nudging, later));
    expect(nudged).toEqual({ started: 0, nudged: 1 });
    expect(nudging.good?.nudgeDue).toBe(true);
    expect(retry.good?.nudgeDue).toBeFalsy();
  });
});
