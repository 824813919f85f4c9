import { describe, expect, it } from 'vitest';
import type { AgentSpec } from '../../../src/config/types.js';
import { stepPhase, type GateFacts, type Landing } from '../../../src/phases/advance.js';
import { builderOf, commitGateOf, type CommitGate } from '../../../src/phases/commit-gate.js';
import { newTokens, stepGate, type CommitFact } from '../../../src/phases/gate.js';
import { openGate } from '../../../src/state/gate-state.js';
import { initialPhaseState } from '../../../src/state/phase.js';
import { agentSpec, phaseSpec, projectOf } from '../../helpers/builders.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const worktree = (name: string) => ({ path: `/p/state/worktrees/${name}`, branch: `ao/${name}` });
const agent = (name: string, kind: AgentSpec['kind'], wt = false): AgentSpec =>
  agentSpec({ name, kind, heal: 'heal', ...(wt ? { worktree: worktree(name) } : {}) });

const project = projectOf({
  agents: [agent('orchestrator', 'persistent'), agent('builder', 'loop', true), agent('adversary', 'loop', true)],
  phases: [phaseSpec('a'), phaseSpec('b')],
  kickoffTemplatePath: '',
});
const gate: CommitGate = commitGateOf(project)!;

/** git's answers: `abc` and A are commit A on the builder's branch; B is a commit elsewhere; `nope` names none. */
const commits = new Map<string, CommitFact>([
  ['abc', { sha: A, onBranch: true }],
  [A, { sha: A, onBranch: true }],
  [B, { sha: B, onBranch: false }],
  ['nope', { problem: 'nope names no commit in the repository' }],
]);
const facts = (landings: Array<[string, Landing]> = []): GateFacts => ({ gate, commits: { branch: 'ao/builder', commits }, landings: new Map(landings) });

describe('who a commit-bound gate binds', () => {
  it('the agent named builder with a worktree; a builder without one keeps the classic gate; else the one loop agent with a worktree', () => {
    expect(gate).toEqual({ builder: 'builder', branch: 'ao/builder', adversary: 'adversary', target: 'ao/accepted' });
    expect(commitGateOf(projectOf({ agents: [agent('builder', 'loop'), agent('adversary', 'loop', true)], phases: [phaseSpec('a')] }))).toBeNull();
    expect(builderOf(projectOf({ agents: [agent('maker', 'loop', true), agent('checker', 'loop')], phases: [phaseSpec('a')] }))?.name).toBe('maker');
    expect(builderOf(projectOf({ agents: [agent('x', 'loop', true), agent('y', 'loop', true)], phases: [phaseSpec('a')] }))).toBeNull();
  });
});

describe('stepGate bound to commits', () => {
  it('a claim names a commit on the builder branch (abbreviated is fine), recorded in full; the verdict must name the same commit', () => {
    const claimed = stepGate(openGate(), 'GATE CLAIMED: a abc\n', '', 'a', facts().commits);
    expect(claimed.events).toEqual([{ type: 'claimed', line: 1, sha: A }]);
    expect(claimed.state).toMatchObject({ status: 'claimed', claimSha: A });
    const passed = stepGate(claimed.state, 'GATE CLAIMED: a abc\n', `VERDICT: PASS a ${A}\n`, 'a', facts().commits);
    expect(passed.events).toEqual([{ type: 'pass', line: 1, sha: A }]);
    expect(passed.state).toMatchObject({ status: 'open', claimSha: null });
  });

  it.each([
    ['no commit', 'GATE CLAIMED: a\n', /names no commit: a claim is `GATE CLAIMED: a <sha>`/],
    ['a commit off the branch', `GATE CLAIMED: a ${B}\n`, /is not a commit on the builder's branch ao\/builder/],
    ['a name git does not know', 'GATE CLAIMED: a nope\n', /names no commit in the repository/],
  ])('a claim with %s is refused and the gate stays open', (_, journal, why) => {
    const r = stepGate(openGate(), journal, '', 'a', facts().commits);
    expect(r.events).toEqual([{ type: 'refused-claim', line: 1, reason: expect.stringMatching(why) }]);
    expect(r.state).toMatchObject({ status: 'open', claimsSeen: 1 });
  });

  it.each([
    ['no commit', 'VERDICT: PASS a\n', /names no commit: the open claim is on a+, so the verdict is `VERDICT: PASS a a+`/],
    ['another commit', `VERDICT: PASS a ${B}\n`, /names b+, but the open claim is on a+/],
    ['an unknown name', 'VERDICT: FAIL a nope\n- x\n', /nope names no commit/],
  ])('a verdict with %s does not count: the claim stays open', (_, review, why) => {
    const claimed = stepGate(openGate(), 'GATE CLAIMED: a abc\n', '', 'a', facts().commits).state;
    const r = stepGate(claimed, 'GATE CLAIMED: a abc\n', review, 'a', facts().commits);
    expect(r.events).toEqual([expect.objectContaining({ type: 'refused-verdict', line: 1, reason: expect.stringMatching(why) })]);
    expect(r.state).toMatchObject({ status: 'claimed', claimSha: A, verdictsSeen: 1 });
  });

  it('the classic gate ignores lines that name a commit, as before', () => {
    expect(stepGate(openGate(), 'GATE CLAIMED: a abc\n', '', 'a').events).toEqual([]);
  });

  it('newTokens: only the lines past what the gate acted upon', () => {
    const state = { ...openGate(), claimsSeen: 1 };
    expect(newTokens(state, 'GATE CLAIMED: a x\nGATE CLAIMED: a y\n', 'VERDICT: PASS a z\n', 'a')).toEqual({ claims: ['y'], verdicts: ['z'] });
  });
});

describe('stepPhase bound to commits: a pass lands first', () => {
  const journal = 'GATE CLAIMED: a abc\n';
  const review = `VERDICT: PASS a ${A}\n`;
  const claimed = stepPhase(project, initialPhaseState(), journal, '', 3, facts()).state;

  it('a pass not landed yet asks for its landing and changes nothing', () => {
    const step = stepPhase(project, claimed, journal, review, 3, facts());
    expect(step).toEqual({ state: claimed, events: [], messages: [], moved: false, land: { sha: A, phase: 'a' } });
  });

  it('landed: the pass, the landing and the advance are recorded with the SHAs', () => {
    const step = stepPhase(project, claimed, journal, review, 3, facts([[A, { landed: true, from: B, to: A }]]));
    expect(step.moved).toBe(true);
    expect(step.events.map((e) => [e.event, e.details])).toEqual([
      ['gate-pass', expect.objectContaining({ sha: A, phase: 'a', review_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) })],
      ['landed', { target: 'ao/accepted', from: B, to: A }],
      ['phase-advance', expect.objectContaining({ index: 2, count: 2 })],
    ]);
    expect(step.state).toMatchObject({ index: 1, lastVerdict: { phase: 'a', sha: A, pass: true }, landed: { phase: 'a', sha: A, target: 'ao/accepted' } });
  });

  it('refused: the phase stays, the claim is spent, and the builder is told to rebase and claim again', () => {
    const step = stepPhase(project, claimed, journal, review, 3, facts([[A, { landed: false, reason: 'ao/accepted has commits that A does not' }]]));
    expect(step.moved).toBe(false);
    expect(step.state).toMatchObject({ index: 0, gate: { status: 'open' } });
    expect(step.events.map((e) => e.event)).toEqual(['gate-pass', 'land-refused']);
    expect(step.messages).toEqual([
      { to: 'builder', text: expect.stringMatching(/could not land it on ao\/accepted: .*Rebase your branch onto ao\/accepted/s) },
    ]);
  });

  it('a refused claim and a refused verdict are told to their writers', () => {
    const noSha = stepPhase(project, initialPhaseState(), 'GATE CLAIMED: a\n', '', 3, facts());
    expect(noSha.events.map((e) => e.event)).toEqual(['claim-refused']);
    expect(noSha.messages).toEqual([{ to: 'builder', text: expect.stringMatching(/does not count: it names no commit/) }]);
    const other = stepPhase(project, claimed, journal, `VERDICT: PASS a ${B}\n`, 3, facts());
    expect(other.events.map((e) => e.event)).toEqual(['verdict-refused']);
    expect(other.messages).toEqual([{ to: 'adversary', text: expect.stringMatching(/does not count: it names b+, but the open claim is on a+/) }]);
  });
});
