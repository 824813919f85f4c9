/**
 * The engine against real state files in a temp folder and a fake tmux port:
 * what it publishes, that it reads tails (never whole files), that it
 * publishes only on change, and that a broken agents.toml is shown.
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendMessage } from '../../../src/coord/inbox.js';
import type { Project } from '../../../src/config/types.js';
import { ConfigError } from '../../../src/errors.js';
import { appendEvent } from '../../../src/state/events.js';
import type { PaneInfo } from '../../../src/tmux/snapshot.js';
import { Engine, quietSince, type TmuxPort } from '../../../src/ui/engine.js';
import { initialDashState, type DashState } from '../../../src/ui/model.js';
import { createStore } from '../../../src/ui/store.js';
import { agent, NOW, pane, project, record } from './fixtures.js';
import { layout } from '../../../src/state/layout.js';

let dir: string;
let p: Project;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ao-ui-engine-'));
  p = project([agent('orchestrator', { kind: 'persistent', heal: 'heal' }), agent('builder')], {
    dir,
    configFile: join(dir, 'agents.toml'),
    stateDir: join(dir, 'state'),
  });
  writeFileSync(p.configFile, '# config\n');
  mkdirSync(p.stateDir, { recursive: true });
  writeFileSync(join(p.stateDir, 'agents.json'), JSON.stringify({ version: 1, agents: { orchestrator: record(), builder: record({ restarts: 2 }) } }));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

class FakeTmux implements TmuxPort {
  snapshots = 0;
  captures: string[] = [];
  panes: PaneInfo[] = [pane('p-orchestrator', { owner: p.configFile }), pane('p-builder', { owner: p.configFile })];
  screens: Record<string, string> = { 'p-orchestrator': 'orchestrator screen\n$ \n\n\n', 'p-builder': 'line 1\nline 2\n\n' };
  async snapshot(): Promise<PaneInfo[]> {
    this.snapshots += 1;
    return this.panes;
  }
  async capture(session: string): Promise<string | null> {
    this.captures.push(session);
    return this.screens[session] ?? null;
  }
}

function setup(options: { now?: () => number; reload?: () => Project } = {}) {
  const store = createStore(initialDashState(NOW));
  const tmux = new FakeTmux();
  let sets = 0;
  store.subscribe(() => (sets += 1));
  const engine = new Engine({ project: p, tmux, store, now: options.now ?? (() => NOW), reload: options.reload ?? null });
  return { store, tmux, engine, sets: () => sets, state: (): DashState => store.get() };
}

describe('Engine.tick', () => {
  it('one snapshot into the same report as `ao status`, the focused screen, and the files', async () => {
    appendFileSync(join(p.stateDir, 'JOURNAL-scaffold.md'), '## attempt 1\n\nGATE CLAIMED: scaffold\n');
    await appendMessage(p.stateDir, 'builder', 'maintainer', 'first\nsecond line');
    appendEvent(p.stateDir, { time: new Date(NOW).toISOString(), agent: 'builder', event: 'died', reason: 'exit 1' });
    const { engine, tmux, state } = setup();
    engine.focus('orchestrator', 'preview');
    await engine.tick();
    expect(tmux.snapshots).toBe(1);
    expect(tmux.captures).toEqual(['p-orchestrator']);
    const s = state();
    expect(s.report?.agents.map((a) => [a.name, a.state, a.restarts])).toEqual([
      ['orchestrator', 'running', 0],
      ['builder', 'running', 2],
      ['watchdog', 'stopped', 0],
    ]);
    expect(s.preview).toEqual({ agent: 'orchestrator', lines: ['orchestrator screen', '$'] });
    expect(s.journal).toEqual({ name: 'JOURNAL-scaffold.md', exists: true, lines: ['## attempt 1', 'GATE CLAIMED: scaffold'] });
    expect(s.review).toEqual({ name: 'REVIEW-scaffold.md', exists: false, lines: [] });
    expect(s.inbox).toMatchObject([{ to: 'builder', from: 'maintainer', text: 'first' }]);
    expect(s.events).toMatchObject([{ agent: 'builder', event: 'died' }]);
    expect(s.startedAt.orchestrator).toBe(NOW - 3_723_000);
    expect(s.startedAt.watchdog).toBeNull();
  });

  it("the log view: the focused agent's log, escapes removed", async () => {
    mkdirSync(layout.logs(p.stateDir));
    writeFileSync(join(p.stateDir, 'logs', 'builder.log'), 'old line\n\x1b[32mgreen\x1b[0m line\r\nprogress 10%\rprogress 100%\n');
    const { engine, tmux, state } = setup();
    engine.focus('builder', 'log');
    await engine.tick();
    expect(state().log).toEqual({ agent: 'builder', lines: ['old line', 'green line', 'progress 100%'] });
    expect(state().preview).toBeNull();
    expect(tmux.captures).toEqual([]);
  });

  it('reads tails: a 30 MB journal and a 10 MB log without a newline cost a bounded read', async () => {
    const journal = join(p.stateDir, 'JOURNAL-scaffold.md');
    const line = `${'x'.repeat(99)}\n`;
    writeFileSync(journal, line.repeat(300_000));
    appendFileSync(journal, 'the last line\n');
    mkdirSync(layout.logs(p.stateDir));
    writeFileSync(join(p.stateDir, 'logs', 'builder.log'), 'y'.repeat(10 * 1024 * 1024));
    const { engine, state } = setup();
    engine.focus('builder', 'log');
    const before = process.memoryUsage().arrayBuffers;
    await engine.tick();
    expect(state().journal.lines.length).toBeLessThanOrEqual(40);
    expect(state().journal.lines.at(-1)).toBe('the last line');
    // at most the tail's 256 KB window of the 10 MB line, not the file
    expect(state().log!.lines.join('').length).toBeLessThanOrEqual(256 * 1024);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 * 1024 * 1024);
  });

  it('publishes only when something it shows changed: a clock only when its text moves', async () => {
    let now = NOW;
    const { engine, tmux, sets, state } = setup({ now: () => now });
    // both panes last printed ten minutes ago, both agents started 1h02m ago
    const quietFor = (ms: number) => (tmux.panes = tmux.panes.map((pane) => ({ ...pane, activity: Math.floor((now - ms) / 1000) })));
    quietFor(600_000);
    await engine.tick();
    expect(sets()).toBe(1);
    // nothing it shows moves within the minute: ten ticks, nothing drawn
    for (let i = 0; i < 10; i++) {
      now += 1000;
      await engine.tick();
    }
    expect(sets()).toBe(1);
    expect(state().now).toBe(NOW);
    // a screen changes by output, which tmux records as the window's activity
    tmux.screens['p-orchestrator'] = 'something new\n';
    tmux.panes[0] = { ...tmux.panes[0]!, activity: Math.floor(now / 1000) };
    now += 1000;
    await engine.tick();
    expect(sets()).toBe(2);
    expect(state().preview?.lines).toEqual(['something new']);
    // its last activity now reads in seconds (1s, 2s): each one drawn
    now += 1000;
    await engine.tick();
    expect(sets()).toBe(3);
    // quiet again: the next change it shows is a minute on (the uptime's 1h03m, the activity's 11m)
    quietFor(600_000);
    await engine.tick();
    const quiet = sets();
    now += 30_000;
    await engine.tick();
    expect(sets()).toBe(quiet);
    now += 30_000;
    await engine.tick();
    expect(sets()).toBe(quiet + 1);
    expect(state().now).toBe(now);
    expect(engine.publishes).toBe(quiet + 1);
  });

  it('captures the preview again only when its pane printed since the last capture began', async () => {
    let now = NOW;
    const { engine, tmux, state } = setup({ now: () => now });
    const printed = (at: number, screen: string): void => {
      tmux.screens['p-orchestrator'] = screen;
      tmux.panes[0] = { ...tmux.panes[0]!, activity: Math.floor(at / 1000) };
    };
    engine.focus('orchestrator', 'preview');
    await engine.tick();
    expect(tmux.captures).toHaveLength(1);
    // quiet since (its last output 5 s before the capture): the capture stands
    now += 1000;
    await engine.tick();
    now += 1000;
    await engine.tick();
    expect(tmux.captures).toHaveLength(1);
    expect(state().preview?.lines).toEqual(['orchestrator screen', '$']);
    // it prints: the next tick captures it
    printed(now + 500, 'printed\n');
    now += 1000;
    await engine.tick();
    expect(tmux.captures).toHaveLength(2);
    expect(state().preview?.lines).toEqual(['printed']);
    // output in the very second that capture began may have come after it: captured again
    printed(now + 200, 'printed just after\n');
    now += 1000;
    await engine.tick();
    expect(tmux.captures).toHaveLength(3);
    expect(state().preview?.lines).toEqual(['printed just after']);
    // the same activity, now a whole second before the last capture began: nothing new
    now += 1000;
    await engine.tick();
    expect(tmux.captures).toHaveLength(3);
    // a respawned pane (a new pid) is captured at once, however quiet
    tmux.panes[0] = { ...tmux.panes[0]!, pid: 777 };
    tmux.screens['p-orchestrator'] = 'respawned\n';
    now += 1000;
    await engine.tick();
    expect(tmux.captures).toHaveLength(4);
    expect(state().preview?.lines).toEqual(['respawned']);
    // another agent selected: its own screen
    engine.focus('builder', 'preview');
    await engine.tick();
    expect(tmux.captures.at(-1)).toBe('p-builder');
    expect(state().preview).toEqual({ agent: 'builder', lines: ['line 1', 'line 2'] });
    // and a quiet pane is still looked at again every 10 s (a resize reflows a screen without output)
    const before = tmux.captures.length;
    for (let i = 0; i < 10; i++) {
      now += 1000;
      await engine.tick();
    }
    expect(tmux.captures.length - before).toBe(1);
  });

  it('a pane is quiet since a time only when its last output second ended by then; unknown activity never is', () => {
    expect(quietSince(100, 101_000)).toBe(true);
    expect(quietSince(100, 100_999)).toBe(false);
    expect(quietSince(null, 101_000)).toBe(false);
  });

  it('a corrupt agents.json: the error is shown and the last good state kept', async () => {
    const { engine, state } = setup();
    await engine.tick();
    writeFileSync(join(p.stateDir, 'agents.json'), '{ torn');
    await engine.tick();
    expect(state().error).toMatch(/agents\.json is corrupt/);
    expect(state().report?.agents[1]?.restarts).toBe(2);
  });

  it('an edit that breaks agents.toml shows the error; a good edit brings in the new team', async () => {
    let next: () => Project = () => {
      throw new ConfigError(p.configFile, "unknown key 'knd'", 3, 1);
    };
    const { engine, state } = setup({ reload: () => next() });
    await engine.tick();
    expect(state().report?.config_error).toBeNull();
    writeFileSync(p.configFile, '# broken edit\n');
    await engine.tick();
    expect(state().report?.config_error).toBe("agents.toml:3:1: unknown key 'knd'");
    next = () => project([...p.agents, agent('adversary')], { dir, configFile: p.configFile, stateDir: p.stateDir });
    writeFileSync(p.configFile, '# fixed, with a third agent\n');
    await engine.tick();
    expect(state().report?.config_error).toBeNull();
    expect(state().report?.agents.map((a) => a.name)).toEqual(['orchestrator', 'builder', 'adversary', 'watchdog']);
  });

  it('a project that never ran: nothing to read, nothing created', async () => {
    rmSync(p.stateDir, { recursive: true });
    const { engine, tmux, state } = setup();
    tmux.panes = [];
    await engine.tick();
    expect(state().report?.agents.every((a) => a.state === 'stopped')).toBe(true);
    expect(state().events).toEqual([]);
    expect(state().preview).toBeNull();
    expect(() => mkdirSync(p.stateDir)).not.toThrow(); // it did not exist: the engine created nothing
  });
});

describe('Engine timing', () => {
  it('start ticks at once, then on the clock; stop stops it', async () => {
    const store = createStore(initialDashState(NOW));
    const tmux = new FakeTmux();
    const engine = new Engine({ project: p, tmux, store, tickMs: 1000 });
    engine.start();
    await new Promise((r) => setTimeout(r, 80));
    expect(tmux.snapshots).toBe(1);
    // a burst of requests makes one tick, no sooner than the minimum gap
    for (let i = 0; i < 20; i++) engine.requestTick(0);
    await new Promise((r) => setTimeout(r, 250));
    expect(tmux.snapshots).toBe(2);
    engine.stop();
    engine.requestTick(0);
    await new Promise((r) => setTimeout(r, 1200));
    expect(tmux.snapshots).toBe(2);
  });
});
