/**
 * The one start transaction (src/supervisor/start.ts): a start is counted on
 * its record only when its pane started, and a start that fails at either step
 * (the launch not planned, tmux refusing the session) puts the record back
 * as it was, marked `error`, told once per distinct error. tmux is a fake
 * runner here that answers every command but the one refused; the real
 * refusal is in tests/integration/start-failed.test.ts.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../../src/config/load.js';
import { emptyRecord, markStarted, type AgentRecord } from '../../../src/state/agents.js';
import { phaseView, initialPhaseState } from '../../../src/state/phase.js';
import { layout } from '../../../src/state/layout.js';
import { Tmux } from '../../../src/tmux/client.js';
import type { EventAction } from '../../../src/supervisor/decide.js';
import { errorRetryMs } from '../../../src/supervisor/reconcile.js';
import { lifeOf, reasonOf } from '../../../src/state/lifecycle.js';
import { timingsOf } from '../../../src/supervisor/observe.js';
import { writeProject } from '../../helpers/project-files.js';
import { makeStart, planStart, startAgent, type StartContext } from '../../../src/supervisor/start.js';

const dir = writeProject(mkdtempSync(join(tmpdir(), 'ao-start-')), {
  'agents.toml':
    '[defaults]\nbackend = "shell"\nsession_prefix = "st-"\n\n[agents.worker]\nkind = "loop"\ncommand = "true"\n\n[[phases]]\nid = "one"\nplan = "one.md"\n',
  'prompts/kickoff.md': 'go\n',
  'phases/one.md': '# one\n',
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const project = loadProject(join(dir, 'agents.toml'), { AO_TMUX_SOCKET: 'ao-start-unit' });
const worker = project.agents.find((a) => a.name === 'worker')!;
const T0 = Date.now();

/** tmux that answers everything, and refuses new-session while `refuse` is set; the commands it was asked, in order. */
function fakeTmux(refuse: { stderr: string } | null): { tmux: Tmux; asked: string[] } {
  const asked: string[] = [];
  const tmux = new Tmux('ao-start-unit', async (argv) => {
    asked.push(argv[3] ?? '');
    return argv[3] === 'new-session' && refuse ? { exitCode: 1, stdout: '', stderr: refuse.stderr } : { exitCode: 0, stdout: '', stderr: '' };
  });
  return { tmux, asked };
}

function context(tmux: Tmux, events: EventAction[], now = T0): StartContext {
  return { project, tmux, view: phaseView(project, initialPhaseState()), generation: 2, aoEntry: '/ao', env: {}, now, event: (e) => events.push(e) };
}

/** A loop that ran four iterations and died: what the decision hands the start. */
function ranBefore(): AgentRecord {
  const record = emptyRecord();
  markStarted(record, { at: T0 - 60_000, model: null, by: 'hand', run: { runId: 'run-4', conversation: null, logOffset: 10 } });
  Object.assign(record, { up: true, iteration: 4, restarts: 1, phaseGen: 1, phaseIterations: 4, deadSince: T0 - 1000, streak: 1, waitingOn: 'folder trust' });
  return record;
}

describe('startAgent', () => {
  it('a start that is made: the record counts it, its run and startedAt the pane start', async () => {
    const { tmux, asked } = fakeTmux(null);
    const events: EventAction[] = [];
    const record = ranBefore();
    const outcome = await startAgent(context(tmux, events), worker, record, { by: 'watchdog', restart: true });
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(asked).toContain('new-session');
    expect(record).toMatchObject({
      iteration: 5,
      restarts: 2,
      phaseGen: 2,
      phaseIterations: 1,
      runId: outcome.run.runId,
      life: { is: 'clear' },
      deadSince: null,
      waitingOn: null,
      lastStartError: null,
    });
    expect(outcome.run.runId).not.toBe('run-4');
    expect(Date.parse(record.startedAt!)).toBeGreaterThanOrEqual(T0);
    expect(events).toEqual([]);
  });

  it('tmux refusing the session: the record as it was, marked error and tried again; told once per distinct error', async () => {
    const { tmux } = fakeTmux({ stderr: 'command too long' });
    const events: EventAction[] = [];
    const record = ranBefore();
    const before = structuredClone(record);
    const envFiles = (): string[] => (existsSync(layout.envFiles(project.stateDir)) ? readdirSync(layout.envFiles(project.stateDir)) : []);
    const filesBefore = envFiles();
    const outcome = await startAgent(context(tmux, events), worker, record, { by: 'watchdog', restart: true });
    expect(outcome).toEqual({ ok: false, error: 'tmux new-session failed (exit 1): command too long' });
    const retryAt = T0 + errorRetryMs(timingsOf(project));
    const message = outcome.ok ? '' : outcome.error;
    expect(record).toEqual({ ...before, life: { is: 'error', retryAt, message }, lastStartError: message });
    expect(events.map((e) => `${e.agent} ${e.event}`)).toEqual(['worker start-error']);
    // the environment file the launcher would have read is gone with the start
    expect(envFiles()).toEqual(filesBefore);

    // the same refusal again: the record says so again, no second event
    const again = await startAgent(context(tmux, events, T0 + 5000), worker, record, { by: 'watchdog', restart: true });
    expect(again.ok).toBe(false);
    expect(record).toMatchObject({ iteration: 4, restarts: 1, runId: 'run-4', life: { is: 'error', retryAt: T0 + 5000 + errorRetryMs(timingsOf(project)) } });
    expect(events).toHaveLength(1);
  });

  it('a start by hand of a record that never ran: up, and error when refused; nothing counted', async () => {
    const { tmux } = fakeTmux({ stderr: 'command too long' });
    const record = { ...emptyRecord(), up: true };
    const outcome = await startAgent(context(tmux, []), worker, record, { by: 'hand', restart: false });
    expect(outcome.ok).toBe(false);
    expect(record).toMatchObject({ up: true, startedAt: null, iteration: 0, life: { is: 'error' }, deadSince: T0 });
    expect(record.runId).toBeUndefined();
  });
});

describe('planStart then makeStart (the sweep writes between them)', () => {
  it('the plan reserves the run on the record before anything starts; a refused start takes the reservation back', async () => {
    const { tmux, asked } = fakeTmux({ stderr: 'command too long' });
    const record = ranBefore();
    const before = structuredClone(record);
    const planned = planStart(context(tmux, []), worker, record, { by: 'watchdog', restart: false });
    expect(planned.ok).toBe(true);
    if (!planned.ok) return;
    expect(asked).toEqual([]);
    // what the sweep writes: the iteration this start will be, its run id
    expect(record).toMatchObject({ iteration: 5, runId: planned.start.plan.runId });
    const outcome = await makeStart(context(tmux, []), planned.start);
    expect(outcome.ok).toBe(false);
    expect(record).toMatchObject({ iteration: before.iteration, runId: 'run-4', phaseGen: 1, life: { is: 'error' } });
  });

  it('a launch that cannot be planned (its prompt gone) is marked error, with the file named', () => {
    const gone = { ...worker, prompt: join(dir, 'prompts', 'gone.md') };
    const events: EventAction[] = [];
    const record = ranBefore();
    const planned = planStart(context(fakeTmux(null).tmux, events), gone, record, { by: 'watchdog', restart: false });
    expect(planned).toEqual({ ok: false, error: 'prompts/gone.md not found' });
    expect(record).toMatchObject({ iteration: 4, life: { is: 'error', message: 'prompts/gone.md not found' } });
    expect(events.map((e) => e.reason)).toEqual([expect.stringMatching(/^error: prompts\/gone\.md not found; tried again every 5 s$/)]);
  });

  it('a working folder that is gone is no start (tmux would start the pane in another folder): error, the folder named', async () => {
    const { tmux, asked } = fakeTmux(null);
    const elsewhere = { ...worker, cwd: join(dir, 'gone') };
    const record = ranBefore();
    const outcome = await startAgent(context(tmux, []), elsewhere, record, { by: 'watchdog', restart: true });
    expect(outcome).toEqual({ ok: false, error: 'gone not found' });
    expect(asked).not.toContain('new-session');
    expect(record).toMatchObject({ iteration: 4, life: { is: 'error', message: 'gone not found' } });
  });

  it('a sandboxed agent where bubblewrap is missing or cannot run is no start (never one unsandboxed): error, the agent and the fix named', async () => {
    const sandboxed = { ...worker, sandbox: { kind: 'bwrap' as const, rw: [], ro: [] } };
    for (const bwrap of [join(dir, 'no-bwrap'), '/bin/false']) {
      const { tmux, asked } = fakeTmux(null);
      const record = ranBefore();
      const outcome = await startAgent({ ...context(tmux, []), env: { AO_BWRAP: bwrap, PATH: process.env.PATH } }, sandboxed, record, {
        by: 'watchdog',
        restart: true,
      });
      expect(outcome.ok).toBe(false);
      expect(asked).not.toContain('new-session');
      expect(record).toMatchObject({ iteration: 4, life: { is: 'error' } });
      expect(reasonOf(lifeOf(record))).toMatch(/^agent worker has sandbox = "bwrap" and ao never starts it unsandboxed: .*; install bubblewrap/);
    }
  });
});
