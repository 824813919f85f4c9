import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PhaseView } from '../config/resolve.js';
import type { Project } from '../config/types.js';
import { openGate, type GateState } from '../phases/gate.js';
import { readJson, writeJsonAtomic } from './files.js';

export interface PhaseHistoryEntry {
  at: string;
  phase: string;
  event: string;
  detail?: string;
}

/** state/phase.json: where the team stands. */
export interface PhaseState {
  index: number;
  complete: boolean;
  startedAt: string | null;
  /** bumps on every phase change: a loop started under another generation runs an old kickoff */
  generation: number;
  gate: GateState;
  /** fails in a row reached the non-convergence limit */
  notConverging: boolean;
  /** the newest entries last, bounded */
  history: PhaseHistoryEntry[];
}

export const phaseFile = (stateDir: string): string => join(stateDir, 'phase.json');
const HISTORY_LIMIT = 200;

export function initialPhaseState(): PhaseState {
  return { index: 0, complete: false, startedAt: null, generation: 0, gate: openGate(), notConverging: false, history: [] };
}

function normalize(value: Partial<PhaseState>): PhaseState {
  return { ...initialPhaseState(), ...value, gate: { ...openGate(), ...(value.gate ?? {}) }, history: value.history ?? [] };
}

/**
 * The phase state. A corrupt file is recovered from the copy kept at the last
 * good write (phase.json.good), never silently reset; if both are bad it throws.
 */
export function readPhaseState(stateDir: string): PhaseState {
  const file = phaseFile(stateDir);
  try {
    const value = readJson<Partial<PhaseState>>(file);
    return value ? normalize(value) : initialPhaseState();
  } catch (error) {
    const good = readJson<Partial<PhaseState>>(`${file}.good`);
    if (good) return normalize(good);
    throw error;
  }
}

export async function writePhaseState(stateDir: string, state: PhaseState): Promise<void> {
  const file = phaseFile(stateDir);
  state.history = state.history.slice(-HISTORY_LIMIT);
  await writeJsonAtomic(file, state);
  // the copy that a corrupt phase.json is recovered from
  if (existsSync(file)) copyFileSync(file, `${file}.good`);
}

export function pushHistory(state: PhaseState, phase: string, event: string, detail?: string): void {
  state.history.push({ at: new Date().toISOString(), phase, event, ...(detail ? { detail } : {}) });
}

/** The phase the team is in (clamped to the config's phases, should they have shrunk). */
export function phaseView(project: Project, state: PhaseState): PhaseView {
  const index = Math.min(Math.max(state.index, 0), project.phases.length - 1);
  return { phase: project.phases[index]!, index, status: state.complete ? 'complete' : 'in progress' };
}

/** Pure: the state after moving to phase `index` (or to complete, past the last). */
export function movePhase(state: PhaseState, project: Project, index: number, why: string): PhaseState {
  const next: PhaseState = structuredClone(state);
  const from = project.phases[state.index]?.id ?? '?';
  next.generation += 1;
  next.gate = openGate();
  next.notConverging = false;
  next.startedAt = new Date().toISOString();
  if (index >= project.phases.length) {
    next.complete = true;
    next.index = project.phases.length - 1;
    pushHistory(next, from, 'complete', why);
  } else {
    next.complete = false;
    next.index = index;
    pushHistory(next, project.phases[index]!.id, 'enter', `${why} (from ${from})`);
  }
  return next;
}
