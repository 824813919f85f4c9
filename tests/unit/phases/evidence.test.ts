import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { stepPhase } from '../../../src/phases/advance.js';
import { initialPhaseState } from '../../../src/state/phase.js';
import { agentSpec, phaseSpec, projectOf } from '../../helpers/builders.js';

const project = projectOf({ agents: [agentSpec({ name: 'builder', kind: 'loop' })], phases: [phaseSpec('a'), phaseSpec('b')], kickoffTemplatePath: '' });
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('the gate events carry their evidence', () => {
  it('a claim names the sha256 of the journal it was read from; a fail and a pass that of the review (and the journal)', () => {
    const journal = '# notes\nGATE CLAIMED: a\n';
    const claimed = stepPhase(project, initialPhaseState(), journal, '', 3);
    expect(claimed.events).toEqual([expect.objectContaining({ event: 'gate-claimed', details: { phase: 'a', journal_sha256: sha(journal) } })]);
    const failing = 'VERDICT: FAIL a\n- the tests do not run\n';
    const failed = stepPhase(project, claimed.state, journal, failing, 3);
    expect(failed.events[0]).toMatchObject({ event: 'gate-fail', details: { phase: 'a', review_sha256: sha(failing), fails_in_a_row: 1 } });
    const again = `${journal}GATE CLAIMED: a\n`;
    const reclaimed = stepPhase(project, failed.state, again, failing, 3);
    const passing = `${failing}VERDICT: PASS a\n`;
    const passed = stepPhase(project, reclaimed.state, again, passing, 3);
    expect(passed.events).toEqual([
      expect.objectContaining({ event: 'gate-pass', details: { phase: 'a', journal_sha256: sha(again), review_sha256: sha(passing) } }),
      // the advance names the phase it leaves; the watchdog adds the seqs of its claim and verdict as it writes it
      expect.objectContaining({ event: 'phase-advance', details: { index: 2, count: 2, from: 'a' } }),
    ]);
    expect(sha(again)).not.toBe(sha(journal));
  });
});
