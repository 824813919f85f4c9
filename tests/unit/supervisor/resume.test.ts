/** Conversations that survive restarts: which id a start uses, how a refusal is read, and the reconciler's fallback. */
import { describe, expect, it } from 'vitest';
import { claude } from '../../../src/backends/claude.js';
import { gemini } from '../../../src/backends/gemini.js';
import type { AgentSpec } from '../../../src/config/types.js';
import { emptyRecord, markRun, markStarted, type AgentRecord } from '../../../src/state/agents.js';
import { conversationOf } from '../../../src/supervisor/launch.js';
import { reconcile, type ObservedAgent, type Timings } from '../../../src/supervisor/reconcile.js';
import { agentSpec, desiredAgent } from '../../helpers/builders.js';

const ID = '11111111-2222-4333-8444-555555555555';
const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);
const TIMINGS: Timings = {
  backoffInitialMs: 1000,
  backoffMaxMs: 60_000,
  healthyAfterMs: 30_000,
  crashLimit: 5,
  crashWindowMs: 300_000,
  restartLimit: 10,
  restartWindowMs: 1_800_000,
};

function spec(over: Partial<AgentSpec> = {}): AgentSpec {
  return agentSpec({
    name: 'lead',
    session: 'ao-lead',
    kind: 'persistent',
    backend: 'claude',
    heal: 'heal',
    args: ['--allowedTools', 'Read'],
    cwd: '/proj',
    stallMinutes: 15,
    kickoff: 'paste',
    resume: true,
    ...over,
  });
}

describe('the conversation of a start', () => {
  it('begins a new one of ao’s choosing, then continues the recorded one', () => {
    const first = conversationOf(spec(), null);
    expect(first?.resume).toBe(false);
    expect(first?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(conversationOf(spec(), null)?.id).not.toBe(first?.id);
    expect(conversationOf(spec(), ID)).toEqual({ id: ID, resume: true });
  });

  it('is none with resume off, or for a backend that keeps no conversations', () => {
    expect(conversationOf(spec({ resume: false }), ID)).toBeNull();
    expect(conversationOf(spec({ backend: 'shell' }), ID)).toBeNull();
    expect(conversationOf(spec({ kind: 'service' }), ID)).toBeNull();
  });

  it('reaches Claude’s argv before the agent’s own args: --session-id first, --resume after', () => {
    const input = { agent: spec(), model: 'claude-opus-4-8', kickoffFile: '/k', kickoff: 'paste' as const, aoEntry: '/ao' };
    expect(claude.argv({ ...input, conversation: { id: ID, resume: false } })).toEqual([
      'claude',
      '--model',
      'claude-opus-4-8',
      '--session-id',
      ID,
      '--allowedTools',
      'Read',
    ]);
    expect(claude.argv({ ...input, conversation: { id: ID, resume: true } })).toEqual([
      'claude',
      '--model',
      'claude-opus-4-8',
      '--resume',
      ID,
      '--allowedTools',
      'Read',
    ]);
    expect(claude.argv({ ...input, conversation: null })).toEqual(['claude', '--model', 'claude-opus-4-8', '--allowedTools', 'Read']);
  });

  it('reaches Gemini CLI’s argv before the agent’s own args, and before -i (which takes the kickoff): --session-id first, --resume after', () => {
    const input = { agent: spec({ backend: 'gemini', args: ['--yolo'] }), model: null, kickoffFile: '/k', kickoff: 'paste' as const, aoEntry: '/ao' };
    expect(gemini.argv({ ...input, conversation: { id: ID, resume: false } })).toEqual(['gemini', '--session-id', ID, '--yolo']);
    expect(gemini.argv({ ...input, conversation: { id: ID, resume: true } })).toEqual(['gemini', '--resume', ID, '--yolo']);
    expect(gemini.argv({ ...input, kickoff: 'arg', conversation: { id: ID, resume: true } })).toEqual(['gemini', '--resume', ID, '--yolo', '-i']);
    expect(conversationOf(spec({ backend: 'gemini' }), ID)).toEqual({ id: ID, resume: true });
    expect(conversationOf(spec({ backend: 'codex' }), ID)).toBeNull();
  });

  it('is kept in the record; a start without one keeps the old id but is no resumed run', () => {
    const record: AgentRecord = emptyRecord();
    markRun(record, { runId: 'r', conversation: { id: ID, resume: false }, logOffset: 0 });
    expect([record.conversationId, record.resumedRun]).toEqual([ID, false]);
    markRun(record, { runId: 'r', conversation: { id: ID, resume: true }, logOffset: 0 });
    expect(record.resumedRun).toBe(true);
    markRun(record, { runId: 'r', conversation: null, logOffset: 0 });
    expect([record.conversationId, record.resumedRun]).toEqual([ID, false]);
  });
});

describe('Claude’s refusal to resume', () => {
  it('is its "No conversation found" line with this id, not another', () => {
    const screen = ` No conversation found with session ID: ${ID}\n`;
    expect(claude.conversations?.refused(screen, ID)).toBe(true);
    expect(claude.conversations?.refused(screen, '99999999-2222-4333-8444-555555555555')).toBe(false);
    expect(claude.conversations?.refused('API Error: 529 overloaded\n', ID)).toBe(false);
  });
});

describe('Gemini CLI’s refusal to resume', () => {
  it('is its "Invalid session identifier" line with this id, not another', () => {
    const log = `Error resuming session: Invalid session identifier "${ID}".\n  Searched for sessions in /h/.gemini/tmp/p/chats.\n`;
    expect(gemini.conversations?.refused(log, ID)).toBe(true);
    expect(gemini.conversations?.refused(log, '99999999-2222-4333-8444-555555555555')).toBe(false);
    expect(gemini.conversations?.refused(`Error starting session: Session ID "${ID}" already exists.`, ID)).toBe(false);
  });
});

describe('the reconciler and a refused resume', () => {
  const agent = desiredAgent({ name: 'lead', stallMs: 600_000 });
  const dead = (over: Partial<ObservedAgent> = {}): ObservedAgent => ({
    exists: true,
    dead: true,
    exitStatus: 1,
    exitSignal: null,
    activityMs: null,
    screen: null,
    ...over,
  });
  function resumed(): AgentRecord {
    const record = emptyRecord();
    markStarted(record, { at: T0, model: null, by: 'hand' });
    record.conversationId = ID;
    record.resumedRun = true;
    return record;
  }

  it('starts a fresh conversation at once, with an event, no crash counted', () => {
    const d = reconcile([agent], new Map([['lead', dead({ refusedResume: true })]]), { lead: resumed() }, T0 + 1000, TIMINGS);
    expect(d.actions).toEqual([
      { type: 'event', agent: 'lead', event: 'resume-refused', reason: `the CLI has no conversation ${ID} to resume; starting a fresh conversation` },
      { type: 'start', agent: 'lead', reason: 'fresh-conversation' },
    ]);
    expect(d.history.lead?.conversationId).toBeNull();
    expect(d.history.lead?.failedStarts ?? []).toEqual([]);
    expect(d.history.lead?.restarts).toBe(0);
  });

  it('keeps the id through a crash: a heal continues the same conversation', () => {
    const d = reconcile([agent], new Map([['lead', dead({ refusedResume: false })]]), { lead: resumed() }, T0 + 1000, TIMINGS);
    expect(d.actions.some((a) => a.type === 'event' && a.event === 'died')).toBe(true);
    expect(d.history.lead?.conversationId).toBe(ID);
    const later = reconcile([agent], new Map([['lead', dead()]]), d.history, T0 + 5000, TIMINGS);
    expect(later.actions).toContainEqual({ type: 'start', agent: 'lead', reason: 'heal' });
    expect(later.history.lead?.conversationId).toBe(ID);
  });
});
