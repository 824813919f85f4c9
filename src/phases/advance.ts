/**
 * Pure: what the gate's new lines mean for the team. The watchdog reads the
 * journal and review, calls this, then writes the state and sends the
 * messages it returns.
 */
import { sha256 } from '../state/digest.js';
import type { Project } from '../config/types.js';
import { movePhase, pushHistory, type PhaseState } from '../state/phase.js';
import { stepGate, type CommitFacts } from './gate.js';
import type { AoEvent } from '../state/event-catalogue.js';
import type { CommitGate } from './commit-gate.js';

export type PhaseEvent = AoEvent;

export interface PhaseMessage {
  to: string;
  text: string;
}

export interface PhaseStep {
  state: PhaseState;
  events: PhaseEvent[];
  messages: PhaseMessage[];
  /** the phase changed (advanced or completed) */
  moved: boolean;
  /**
   * A commit-bound gate passed `sha`, which has not been landed yet: nothing
   * else of this step counts. The caller lands it (src/workspace/land.ts) and
   * steps again with the landing's outcome in `landings`.
   */
  land?: { sha: string; phase: string };
}

/** What became of a passed commit at its landing on the target branch. */
export type Landing = { landed: true; from: string | null; to: string; already?: boolean } | { landed: false; reason: string };

/** A commit-bound gate's facts (the builder in a worktree): the commits of the new gate lines, and the landings done. */
export interface GateFacts {
  gate: CommitGate;
  commits: CommitFacts;
  landings: ReadonlyMap<string, Landing>;
}

/** Who gets a fail's reasons: the agent named builder, else every loop agent. */
function builders(project: Project): string[] {
  if (project.agents.some((a) => a.name === 'builder')) return ['builder'];
  return project.agents.filter((a) => a.kind === 'loop').map((a) => a.name);
}

export function stepPhase(
  project: Project,
  state: PhaseState,
  journal: string,
  review: string,
  nonConvergenceFails: number,
  facts: GateFacts | null = null,
): PhaseStep {
  const phase = project.phases[state.index];
  if (state.complete || !phase) return { state, events: [], messages: [], moved: false };
  const { state: gate, events: gateEvents } = stepGate(state.gate, journal, review, phase.id, facts?.commits ?? null);
  // the evidence: the sha256 of the journal and review texts each gate event was read from (ao verify, docs/RECORD.md)
  const journal_sha256 = sha256(journal);
  const review_sha256 = sha256(review);
  let next: PhaseState = { ...structuredClone(state), gate };
  const events: PhaseEvent[] = [];
  const messages: PhaseMessage[] = [];
  let moved = false;

  for (const e of gateEvents) {
    switch (e.type) {
      case 'claimed':
        events.push({
          agent: 'phase',
          event: 'gate-claimed',
          reason: `${phase.id}: claimed in the journal, line ${e.line}`,
          details: { phase: phase.id, journal_sha256, ...(e.sha ? { sha: e.sha } : {}) },
        });
        pushHistory(next, phase.id, 'claimed', `journal line ${e.line}${e.sha ? ` (${e.sha})` : ''}`);
        break;
      case 'refused-claim':
        events.push({
          agent: 'phase',
          event: 'claim-refused',
          reason: `${phase.id}: journal line ${e.line}: ${e.reason}`,
          details: { phase: phase.id, journal_sha256 },
        });
        for (const to of facts ? [facts.gate.builder] : [])
          messages.push({
            to,
            text: `Your claim of the gate of phase ${phase.id} (journal line ${e.line}) does not count: ${e.reason}. Commit your work, then claim again.`,
          });
        break;
      case 'refused-verdict':
        events.push({
          agent: 'phase',
          event: 'verdict-refused',
          reason: `${phase.id}: review line ${e.line}: ${e.reason}`,
          details: { phase: phase.id, review_sha256 },
        });
        for (const to of facts?.gate.adversary ? [facts.gate.adversary] : [])
          messages.push({ to, text: `Your verdict on the gate of phase ${phase.id} (review line ${e.line}) does not count: ${e.reason}.` });
        break;
      case 'ignored-claim':
        events.push({
          agent: 'phase',
          event: 'claim-ignored',
          reason: `${phase.id}: a claim while one is open (journal line ${e.line})`,
          details: { phase: phase.id, journal_sha256 },
        });
        break;
      case 'ignored-verdict':
        events.push({
          agent: 'phase',
          event: 'verdict-ignored',
          reason: `${phase.id}: a ${e.pass ? 'pass' : 'fail'} verdict with no open claim (review line ${e.line})`,
          details: { phase: phase.id, review_sha256 },
        });
        break;
      case 'fail': {
        const reasons = e.reasons.length > 0 ? e.reasons : ['(no reasons given)'];
        events.push({
          agent: 'phase',
          event: 'gate-fail',
          reason: `${phase.id}: ${reasons.join('; ')}`,
          details: { fails_in_a_row: next.gate.failStreak, phase: phase.id, review_sha256, ...(e.sha ? { sha: e.sha } : {}) },
        });
        if (e.sha) next.lastVerdict = { phase: phase.id, sha: e.sha, pass: false };
        pushHistory(next, phase.id, 'fail', reasons.join('; '));
        for (const to of builders(project)) {
          messages.push({
            to,
            text: `The adversary failed the gate of phase ${phase.id}. Reasons:\n${reasons.map((r) => `- ${r}`).join('\n')}\nFix them, then claim the gate again.`,
          });
        }
        if (next.gate.failStreak >= nonConvergenceFails && !next.notConverging) {
          next.notConverging = true;
          events.push({ agent: 'phase', event: 'not-converging', reason: `${phase.id}: ${next.gate.failStreak} fails in a row` });
          pushHistory(next, phase.id, 'not-converging', `${next.gate.failStreak} fails in a row`);
          if (project.agents.some((a) => a.name === 'orchestrator')) {
            messages.push({
              to: 'orchestrator',
              text: `Phase ${phase.id} is not converging: the adversary failed its gate ${next.gate.failStreak} times in a row. Look at the journal and the review, and steer (edit the plan, or tell the builder).`,
            });
          }
        }
        break;
      }
      case 'pass': {
        const landing = e.sha && facts ? facts.landings.get(e.sha) : undefined;
        // a pass on a commit lands it first: until it did, nothing of this step counts
        if (e.sha && facts && !landing) return { state, events: [], messages: [], moved: false, land: { sha: e.sha, phase: phase.id } };
        pushHistory(next, phase.id, 'pass', `review line ${e.line}${e.sha ? ` (${e.sha})` : ''}`);
        events.push({
          agent: 'phase',
          event: 'gate-pass',
          reason: `${phase.id}: passed`,
          details: { phase: phase.id, journal_sha256, review_sha256, ...(e.sha ? { sha: e.sha } : {}) },
        });
        if (e.sha) next.lastVerdict = { phase: phase.id, sha: e.sha, pass: true };
        if (e.sha && facts && landing && !landing.landed) {
          const { target } = facts.gate;
          events.push({
            agent: 'phase',
            event: 'land-refused',
            reason: `${phase.id}: ${e.sha} not landed on ${target}: ${landing.reason}`,
            details: { target, sha: e.sha },
          });
          pushHistory(next, phase.id, 'land-refused', landing.reason);
          messages.push({
            to: facts.gate.builder,
            text: `The adversary passed ${e.sha} for phase ${phase.id}, but ao could not land it on ${target}: ${landing.reason}. The phase stays. Rebase your branch onto ${target} (\`git rebase ${target}\`), then claim the gate again with the new commit.`,
          });
          break;
        }
        if (e.sha && facts && landing?.landed) {
          const { target } = facts.gate;
          events.push({
            agent: 'phase',
            event: 'landed',
            reason: landing.already
              ? `${phase.id}: ${target} already holds the passed commit`
              : `${phase.id}: ${target} ${landing.from === null ? 'made, at the passed commit' : 'moved to the passed commit, fast-forward'}`,
            details: { target, from: landing.from, to: landing.to },
          });
          next.landed = { phase: phase.id, sha: landing.to, target };
        }
        next = movePhase(next, project, next.index + 1, `gate of ${phase.id} passed`);
        moved = true;
        const entered = next.complete ? null : project.phases[next.index];
        events.push(
          entered
            ? {
                agent: 'phase',
                event: 'phase-advance',
                reason: `${phase.id} -> ${entered.id}`,
                details: { index: next.index + 1, count: project.phases.length, from: phase.id },
              }
            : { agent: 'phase', event: 'complete', reason: `the last phase (${phase.id}) passed: the project is complete`, details: { from: phase.id } },
        );
        break;
      }
    }
    if (moved) break; // lines after a pass belong to a gate that is closed
  }
  return { state: next, events, messages, moved };
}
