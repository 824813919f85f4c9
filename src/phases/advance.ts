/**
 * Pure: what the gate's new lines mean for the team. The watchdog reads the
 * journal and review, calls this, then writes the state and sends the
 * messages it returns.
 */
import { createHash } from 'node:crypto';
import type { Project } from '../config/types.js';
import { movePhase, pushHistory, type PhaseState } from '../state/phase.js';
import { stepGate } from './gate.js';
import type { AoEvent } from '../state/event-catalogue.js';

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
}

/** Who gets a fail's reasons: the agent named builder, else every loop agent. */
function builders(project: Project): string[] {
  if (project.agents.some((a) => a.name === 'builder')) return ['builder'];
  return project.agents.filter((a) => a.kind === 'loop').map((a) => a.name);
}

export function stepPhase(project: Project, state: PhaseState, journal: string, review: string, nonConvergenceFails: number): PhaseStep {
  const phase = project.phases[state.index];
  if (state.complete || !phase) return { state, events: [], messages: [], moved: false };
  const { state: gate, events: gateEvents } = stepGate(state.gate, journal, review, phase.id);
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
          details: { phase: phase.id, journal_sha256 },
        });
        pushHistory(next, phase.id, 'claimed', `journal line ${e.line}`);
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
          details: { fails_in_a_row: next.gate.failStreak, phase: phase.id, review_sha256 },
        });
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
        pushHistory(next, phase.id, 'pass', `review line ${e.line}`);
        events.push({ agent: 'phase', event: 'gate-pass', reason: `${phase.id}: passed`, details: { phase: phase.id, journal_sha256, review_sha256 } });
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

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
