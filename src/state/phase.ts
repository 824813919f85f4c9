import { existsSync } from 'node:fs';
import type { PhaseView } from '../config/resolve.js';
import type { Project } from '../config/types.js';
import { openGate, type GateState } from './gate-state.js';
import { appendEvent, type EventRecord } from './events.js';
import { describeIssues, keepGoodCopy, moveAside, readStateFile, writeJsonAtomic, type StateRead } from './files.js';
import { layout } from './layout.js';
import * as S from './shape.js';

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
  /** a commit-bound gate: the last verdict that counted, with the commit it named */
  lastVerdict?: { phase: string; sha: string; pass: boolean } | null;
  /** a commit-bound gate: the last passed commit that landed on the target branch */
  landed?: { phase: string; sha: string; target: string } | null;
}

const HISTORY_LIMIT = 200;

export function initialPhaseState(): PhaseState {
  return { index: 0, complete: false, startedAt: null, generation: 0, gate: openGate(), notConverging: false, history: [] };
}

// index, generation and complete are what the team's place rests on: `{}` or `null` is corrupt, never phase one
const phaseShape = S.looseObject({
  index: S.intCount,
  complete: S.boolean,
  generation: S.intCount,
  startedAt: S.optional(S.nullable(S.string)),
  gate: S.optional(
    S.looseObject({ status: S.optional(S.string), claimsSeen: S.optional(S.intCount), verdictsSeen: S.optional(S.intCount), failStreak: S.optional(S.intCount) }),
  ),
  notConverging: S.optional(S.boolean),
  history: S.optional(S.array(S.looseObject({ at: S.string, phase: S.string, event: S.string }))),
});

export function checkPhase(value: unknown): PhaseState | { problem: string } {
  const issues = S.shapeIssues(phaseShape, value);
  if (issues.length > 0) return { problem: describeIssues(issues) };
  const v = value as Partial<PhaseState>;
  return { ...initialPhaseState(), ...v, gate: { ...openGate(), ...(v.gate ?? {}) }, history: v.history ?? [] };
}

export interface LoadedPhase {
  /** null when phase.json and its good copy are both unusable */
  state: PhaseState | null;
  corrupt: string | null;
}

/** Read-only: phase.json, or around a corrupt one the copy kept at the last good write. Moves nothing. */
export function loadPhaseState(stateDir: string): LoadedPhase {
  const file = layout.phase(stateDir);
  const read: StateRead<PhaseState> = readStateFile(file, checkPhase);
  if (read.status === 'ok') return { state: read.value, corrupt: null };
  if (read.status === 'missing') return { state: initialPhaseState(), corrupt: null };
  const good = readStateFile(layout.goodCopy(file), checkPhase);
  return { state: good.status === 'ok' ? good.value : null, corrupt: read.reason };
}

/**
 * The phase state. A corrupt file is read around from the copy kept at the
 * last good write (phase.json.good), never silently reset; if both are bad it throws.
 */
export function readPhaseState(stateDir: string): PhaseState {
  const loaded = loadPhaseState(stateDir);
  if (loaded.state) return loaded.state;
  throw new Error(`state file ${layout.phase(stateDir)} is corrupt (${loaded.corrupt ?? '?'}) and has no good copy`);
}

/**
 * For a writer (the watchdog, `ao phase`): a corrupt phase.json is moved
 * aside, restored from its good copy and reported once. With no good copy,
 * `fallback` (rebuilt from what the state folder shows) is written instead.
 */
export async function recoverPhaseState(
  stateDir: string,
  fallback: () => PhaseState,
  now = new Date(),
  report: (event: EventRecord) => void = (event) => appendEvent(stateDir, event),
): Promise<PhaseState> {
  const loaded = loadPhaseState(stateDir);
  if (loaded.corrupt === null && loaded.state) return loaded.state;
  const aside = moveAside(layout.phase(stateDir), now);
  const state = loaded.state ?? fallback();
  const how = loaded.state ? 'restored from its last good copy' : `no good copy: rebuilt at phase ${state.index + 1} from the journals and reviews in the state folder`;
  pushHistory(state, '?', 'recovered', `phase.json was corrupt; ${how}`);
  await writePhaseState(stateDir, state);
  report({ time: now.toISOString(), agent: 'phase', event: 'state-corrupt', reason: `phase.json was corrupt (${loaded.corrupt ?? '?'}); moved aside to ${aside.slice(stateDir.length + 1)}, ${how}` });
  return state;
}

/**
 * With no good copy: the furthest phase whose journal or review exists (those
 * files appear only once the team reached it), under a generation past any
 * the agents were started with, so running loops are not taken for old ones.
 */
export function rebuildPhaseState(project: Project, hasFile: (file: string) => boolean, generation: number): PhaseState {
  let index = 0;
  project.phases.forEach((phase, i) => {
    if (hasFile(layout.journal(project.stateDir, phase.id)) || hasFile(layout.review(project.stateDir, phase.id))) index = i;
  });
  return { ...initialPhaseState(), index, generation, startedAt: new Date().toISOString() };
}

export async function writePhaseState(stateDir: string, state: PhaseState): Promise<void> {
  const file = layout.phase(stateDir);
  state.history = state.history.slice(-HISTORY_LIMIT);
  await writeJsonAtomic(file, state);
  // the copy that a corrupt phase.json is recovered from
  if (existsSync(file)) keepGoodCopy(file);
}

export function pushHistory(state: PhaseState, phase: string, event: string, detail?: string): void {
  state.history.push({ at: new Date().toISOString(), phase, event, ...(detail ? { detail } : {}) });
}

export type PhaseStatus = 'complete' | 'not converging' | 'in progress';

/** The one rule for a phase's status, for `ao status`, `ao phase`, the dashboard and the kickoff's `{status}`. */
export function phaseStatus(state: Pick<PhaseState, 'complete' | 'notConverging'>): PhaseStatus {
  return state.complete ? 'complete' : state.notConverging ? 'not converging' : 'in progress';
}

/** The phase the team is in (clamped to the config's phases, should they have shrunk). */
export function phaseView(project: Project, state: PhaseState): PhaseView {
  const index = Math.min(Math.max(state.index, 0), project.phases.length - 1);
  return { phase: project.phases[index]!, index, status: phaseStatus(state), claimSha: state.gate.status === 'claimed' ? (state.gate.claimSha ?? null) : null };
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

/** Read-only and never throws: around a corrupt phase.json with no good copy, what the state folder shows. */
export function readPhaseStateOf(project: Project): PhaseState {
  return loadPhaseState(project.stateDir).state ?? rebuildPhaseState(project, existsSync, 0);
}

/** The writers' read: recovers a corrupt phase.json (see recoverPhaseState); `generation` for a rebuild; `report` for its event. */
export function recoverPhaseStateOf(project: Project, generation = 0, report?: (event: EventRecord) => void): Promise<PhaseState> {
  return recoverPhaseState(project.stateDir, () => rebuildPhaseState(project, existsSync, generation), new Date(), report);
}
