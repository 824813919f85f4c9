import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadAgentsState, readAgentsState, writeAgentsState } from '../../../src/state/agents.js';
import { layout } from '../../../src/state/layout.js';
import { isLife, lifeOf, migrateLife, nextStartOf, reasonOf, type Life, type OldLifeFields } from '../../../src/state/lifecycle.js';
import { scratchDir } from '../../helpers/scratch.js';

const T = 1_900_000_000_000;

describe('an agent’s life: one state, with what belongs to it', () => {
  it.each<[string, OldLifeFields, Life]>([
    ['a backoff, with its end and how it died', { condition: 'backoff', nextStartAt: T, lastExit: 'exit 1: boom' }, { is: 'backoff', until: T, lastExit: 'exit 1: boom' }],
    ['a paced loop', { condition: 'pacing', nextStartAt: T }, { is: 'pacing', until: T }],
    ['a spinning loop (a word status takes from its quick iterations now)', { condition: 'spinning', nextStartAt: T }, { is: 'pacing', until: T }],
    ['a pause until a reset', { condition: 'paused', nextStartAt: T, pausedReason: 'usage limit, resumes 13:22' }, { is: 'paused', until: T, why: 'usage limit, resumes 13:22' }],
    ['a pause for a budget, with no end', { condition: 'paused', nextStartAt: null, pausedReason: 'budget reached' }, { is: 'paused', until: null, why: 'budget reached' }],
    ['a start error', { condition: 'error', nextStartAt: T, error: 'prompts/a.md not found' }, { is: 'error', retryAt: T, message: 'prompts/a.md not found' }],
    ['a crash loop', { condition: 'failed', nextStartAt: null, failedReason: '5 failed starts within 300 s' }, { is: 'failed', why: '5 failed starts within 300 s' }],
    ['a foreign session', { condition: 'foreign' }, { is: 'foreign' }],
    ['waiting at its screen', { condition: 'waiting' }, { is: 'waiting' }],
    ['nothing wrong, a death healed at once', { condition: null, nextStartAt: T, lastExit: 'exit 1' }, { is: 'clear' }],
  ])('an older record’s %s becomes one state, and its old fields go', (_title, old, life) => {
    const record: OldLifeFields & { life?: Life; lastStartError?: string | null } = { ...old };
    migrateLife(record);
    expect(record.life).toEqual(life);
    for (const key of ['condition', 'nextStartAt', 'failedReason', 'pausedReason', 'error', 'lastExit']) expect(record).not.toHaveProperty(key);
    expect(isLife(record.life)).toBe(true);
  });

  it('keeps the memory of the last start error told, so a retry that fails the same way is not told again', () => {
    const record: OldLifeFields & { life?: Life; lastStartError?: string | null } = { condition: null, error: 'tmux new-session failed' };
    migrateLife(record);
    expect(record).toEqual({ life: { is: 'clear' }, lastStartError: 'tmux new-session failed' });
  });

  it('says when a held agent starts next and why it is held, from its state alone', () => {
    expect(nextStartOf({ is: 'backoff', until: T, lastExit: null })).toBe(T);
    expect(nextStartOf({ is: 'error', retryAt: T, message: 'm' })).toBe(T);
    expect(nextStartOf({ is: 'paused', until: null, why: 'budget' })).toBeNull();
    expect(nextStartOf({ is: 'failed', why: 'w' })).toBeNull();
    expect(reasonOf({ is: 'failed', why: 'w' })).toBe('w');
    expect(reasonOf({ is: 'clear' })).toBeNull();
    expect(lifeOf(undefined)).toEqual({ is: 'clear' });
  });

  it('reads an older agents.json file as states, and writes it so', async () => {
    const dir = scratchDir('ao-life-');
    const old = {
      version: 1,
      agents: {
        builder: { up: true, startedAt: null, restarts: 5, iteration: 2, model: null, condition: 'failed', failedReason: 'crash loop', nextStartAt: null },
        adversary: { up: true, startedAt: null, restarts: 0, iteration: 1, model: null, condition: 'backoff', nextStartAt: T, lastExit: 'exit 2' },
        lead: { up: true, startedAt: null, restarts: 0, iteration: 0, model: null },
      },
    };
    writeFileSync(layout.agents(dir), JSON.stringify(old));
    const state = readAgentsState(dir);
    expect(state.agents.builder?.life).toEqual({ is: 'failed', why: 'crash loop' });
    expect(state.agents.adversary?.life).toEqual({ is: 'backoff', until: T, lastExit: 'exit 2' });
    expect(lifeOf(state.agents.lead)).toEqual({ is: 'clear' });
    await writeAgentsState(dir, state);
    const written = JSON.parse(readFileSync(layout.agents(dir), 'utf8')) as { agents: Record<string, Record<string, unknown>> };
    expect(written.agents.builder).not.toHaveProperty('condition');
    expect(written.agents.builder?.life).toEqual({ is: 'failed', why: 'crash loop' });
  });

  it('takes an agents.json whose state it does not know for a corrupt one, and goes on from its good copy', () => {
    const dir = scratchDir('ao-life-');
    writeFileSync(layout.agents(dir), JSON.stringify({ version: 1, agents: { a: { up: true, startedAt: null, restarts: 0, iteration: 0, model: null, life: { is: 'failed' } } } }));
    const loaded = loadAgentsState(dir);
    expect(loaded.corrupt).toMatch(/agents\.a\.life: not a state this ao knows/);
    expect(loaded.from).toBe('nothing');
  });
});
