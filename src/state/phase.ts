import { join } from 'node:path';
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
