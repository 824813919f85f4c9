import { describe, expect, it } from 'vitest';
import { emptyRecord, markStarted } from '../../../src/state/agents.js';
import { hookView } from '../../../src/state/signals.js';
import { explainAgent, formatExplanation } from '../../../src/supervisor/explain.js';
import type { AgentStatus } from '../../../src/supervisor/status.js';
import { agentSpec } from '../../helpers/builders.js';

const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);
const agent = agentSpec({ name: 'lead', session: 'ao-lead', kind: 'persistent', backend: 'claude', heal: 'heal+stall', stallMinutes: 10, resume: true });
const status = { name: 'lead', state: 'waiting', detail: 'tool permission' } as AgentStatus;

describe('ao explain', () => {
  it('names each signal and when it was seen: pane, screen watch, hooks, pending kickoff, stall clock, conversation', () => {
    const record = emptyRecord();
    markStarted(record, { at: T0, model: null, by: 'hand' });
    record.waitingOn = 'tool permission';
    record.pending = { what: 'kickoff', since: T0 };
    record.conversationId = 'abc';
    const hooks = hookView([{ time: new Date(T0 + 2000).toISOString(), hook: 'PermissionRequest', session: 'abc' }], T0);
    const pane = {
      session: 'ao-lead',
      paneId: '%1',
      pid: 42,
      dead: false,
      deadStatus: null,
      deadSignal: null,
      activity: (T0 + 60_000) / 1000,
      created: T0 / 1000,
      owner: '/p/agents.toml',
    };
    const e = explainAgent({
      agent,
      status,
      record,
      pane,
      exit: null,
      screen: { state: 'waiting', dialog: 'tool permission' },
      hooks,
      unseenMail: 0,
      now: T0 + 180_000,
    });
    expect(e.decided_by).toEqual([
      'tmux: pane alive (pid 42)',
      'screen watch: waiting on a dialog (tool permission)',
      `hooks: PermissionRequest at ${new Date(T0 + 2000).toISOString()} asks a person (raises waiting)`,
      'screen now: waiting (tool permission)',
      `pending: the kickoff since ${new Date(T0).toISOString()}, pasted once the screen is steadily ready`,
      'stall clock: silent 120 s of 600 s',
    ]);
    expect(e.conversation).toEqual({ resume: true, id: 'abc', resumed_run: false });
    expect(formatExplanation(e)).toContain('lead: WAITING (tool permission)');
  });

  it('says why a dead agent is down: its condition, the pane and the launcher’s record', () => {
    const record = emptyRecord();
    markStarted(record, { at: T0, model: null, by: 'hand' });
    record.life = { is: 'failed', why: '5 failed starts within 300 s' };
    const pane = {
      session: 'ao-lead',
      paneId: '%1',
      pid: 42,
      dead: true,
      deadStatus: 1,
      deadSignal: null,
      activity: null,
      created: null,
      owner: '/p',
    };
    const e = explainAgent({
      agent,
      status: { ...status, state: 'failed', detail: null },
      record,
      pane,
      exit: { status: 1, signal: null },
      screen: null,
      hooks: hookView([], T0),
      unseenMail: 0,
      now: T0,
    });
    expect(e.decided_by.slice(0, 3)).toEqual([
      'record: condition failed (5 failed starts within 300 s)',
      'tmux: pane dead (exit 1)',
      'launcher: the run ended with exit 1',
    ]);
    expect(e.stall.silent_s).toBeNull();
  });

  it.each([
    {
      fallback: { own: 'opus-id', troubleSince: T0, since: null, probing: false },
      line: `its own (opus-id) in provider trouble since ${new Date(T0).toISOString()}`,
    },
    {
      fallback: { own: 'opus-id', troubleSince: null, since: T0, probing: false },
      line: `its starts use sonnet-id since ${new Date(T0).toISOString()}, its own (opus-id) overloaded`,
    },
    { fallback: { own: 'opus-id', troubleSince: null, since: T0, probing: true }, line: 'this run probes its own model (opus-id) again' },
  ])('says where its fallback model’s breaker stands: $line', ({ fallback, line }) => {
    const record = { ...emptyRecord(), up: true, fallback };
    const e = explainAgent({
      agent,
      status: { ...status, state: 'running', detail: null, model: 'sonnet-id' },
      record,
      pane: undefined,
      exit: null,
      screen: null,
      hooks: hookView([], T0),
      unseenMail: 0,
      now: T0,
    });
    expect(e.decided_by).toContain(`fallback model: ${line}`);
  });
});
