import { describe, expect, it } from 'vitest';
import { modelFor } from '../../../src/config/resolve.js';
import type { AgentSpec, Project } from '../../../src/config/types.js';
import { claimLine, failLine, passLine } from '../../../src/phases/gate.js';
import { emptyRecord, markStarted, type AgentRecord } from '../../../src/state/agents.js';
import { initialPhaseState, type PhaseState } from '../../../src/state/phase.js';
import type { UsageReport, UsageTotals } from '../../../src/state/usage.js';
import { decideAgents, decidePhase, desiredAgents, type AgentsInput, type PhaseInput, type SweepAction } from '../../../src/supervisor/decide.js';
import { launchKeyOf } from '../../../src/state/secrets.js';
import type { ObservedAgent } from '../../../src/supervisor/reconcile.js';
import { agent, project } from '../ui/fixtures.js';
import { recordStarts } from '../../helpers/started.js';

const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);
const S = 1000;

const team: Project = project([
  agent('builder', { kind: 'loop', backend: 'shell', heal: 'heal' }),
  agent('adversary', { kind: 'loop', backend: 'shell', heal: 'heal' }),
  agent('orchestrator', { kind: 'persistent', backend: 'shell', heal: 'heal' }),
  agent('review-bot', { kind: 'task', backend: 'shell', heal: 'none', onPhaseAdvance: true }),
  agent('off-bot', { kind: 'task', backend: 'shell', heal: 'none', onPhaseAdvance: true, enabled: false }),
  agent('nightly', { kind: 'task', backend: 'shell', heal: 'none' }),
]);
const [SCAFFOLD, FEATURE] = team.phases;

/** Records as `ao up` leaves them at `at`: every agent but the tasks brought up. */
function upRecords(at: number, over: Record<string, Partial<AgentRecord>> = {}): Record<string, AgentRecord> {
  const records: Record<string, AgentRecord> = {};
  for (const spec of team.agents) {
    if (spec.kind === 'task') continue;
    const record = emptyRecord();
    markStarted(record, {
      at,
      model: modelFor(team, spec, SCAFFOLD!),
      by: 'hand',
      launch: { kind: spec.kind, phaseGen: 0, launchKey: launchKeyOf(spec), pasteKickoff: false },
    });
    records[spec.name] = { ...record, ...over[spec.name] };
  }
  return records;
}

const alive = (over: Partial<ObservedAgent> = {}): ObservedAgent => ({
  exists: true,
  dead: false,
  exitStatus: null,
  exitSignal: null,
  activityMs: T0,
  screen: null,
  ...over,
});
const allAlive = (): Map<string, ObservedAgent> => new Map(team.agents.filter((a) => a.kind !== 'task').map((a) => [a.name, alive()]));

function phaseInput(over: Partial<PhaseInput> = {}): PhaseInput {
  return { project: team, phase: initialPhaseState(), journal: '', review: '', records: upRecords(T0), lastGeneration: 0, plansEdited: new Set(), ...over };
}

function agentsInput(over: Partial<AgentsInput> = {}): AgentsInput {
  return {
    project: team,
    phase: initialPhaseState(),
    records: upRecords(T0),
    observed: allAlive(),
    conversations: new Map(),
    usage: null,
    now: T0 + 60 * S,
    ...over,
  };
}

/** The actions without the phase state itself (its history carries real times). */
const shape = (actions: readonly SweepAction[]): unknown[] =>
  actions.map((a) =>
    a.type === 'write-phase'
      ? { type: 'write-phase', index: a.state.index, complete: a.state.complete }
      : a.type === 'event'
        ? { type: 'event', agent: a.agent, event: a.event }
        : a,
  );

const passed = (phase: string): Pick<PhaseInput, 'journal' | 'review'> => ({ journal: `work\n${claimLine(phase)}\n`, review: `${passLine(phase)}\n` });

describe('decidePhase', () => {
  it('a pass moves the team: the phase state written first, then its events, and the on-phase-advance task scheduled with its event', () => {
    const d = decidePhase(phaseInput(passed(SCAFFOLD!.id)));
    expect(d.phase).toMatchObject({ index: 1, complete: false, generation: 1 });
    expect(shape(d.actions)).toEqual([
      { type: 'write-phase', index: 1, complete: false },
      { type: 'event', agent: 'phase', event: 'gate-claimed' },
      { type: 'event', agent: 'phase', event: 'gate-pass' },
      { type: 'event', agent: 'phase', event: 'phase-advance' },
      { type: 'event', agent: 'review-bot', event: 'task-scheduled' },
    ]);
    expect(d.actions.find((a) => a.type === 'event' && a.event === 'task-scheduled')).toMatchObject({ reason: `runs on phase advance (${FEATURE!.id})` });
    // brought up for a first start under the new phase; a disabled task or one not on phase advance is not
    expect(d.records['review-bot']).toMatchObject({ up: true, startedAt: null, life: { is: 'clear' }, deadSince: null });
    expect(d.records['off-bot']).toBeUndefined();
    expect(d.records.nightly).toBeUndefined();
  });

  it.each<[string, Partial<PhaseInput>, { index: number; complete: boolean; scheduled: boolean }]>([
    [
      'the first sweep of a watchdog enters no phase: nothing scheduled',
      { lastGeneration: null, ...passed(SCAFFOLD!.id) },
      { index: 1, complete: false, scheduled: false },
    ],
    [
      'a phase moved by `ao phase next` since the last sweep schedules the tasks too',
      { phase: { ...initialPhaseState(), index: 1, generation: 1 } },
      { index: 1, complete: false, scheduled: true },
    ],
    [
      'the last phase passed: the project is complete, nothing scheduled',
      { phase: { ...initialPhaseState(), index: 1, generation: 1 }, lastGeneration: 1, ...passed(FEATURE!.id) },
      { index: 1, complete: true, scheduled: false },
    ],
    ['no new gate line: nothing written, nothing scheduled', {}, { index: 0, complete: false, scheduled: false }],
  ])('%s', (_title, over, expected) => {
    const d = decidePhase(phaseInput(over));
    expect({ index: d.phase.index, complete: d.phase.complete, scheduled: d.records['review-bot']?.up === true }).toEqual(expected);
    expect(d.actions.some((a) => a.type === 'event' && a.event === 'task-scheduled')).toBe(expected.scheduled);
  });

  it('a fail sends its reasons to the builder as mail, after the phase state is written', () => {
    const d = decidePhase(phaseInput({ journal: `${claimLine(SCAFFOLD!.id)}\n`, review: `${failLine(SCAFFOLD!.id)}\n- the tests do not run\n` }));
    expect(shape(d.actions)).toEqual([
      { type: 'write-phase', index: 0, complete: false },
      { type: 'event', agent: 'phase', event: 'gate-claimed' },
      { type: 'event', agent: 'phase', event: 'gate-fail' },
      { type: 'mail', to: 'builder', text: expect.stringContaining('- the tests do not run') },
    ]);
  });

  it.each<[string, Partial<PhaseInput>, string[]]>([
    [
      'the current plan edited: a notice to every loop and one plan-edited event',
      { plansEdited: new Set([SCAFFOLD!.planPath]) },
      ['mail builder', 'mail adversary', 'event plan-edited'],
    ],
    ["another phase's plan edited: nothing", { plansEdited: new Set([FEATURE!.planPath]) }, []],
    [
      'the current plan edited on a complete project: nothing',
      { plansEdited: new Set([FEATURE!.planPath]), phase: { ...initialPhaseState(), index: 1, complete: true, generation: 2 }, lastGeneration: 2 },
      [],
    ],
  ])('%s', (_title, over, expected) => {
    const d = decidePhase(phaseInput(over));
    expect(d.actions.map((a) => (a.type === 'mail' ? `mail ${a.to}` : a.type === 'event' ? `event ${a.event}` : a.type))).toEqual(expected);
    const mail = d.actions.find((a) => a.type === 'mail');
    if (mail?.type === 'mail') expect(mail.text).toBe(`The plan of phase ${SCAFFOLD!.id} was edited (${SCAFFOLD!.planPath}). Re-read it before you go on.`);
  });

  it('leaves its input alone', () => {
    const input = phaseInput(passed(SCAFFOLD!.id));
    const before = JSON.stringify(input.records) + JSON.stringify(input.phase);
    decidePhase(input);
    expect(JSON.stringify(input.records) + JSON.stringify(input.phase)).toBe(before);
  });
});

describe('desiredAgents', () => {
  it('a complete project: the loops are not up, with the reason; the others are as brought up', () => {
    const complete: PhaseState = { ...initialPhaseState(), index: 1, complete: true, generation: 2 };
    const desired = desiredAgents(team, complete, upRecords(T0));
    expect(desired.map((d) => [d.name, d.up, d.stopReason ?? null])).toEqual([
      ['builder', false, 'the project is complete: loops stop'],
      ['adversary', false, 'the project is complete: loops stop'],
      ['orchestrator', true, null],
      ['review-bot', false, null],
      ['off-bot', false, null],
      ['nightly', false, null],
    ]);
    // the phase's model overrides and generation reach every agent
    expect(desired.find((d) => d.name === 'builder')).toMatchObject({ model: 'claude-opus-4-8', generation: 2 });
  });
});

describe('decideAgents', () => {
  it('a complete project stops the loops (a stop event, then the stop) and leaves the persistent agent running', () => {
    const complete: PhaseState = { ...initialPhaseState(), index: 1, complete: true, generation: 2 };
    const d = decideAgents(agentsInput({ phase: complete }));
    expect(d.actions).toEqual([
      { type: 'event', agent: 'builder', event: 'stop', reason: 'the project is complete: loops stop' },
      { type: 'stop', agent: 'builder' },
      { type: 'event', agent: 'adversary', event: 'stop', reason: 'the project is complete: loops stop' },
      { type: 'stop', agent: 'adversary' },
    ]);
    expect([d.history.builder?.up, d.history.adversary?.up, d.history.orchestrator?.up]).toEqual([false, false, true]);
  });

  it('a task scheduled on phase advance starts in the same sweep, under the new phase', () => {
    const phase = decidePhase(phaseInput(passed(SCAFFOLD!.id)));
    const d = decideAgents(agentsInput({ phase: phase.phase, records: phase.records }));
    expect(d.actions.filter((a) => a.agent === 'review-bot')).toEqual([
      { type: 'event', agent: 'review-bot', event: 'start', reason: 'first start' },
      { type: 'start', agent: 'review-bot', reason: 'start' },
    ]);
    recordStarts(d.actions, desiredAgents(team, phase.phase, phase.records), d.history, T0 + 60 * S);
    expect(d.history['review-bot']).toMatchObject({ phaseGen: 1, startedAt: new Date(T0 + 60 * S).toISOString() });
    // the loops started under the old phase begin again with the new kickoff (the builder with the phase's model)
    expect(d.actions.filter((a) => a.type === 'start').map((a) => `${a.agent} ${a.type === 'start' ? a.reason : ''}`)).toEqual([
      'builder model-changed',
      'adversary phase-changed',
      'review-bot start',
    ]);
  });

  it('a conversation the CLI reports is followed once, with an event, before the decisions it feeds', () => {
    const resuming: Project = {
      ...team,
      agents: team.agents.map((a): AgentSpec => (a.name === 'orchestrator' ? { ...a, backend: 'claude', resume: true } : a)),
    };
    const records = upRecords(T0, { orchestrator: { conversationId: 'conv-1' } });
    const input = agentsInput({ project: resuming, records, conversations: new Map([['orchestrator', 'conv-2']]) });
    const d = decideAgents(input);
    expect(d.actions[0]).toEqual({
      type: 'event',
      agent: 'orchestrator',
      event: 'conversation',
      reason: 'the CLI reports conversation conv-2 (was conv-1); later starts continue it',
    });
    expect(d.history.orchestrator?.conversationId).toBe('conv-2');
    expect(records.orchestrator?.conversationId).toBe('conv-1');
    // the same report again is no news (once the start its changed command needed is made)
    recordStarts(d.actions, desiredAgents(resuming, input.phase, d.history), d.history, input.now);
    expect(decideAgents({ ...input, records: d.history }).actions).toEqual([]);
  });

  it('with a fake clock: a loop whose iteration ended waits for a budget the usage shows spent, and goes on once it is raised', () => {
    const spent = (cost: number): UsageTotals => ({
      input_tokens: 1,
      output_tokens: 1,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      cost_usd: cost,
      iterations: 1,
    });
    const usage: UsageReport = { rows: [], byPhase: { [SCAFFOLD!.id]: spent(2) }, byAgent: {}, total: spent(2) };
    const budgeted: Project = { ...team, phases: team.phases.map((p, i) => (i === 0 ? { ...p, budgetUsd: 1 } : p)) };
    const ended = new Map([...allAlive(), ['builder', alive({ dead: true, exitStatus: 0 })]]);
    let now = T0 + 60 * S;
    const first = decideAgents(agentsInput({ project: budgeted, observed: ended, usage, now }));
    expect(first.actions.filter((a) => a.agent === 'builder').map((a) => (a.type === 'event' ? a.event : a.type))).toEqual(['iteration-done', 'paused']);
    expect(first.history.builder).toMatchObject({ life: { is: 'paused', until: null } });
    // a later sweep, the budget unchanged: no word, no start
    now += 30 * S;
    expect(decideAgents(agentsInput({ project: budgeted, records: first.history, observed: ended, usage, now })).actions).toEqual([]);
    // the maintainer raised it
    now += 30 * S;
    const raised: Project = { ...budgeted, phases: team.phases };
    const after = decideAgents(agentsInput({ project: raised, records: first.history, observed: ended, usage, now }));
    expect(after.actions).toEqual([
      { type: 'event', agent: 'builder', event: 'resume', reason: expect.stringContaining('budget: phase scaffold has spent $2.00') },
      { type: 'start', agent: 'builder', reason: 'resume' },
    ]);
    recordStarts(after.actions, desiredAgents(raised, initialPhaseState(), first.history), after.history, now);
    expect(after.history.builder).toMatchObject({ startedAt: new Date(now).toISOString(), iteration: 2, life: { is: 'clear' } });
  });
});
