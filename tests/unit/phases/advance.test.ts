import { describe, expect, it } from 'vitest';
import type { AgentSpec } from '../../../src/config/types.js';
import { stepPhase } from '../../../src/phases/advance.js';
import { initialPhaseState, movePhase } from '../../../src/state/phase.js';
import { agentSpec, phaseSpec, projectOf } from '../../helpers/builders.js';

const agent = (name: string, kind: AgentSpec['kind']): AgentSpec => agentSpec({ name, kind, heal: 'heal' });

const project = projectOf({
  agents: [agent('orchestrator', 'persistent'), agent('builder', 'loop'), agent('adversary', 'loop')],
  phases: [phaseSpec('a'), phaseSpec('b')],
  kickoffTemplatePath: '',
});

describe('stepPhase', () => {
  it('a pass advances the phase and bumps the generation; the last pass completes the project', () => {
    const claimed = stepPhase(project, initialPhaseState(), 'GATE CLAIMED: a', '', 3);
    expect(claimed.moved).toBe(false);
    const passed = stepPhase(project, claimed.state, 'GATE CLAIMED: a', 'VERDICT: PASS a', 3);
    expect(passed.moved).toBe(true);
    expect(passed.state).toMatchObject({ index: 1, complete: false, generation: 1, gate: { status: 'open', claimsSeen: 0, verdictsSeen: 0 } });
    expect(passed.events.map((e) => e.event)).toEqual(['gate-pass', 'phase-advance']);
    const last = stepPhase(project, stepPhase(project, passed.state, 'GATE CLAIMED: b', '', 3).state, 'GATE CLAIMED: b', 'VERDICT: PASS b', 3);
    expect(last.state).toMatchObject({ complete: true, index: 1, generation: 2 });
    expect(last.events.map((e) => e.event)).toEqual(['gate-pass', 'complete']);
    // nothing moves a complete project
    expect(stepPhase(project, last.state, 'GATE CLAIMED: b', 'VERDICT: PASS b\nVERDICT: PASS b', 3).events).toEqual([]);
  });

  it('a fail sends its reasons to the builder; the third fail in a row marks the phase not converging and tells the orchestrator', () => {
    let state = initialPhaseState();
    let journal = '';
    let review = '';
    const messages: string[] = [];
    for (let i = 1; i <= 3; i++) {
      journal += 'GATE CLAIMED: a\n';
      state = stepPhase(project, state, journal, review, 3).state;
      review += `VERDICT: FAIL a\n- try ${i}\n\n`;
      const step = stepPhase(project, state, journal, review, 3);
      state = step.state;
      messages.push(...step.messages.map((m) => `${m.to}: ${m.text.split('\n')[1] ?? m.text.split(':')[0]}`));
      if (i < 3) expect(state.notConverging).toBe(false);
    }
    expect(state.notConverging).toBe(true);
    expect(messages).toEqual(['builder: - try 1', 'builder: - try 2', 'builder: - try 3', 'orchestrator: Phase a is not converging']);
    // moving on clears it
    expect(movePhase(state, project, 1, 'by hand').notConverging).toBe(false);
  });
});
