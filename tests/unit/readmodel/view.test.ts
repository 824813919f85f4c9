/**
 * readProjectView: a state folder in a temp dir with given files and one
 * snapshot -> the view that `ao status`, `ao phase` and the dashboard show.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Project } from '../../../src/config/types.js';
import { StateReader } from '../../../src/readmodel/state-reader.js';
import { plainSource, readProjectView } from '../../../src/readmodel/view.js';
import { layout } from '../../../src/state/layout.js';
import { initialPhaseState, type PhaseState } from '../../../src/state/phase.js';
import { appendUsage } from '../../../src/state/usage.js';
import { agent, NOW, pane, project, record } from '../ui/fixtures.js';

let dir: string;
let p: Project;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ao-view-'));
  // a custom state folder: nothing may assume state/
  p = project([agent('orchestrator', { kind: 'persistent', heal: 'heal' }), agent('builder'), agent('adversary')], {
    dir,
    configFile: join(dir, 'agents.toml'),
    stateDir: join(dir, 'run', 'ao'),
  });
  mkdirSync(p.stateDir, { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (file: string, value: unknown): void => writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
const phaseState = (over: Partial<PhaseState> = {}): PhaseState => ({ ...initialPhaseState(), ...over });
const usage = (cost: number | null) => ({ input_tokens: 100, output_tokens: 10, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: cost });

describe('readProjectView', () => {
  it('a project that never ran: everything stopped, nothing read or created', () => {
    rmSync(join(dir, 'run'), { recursive: true });
    const view = readProjectView(p, [], { now: NOW });
    expect(view.report.agents.map((a) => [a.name, a.state])).toEqual([
      ['orchestrator', 'stopped'],
      ['builder', 'stopped'],
      ['adversary', 'stopped'],
      ['watchdog', 'stopped'],
    ]);
    expect(view.report.phase).toMatchObject({ id: 'scaffold', index: 0, count: 2, status: 'in progress', gate: 'open', usage: null });
    expect(view.report.server).toBe(false);
    expect([view.note, view.failure, view.phaseStartedAt]).toEqual([null, null, null]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('every state file into one view: phase, agents, conditions, pending, exits, usage, config error, start times', () => {
    const owner = p.configFile;
    write(layout.agents(p.stateDir), {
      version: 1,
      agents: {
        orchestrator: record({ pending: { what: 'kickoff', since: NOW - 1000 } }),
        builder: record({ runId: 'run-2', restarts: 1 }),
        adversary: record({ life: { is: 'paused', until: null, why: 'usage limit, resumes 13:22' }, startedAt: new Date(NOW - 7_200_000).toISOString() }),
      },
    });
    const startedAt = new Date(NOW - 60_000).toISOString();
    write(layout.phase(p.stateDir), phaseState({ index: 1, startedAt, notConverging: true, gate: { ...initialPhaseState().gate, failStreak: 3 } }));
    write(layout.configError(p.stateDir), { at: startedAt, message: 'agents.toml:3:1: unknown key' });
    mkdirSync(join(p.stateDir, 'exits'));
    write(layout.exit(p.stateDir, 'builder'), 'run-2 7\n');
    appendUsage(p.stateDir, { time: startedAt, agent: 'builder', phase: 'feature', iteration: 1, usage: usage(0.5) });
    appendUsage(p.stateDir, { time: startedAt, agent: 'builder', phase: 'feature', iteration: 2, usage: usage(0.25) });
    appendUsage(p.stateDir, { time: startedAt, agent: 'adversary', phase: 'scaffold', iteration: 1, usage: usage(1) });

    const panes = [
      pane('p-orchestrator', { owner }),
      // tmux lost this exit status: the launcher's record of the current run has it
      pane('p-builder', { owner, dead: true, deadStatus: null }),
    ];
    const view = readProjectView(p, panes, { now: NOW });
    const { report } = view;
    expect(report.phase).toEqual({
      id: 'feature',
      index: 1,
      count: 2,
      plan: '02-feature.md',
      status: 'not converging',
      gate: 'open',
      fails_in_a_row: 3,
      usage: { input_tokens: 200, output_tokens: 20, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: 0.75, iterations: 2 },
    });
    expect(report.config_error).toBe('agents.toml:3:1: unknown key');
    expect(report.server).toBe(true);
    const byName = Object.fromEntries(report.agents.map((a) => [a.name, a]));
    expect(byName.orchestrator).toMatchObject({ state: 'running', detail: 'kickoff pending', pending: 'kickoff', usage: null });
    expect(byName.builder).toMatchObject({ state: 'dead', detail: 'exit 7', exit_status: 7, restarts: 1, usage: { iterations: 2, cost_usd: 0.75 } });
    expect(byName.adversary).toMatchObject({ state: 'paused', detail: 'usage limit, resumes 13:22', usage: { iterations: 1, cost_usd: 1 } });
    expect(view.phase.gate.failStreak).toBe(3);
    expect(view.startedAt).toEqual({ orchestrator: NOW - 3_723_000, builder: null, adversary: null, watchdog: null });
    expect(view.phaseStartedAt).toBe(NOW - 60_000);
  });

  it("an exit record of an earlier run is not this run's", () => {
    write(layout.agents(p.stateDir), { version: 1, agents: { builder: record({ runId: 'run-3' }) } });
    mkdirSync(join(p.stateDir, 'exits'));
    write(layout.exit(p.stateDir, 'builder'), 'run-2 7\n');
    const view = readProjectView(p, [pane('p-builder', { owner: p.configFile, dead: true, deadStatus: null })], { now: NOW });
    expect(view.report.agents[1]).toMatchObject({ name: 'builder', state: 'dead', detail: 'exit status lost' });
  });

  it("this process's config error wins over the watchdog's record; no phase start: the team's first start", () => {
    write(layout.configError(p.stateDir), { at: 'x', message: 'the watchdog saw this' });
    write(layout.agents(p.stateDir), { version: 1, agents: { builder: record({ startedAt: new Date(NOW - 5000).toISOString() }), orchestrator: record() } });
    const view = readProjectView(p, null, { now: NOW, configError: 'agents.toml:1:1: mine' });
    expect(view.report.config_error).toBe('agents.toml:1:1: mine');
    expect(view.report.server).toBe(false);
    expect(view.phaseStartedAt).toBe(NOW - 3_723_000);
  });

  it('corrupt state files are read around and said: agents.json from its good copy, phase.json from the journals', () => {
    const file = layout.agents(p.stateDir);
    write(`${file}.good`, { version: 1, agents: { builder: record({ restarts: 4 }) } });
    write(file, '{ torn');
    write(layout.phase(p.stateDir), '{}');
    write(layout.journal(p.stateDir, 'feature'), '## attempt 1\n');
    const view = readProjectView(p, [], { now: NOW });
    expect(view.report.agents[1]).toMatchObject({ name: 'builder', restarts: 4 });
    expect(view.report.phase.id).toBe('feature');
    expect(view.note).toMatch(/agents\.json is corrupt .*its last good copy; state file phase\.json is corrupt .*the phase its journals and reviews show/);
    expect(view.failure).toBeNull();
  });
});

describe('readProjectView through the cached StateReader', () => {
  it('the same view as a plain read, and a file is read again only when it changed', () => {
    write(layout.agents(p.stateDir), { version: 1, agents: { builder: record({ restarts: 2 }) } });
    write(layout.phase(p.stateDir), phaseState({ index: 1 }));
    appendUsage(p.stateDir, { time: 'x', agent: 'builder', phase: 'feature', iteration: 1, usage: usage(2) });
    const panes = [pane('p-builder', { owner: p.configFile })];
    const reader = new StateReader();
    const cached = readProjectView(p, panes, { now: NOW, source: reader });
    expect(cached).toEqual(readProjectView(p, panes, { now: NOW, source: plainSource }));

    const first = reader.team(p);
    expect(reader.team(p).agents).toBe(first.agents);
    expect(reader.usage(p.stateDir)).toBe(reader.usage(p.stateDir));
    write(layout.agents(p.stateDir), { version: 1, agents: { builder: record({ restarts: 3 }) } });
    appendUsage(p.stateDir, { time: 'x', agent: 'builder', phase: 'feature', iteration: 2, usage: usage(1) });
    const next = readProjectView(p, panes, { now: NOW, source: reader });
    expect(reader.team(p).agents).not.toBe(first.agents);
    expect(next.report.agents[1]).toMatchObject({ restarts: 3, usage: { iterations: 2, cost_usd: 3 } });
    expect(next.report.phase.usage).toMatchObject({ iterations: 2 });
  });

  it('a corrupt agents.json with no good copy shows the last state this reader saw', () => {
    write(layout.agents(p.stateDir), { version: 1, agents: { builder: record({ restarts: 2 }) } });
    const reader = new StateReader();
    readProjectView(p, [], { now: NOW, source: reader });
    write(layout.agents(p.stateDir), '{ torn, and longer than before');
    const view = readProjectView(p, [], { now: NOW, source: reader });
    expect(view.report.agents[1]).toMatchObject({ name: 'builder', restarts: 2 });
    expect(view.note).toMatch(/agents\.json is corrupt .*the last state seen/);
  });
});
