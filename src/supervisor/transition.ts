/**
 * The one way the reconciler moves an agent into a state that is told: the
 * state becomes its `life`, and the event that tells of it goes out only when
 * the agent was not in that very state already. A state is told once, not at
 * every sweep that finds it so: a session still foreign, a budget still
 * reached, a screen still asking. A death (`died`) or a start is no state and
 * is told where it happens.
 */
import { isDeepStrictEqual } from 'node:util';
import type { AgentRecord } from '../state/agents.js';
import { lifeOf, type Life } from '../state/lifecycle.js';
import type { Action } from './reconcile.js';

/** The event that tells of entering a state (null: entered without a word, as waiting at a dialog the screen watch told of). */
export type Told = Extract<Action, { type: 'event' }> | null;

export function transition(record: AgentRecord, to: Life, told: Told, actions: Action[]): void {
  if (told && !isDeepStrictEqual(lifeOf(record), to)) actions.push(told);
  record.life = to;
}
