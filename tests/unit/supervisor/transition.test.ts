import { describe, expect, it } from 'vitest';
import type { Action } from '../../../src/supervisor/reconcile.js';
import { transition, type Told } from '../../../src/supervisor/transition.js';
import { record } from '../../helpers/builders.js';

const told = (reason: string): Told => ({ type: 'event', agent: 'a', event: 'paused', reason, details: { kind: 'budget' } });

describe('transition: a state is told once, not at every sweep that finds it so', () => {
  it('tells the entry into a state, and not the same state found again', () => {
    const r = record();
    const actions: Action[] = [];
    transition(r, { is: 'paused', until: null, why: 'budget reached' }, told('first'), actions);
    transition(r, { is: 'paused', until: null, why: 'budget reached' }, told('again'), actions);
    expect(actions.map((a) => (a.type === 'event' ? a.reason : a.type))).toEqual(['first']);
    expect(r.life).toEqual({ is: 'paused', until: null, why: 'budget reached' });
  });

  it('tells a change within a state (another reason), and enters a state without a word when told is null', () => {
    const r = record({ life: { is: 'paused', until: null, why: 'budget reached' } });
    const actions: Action[] = [];
    transition(r, { is: 'paused', until: null, why: 'max_iterations reached' }, told('cap'), actions);
    transition(r, { is: 'waiting' }, null, actions);
    expect(actions.map((a) => (a.type === 'event' ? a.reason : a.type))).toEqual(['cap']);
    expect(r.life).toEqual({ is: 'waiting' });
  });
});
