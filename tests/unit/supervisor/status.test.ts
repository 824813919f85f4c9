import { describe, expect, it } from 'vitest';
import type { AgentSpec } from '../../../src/config/types.js';
import { buildStatus, isHealthy, type Observed } from '../../../src/supervisor/status.js';
import { formatStatus } from '../../../src/cli/format.js';
import type { PaneInfo } from '../../../src/tmux/snapshot.js';
import { initialPhaseState, phaseView } from '../../../src/state/phase.js';
import type { AgentRecord } from '../../../src/state/agents.js';
import { silentTooLong } from '../../../src/supervisor/reconcile.js';
import { agentSpec, phaseSpec, projectOf } from '../../helpers/builders.js';

const agent = (name: string, over: Partial<AgentSpec> = {}): AgentSpec => agentSpec({ name, ...over });

const project = projectOf({
  defaultModel: 'sonnet',
  models: { sonnet: 'claude-sonnet-4-6', opus: 'claude-opus-4-8' },
  agents: [
    agent('orchestrator', { kind: 'persistent', heal: 'heal', model: 'opus' }),
    agent('builder'),
    agent('adversary'),
    agent('assistant', { kind: 'persistent', heal: 'none', enabled: false }),
  ],
  phases: [phaseSpec('one'), phaseSpec('two', { builder: 'opus' })],
});

const NOW = 1_800_000_000_000;
const pane = (session: string, over: Partial<PaneInfo> = {}): PaneInfo => ({
  session,
  paneId: '%1',
  pid: 100,
  dead: false,
  deadStatus: null,
  deadSignal: null,
  activity: NOW / 1000 - 5,
  created: NOW / 1000 - 60,
  owner: '/p/agents.toml',
  ...over,
});

function observed(over: Partial<Observed> = {}): Observed {
  return { panes: [], server: false, agents: { version: 1, agents: {} }, phase: initialPhaseState(), now: NOW, ...over };
}

const up = { up: true, startedAt: null, restarts: 0, iteration: 1, model: null };

describe('buildStatus', () => {
  it('a project that never ran: every agent stopped, healthy', () => {
    const report = buildStatus(project, observed());
    expect(report.agents.map((a) => [a.name, a.state, a.detail])).toEqual([
      ['orchestrator', 'stopped', null],
      ['builder', 'stopped', null],
      ['adversary', 'stopped', null],
      ['assistant', 'stopped', 'disabled'],
      ['watchdog', 'stopped', null],
    ]);
    expect(isHealthy(report)).toBe(true);
  });

  it.each([
    ['alive', pane('p-builder'), 'running', null, true],
    ['dead with status', pane('p-builder', { dead: true, deadStatus: 3 }), 'dead', 'exit 3', false],
    ['dead with the status lost by tmux', pane('p-builder', { dead: true, deadStatus: null }), 'dead', 'exit status lost', false],
    ['silent for 14 minutes', pane('p-builder', { activity: NOW / 1000 - 14 * 60 }), 'stalled', '14m', false],
    ['gone', undefined, 'dead', 'session gone', false],
  ] as const)('an agent that was brought up and is %s', (_, p, state, detail, healthy) => {
    const report = buildStatus(
      project,
      observed({ panes: p ? [p, pane('p-other')] : [pane('p-other')], server: true, agents: { version: 1, agents: { builder: up } } }),
    );
    const builder = report.agents.find((a) => a.name === 'builder')!;
    expect([builder.state, builder.detail]).toEqual([state, detail]);
    expect(isHealthy(report)).toBe(healthy);
  });

  it.each([
    ['its process known: pid is the watchdog process, supervisor_pid the sh of its pane', pane('p-watchdog', { pid: 40 }), 41, [41, 40]],
    ['between two runs (only its sh lives): the sh', pane('p-watchdog', { pid: 40 }), null, [40, 40]],
    ['its pane dead: neither', pane('p-watchdog', { pid: 40, dead: true, deadStatus: 1 }), 41, [null, null]],
  ] as const)('the watchdog, %s', (_, p, watchdogPid, pids) => {
    const report = buildStatus(project, observed({ panes: [p], server: true, watchdogPid }));
    const dog = report.agents.find((a) => a.name === 'watchdog')!;
    expect([dog.pid, dog.supervisor_pid]).toEqual(pids);
    // no agent carries the field
    expect(report.agents.filter((a) => a.supervisor_pid !== undefined).map((a) => a.name)).toEqual(['watchdog']);
  });

  it("a session with an agent's or the watchdog's name but another owner is not ours: reported, never read as running", () => {
    const other = { owner: '/q/agents.toml' };
    const report = buildStatus(
      project,
      observed({
        server: true,
        panes: [pane('p-builder', other), pane('p-watchdog', other), pane('p-adversary', { owner: null })],
        agents: { version: 1, agents: { builder: up } },
      }),
    );
    const row = (name: string) => report.agents.find((a) => a.name === name)!;
    expect([row('builder').state, row('builder').detail, row('builder').pid]).toEqual(['dead', 'session belongs to another project (/q/agents.toml)', null]);
    expect([row('adversary').state, row('adversary').detail]).toEqual(['stopped', 'session was not made by ao']);
    expect([row('watchdog').state, row('watchdog').detail, row('watchdog').pid]).toEqual([
      'stopped',
      'session belongs to another project (/q/agents.toml)',
      null,
    ]);
  });

  it('a paced loop waits in backoff (healthy), and one that keeps ending at once shows spinning, alive or between iterations', () => {
    const paced = { ...up, life: { is: 'pacing' as const, until: NOW + 2000 }, quickIterations: 1 };
    const between = buildStatus(
      project,
      observed({ server: true, panes: [pane('p-builder', { dead: true, deadStatus: 0 })], agents: { version: 1, agents: { builder: paced } } }),
    );
    const builder = (r: typeof between) => r.agents.find((a) => a.name === 'builder')!;
    expect([builder(between).state, builder(between).detail]).toEqual(['backoff', 'next iteration in 2s']);
    expect(isHealthy(between)).toBe(true);
    const spinning = buildStatus(
      project,
      observed({
        server: true,
        panes: [pane('p-builder', { dead: true, deadStatus: 0 })],
        agents: { version: 1, agents: { builder: { ...paced, quickIterations: 4 } } },
      }),
    );
    expect(builder(spinning).detail).toBe('spinning: 4 iterations in a row ended at once; next iteration in 2s');
    const alive = buildStatus(
      project,
      observed({ server: true, panes: [pane('p-builder')], agents: { version: 1, agents: { builder: { ...up, quickIterations: 4 } } } }),
    );
    expect([builder(alive).state, builder(alive).detail]).toEqual(['running', 'spinning: 4 iterations in a row ended at once']);
  });

  it('one stall rule: status says stalled exactly when the reconciler counts the agent silent too long', () => {
    const cases: Array<[string, number, Partial<AgentRecord>]> = [
      ['silent 11 min', NOW - 11 * 60_000, {}],
      ['silent 9 min', NOW - 9 * 60_000, {}],
      // only the nudge's own echo since: still silent (the reconciler is about to restart it)
      ['nudged, only its echo', NOW - 10 * 60_000 + 500, { nudgedAt: NOW - 10 * 60_000 }],
      ['nudged and answered', NOW - 60_000, { nudgedAt: NOW - 10 * 60_000 }],
      // old output, but started since: silence counts from the start
      ['restarted 2 min ago', NOW - 60 * 60_000, { startedAt: new Date(NOW - 2 * 60_000).toISOString() }],
    ];
    const agentSpec = { heal: 'heal+stall' as const, stallMs: 10 * 60_000 };
    const verdicts = cases.map(([label, activityMs, over]) => {
      const record = { ...up, ...over };
      const report = buildStatus(
        project,
        observed({ server: true, panes: [pane('p-builder', { activity: activityMs / 1000 })], agents: { version: 1, agents: { builder: record } } }),
      );
      const state = report.agents.find((a) => a.name === 'builder')!.state;
      return [label, state, silentTooLong(agentSpec, { exists: true, dead: false, activityMs }, record, NOW)];
    });
    expect(verdicts).toEqual([
      ['silent 11 min', 'stalled', true],
      ['silent 9 min', 'running', false],
      ['nudged, only its echo', 'stalled', true],
      ['nudged and answered', 'running', false],
      ['restarted 2 min ago', 'running', false],
    ]);
  });

  it('a silent heal (not heal+stall) agent is not stalled', () => {
    const report = buildStatus(project, observed({ panes: [pane('p-orchestrator', { activity: NOW / 1000 - 3600 })], server: true }));
    expect(report.agents[0]!.state).toBe('running');
  });

  it('agents gone with their tmux server are dead and unhealthy', () => {
    const report = buildStatus(project, observed({ agents: { version: 1, agents: { builder: up } } }));
    expect(report.agents.find((a) => a.name === 'builder')?.detail).toBe('gone with its tmux server');
    expect(isHealthy(report)).toBe(false);
    expect(formatStatus(report, 'ao')).toContain('tmux server on socket "ao" is not running');
  });

  it('a failed agent stays failed until restarted', () => {
    const report = buildStatus(project, observed({ agents: { version: 1, agents: { builder: { ...up, life: { is: 'failed', why: 'crash loop' } } } } }));
    expect(report.agents.find((a) => a.name === 'builder')?.state).toBe('failed');
    expect(isHealthy(report)).toBe(false);
  });

  it('models follow the phase: overrides and aliases resolved', () => {
    const report = buildStatus(project, observed({ phase: { ...initialPhaseState(), index: 1 } }));
    expect(report.phase).toEqual({ id: 'two', index: 1, count: 2, plan: 'two.md', status: 'in progress', gate: 'open', fails_in_a_row: 0, usage: null });
    expect(report.agents.map((a) => a.model)).toEqual(['claude-opus-4-8', 'claude-opus-4-8', 'claude-sonnet-4-6', 'claude-sonnet-4-6', null]);
  });

  it('an agent on its fallback model shows it, marked (fallback), running or between runs', () => {
    const fb = {
      ...project,
      agents: [agent('builder', { model: 'opus', fallbackModel: 'sonnet' }), agent('adversary', { model: 'opus', fallbackModel: 'sonnet' })],
    };
    const open = { own: 'claude-opus-4-8', troubleSince: null, since: NOW - 60_000, probing: false };
    const report = buildStatus(
      fb,
      observed({
        panes: [pane('p-builder'), pane('p-adversary', { dead: true, deadStatus: 1 })],
        server: true,
        agents: { version: 1, agents: { builder: { ...up, model: 'claude-sonnet-4-6', fallback: open }, adversary: { ...up, fallback: open } } },
      }),
    );
    const rows = report.agents.map((a) => [a.name, a.model, a.fallback]);
    expect(rows).toEqual([
      ['builder', 'claude-sonnet-4-6', true],
      ['adversary', 'claude-sonnet-4-6', true],
      ['watchdog', null, false],
    ]);
    expect(formatStatus(report).split('\n')[2]).toMatch(/^builder +loop +demo +claude-sonnet-4-6 \(fallback\) +heal\+stall/);
    // a probe of its own model, and a breaker state from another own model: its own, unmarked
    const probing = buildStatus(
      fb,
      observed({
        agents: { version: 1, agents: { builder: { ...up, fallback: { ...open, probing: true } }, adversary: { ...up, fallback: { ...open, own: 'x' } } } },
      }),
    );
    expect(probing.agents.slice(0, 2).map((a) => [a.model, a.fallback])).toEqual([
      ['claude-opus-4-8', false],
      ['claude-opus-4-8', false],
    ]);
  });

  it('prints the header and rows as DESIGN §3 shows them', () => {
    const report = buildStatus(
      project,
      observed({
        panes: [pane('p-orchestrator'), pane('p-builder'), pane('p-adversary', { activity: NOW / 1000 - 14 * 60 })],
        server: true,
        agents: { version: 1, agents: { orchestrator: up, builder: up, adversary: up } },
        phase: { ...initialPhaseState(), index: 1 },
      }),
    );
    expect(formatStatus(report)).toBe(
      [
        'phase: two [2/2] plan=two.md (in progress)',
        'NAME          KIND        BACKEND  MODEL              HEAL        COST  STATE',
        'orchestrator  persistent  demo     claude-opus-4-8    heal        -     RUNNING',
        'builder       loop        demo     claude-opus-4-8    heal+stall  -     RUNNING',
        'adversary     loop        demo     claude-sonnet-4-6  heal+stall  -     STALLED 14m',
        'assistant     persistent  demo     claude-sonnet-4-6  none        -     STOPPED (disabled)',
        'watchdog      service     -        -                  -           -     STOPPED',
        '',
      ].join('\n'),
    );
  });

  it('shows what each agent and the phase have cost, where the CLI reports it', () => {
    const totals = (cost: number | null, iterations: number) => ({
      input_tokens: 10,
      output_tokens: 2,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      cost_usd: cost,
      iterations,
    });
    const report = buildStatus(
      project,
      observed({
        panes: [pane('p-builder')],
        server: true,
        agents: { version: 1, agents: { builder: up } },
        phase: { ...initialPhaseState(), index: 1 },
        usage: { rows: [], byAgent: { builder: totals(1.234, 3), adversary: totals(null, 1) }, byPhase: { two: totals(1.5, 4) }, total: totals(1.5, 4) },
      }),
    );
    const text = formatStatus(report);
    expect(text.split('\n')[0]).toBe('phase: two [2/2] plan=two.md (in progress) cost=$1.50');
    expect(text).toMatch(/^builder\s+loop\s+demo\s+\S+\s+heal\+stall\s+\$1\.23\s+RUNNING$/m);
    expect(text).toMatch(/^adversary\s+loop\s+demo\s+\S+\s+heal\+stall\s+-\s+/m);
    expect(report.agents.find((a) => a.name === 'builder')?.usage).toMatchObject({ cost_usd: 1.234, iterations: 3 });
    expect(report.phase.usage).toMatchObject({ cost_usd: 1.5 });
  });

  it.each([
    [{ complete: false, notConverging: false }, 'in progress'],
    [{ complete: false, notConverging: true }, 'not converging'],
    [{ complete: true, notConverging: true }, 'complete'],
  ])('one phase status rule for status and the kickoff: %j -> %s', (over, expected) => {
    const phase = { ...initialPhaseState(), ...over };
    expect(buildStatus(project, observed({ phase })).phase.status).toBe(expected);
    expect(phaseView(project, phase).status).toBe(expected);
  });
});
