import { join } from 'node:path';
import type { PhaseView } from '../config/resolve.js';
import type { Project } from '../config/types.js';
import { readJson } from './files.js';

/** state/phase.json: where the team stands. Written by the phase machinery. */
export interface PhaseState {
  index: number;
  complete: boolean;
  startedAt: string | null;
}

export const phaseFile = (stateDir: string): string => join(stateDir, 'phase.json');

export function readPhaseState(stateDir: string): PhaseState {
  return readJson<PhaseState>(phaseFile(stateDir)) ?? { index: 0, complete: false, startedAt: null };
}

/** The phase the team is in (clamped to the config's phases, should they have shrunk). */
export function currentPhase(project: Project): PhaseView {
  const state = readPhaseState(project.stateDir);
  const index = Math.min(Math.max(state.index, 0), project.phases.length - 1);
  return { phase: project.phases[index]!, index, status: state.complete ? 'complete' : 'in progress' };
}
