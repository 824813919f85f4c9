/**
 * The whole dashboard rendered from fixed store states with ink-testing-library:
 * every agent state, the empty states, a failed agent, a complete project, a
 * config error, the keys (with recording actions) and the 80×24 fit.
 */
import { render } from 'ink-testing-library';
import stripAnsi from 'strip-ansi';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { Dashboard } from '../../../src/ui/App.js';
import type { Size } from '../../../src/ui/layout.js';
import type { DashState } from '../../../src/ui/model.js';
import { createStore } from '../../../src/ui/store.js';
import { agent, completePhase, everyState, everyStateObserved, NOW, observed, pane, project, record, recordingActions, stateFor } from './fixtures.js';

afterEach(() => cleanup());

const settle = (ms = 30): Promise<void> => new Promise((r) => setTimeout(r, ms));
const KEYS = { up: '\x1b[A', down: '\x1b[B', enter: '\r', escape: '\x1b', backspace: '\x7f' };

function mount(state: DashState, size: Size = { columns: 120, rows: 40 }, initialSelected: string | null = null) {
  const store = createStore(state);
  const rec = recordingActions();
  const app = render(<Dashboard store={store} actions={rec.actions} color={false} size={size} initialSelected={initialSelected} />);
  const frame = (): string => stripAnsi(app.lastFrame() ?? '');
  // each key waits for the frame it causes (at most 500 ms, for keys that change nothing): a loaded machine
  // must not make a key land before the last one was drawn
  const press = async (...keys: string[]): Promise<void> => {
    await settle(); // ink subscribes to input in an effect after its first frame
    for (const key of keys) {
      const before = app.frames.length;
      app.stdin.write(key);
      for (let i = 0; i < 50 && app.frames.length === before; i++) await settle(10);
      await settle(10);
    }
  };
  return { ...app, store, ...rec, frame, press };
}

const team = project([agent('orchestrator', { kind: 'persistent', heal: 'heal', model: 'opus' }), agent('builder'), agent('adversary')]);
const running = (): DashState =>
  stateFor(
    team,
    observed({
      server: true,
      panes: [pane('p-orchestrator'), pane('p-builder'), pane('p-adversary'), pane('p-watchdog')],
      agents: { version: 1, agents: { orchestrator: record(), builder: record(), adversary: record(), watchdog: record() } },
    }),
  );

describe('what a person sees', () => {
  it('the phase header and one row per agent, the watchdog last', () => {
    const { frame } = mount(running());
    const lines = frame().split('\n');
    expect(lines[0]).toBe('demo-team · phase: scaffold [1/2] plan=01-scaffold.md (in progress) · in phase 1h30m');
    expect(lines[1]).toMatch(/^ {2}NAME +KIND +BACKEND +MODEL +HEAL +STATE +UP +RST +ITER +ACTIVE$/);
    expect(lines[2]).toMatch(/^> orchestrator +persistent +claude +claude-opus-4-8 +heal +RUNNING +1h02m +0 +- +5s$/);
    expect(lines[3]).toMatch(/^ {2}builder +loop +claude +claude-sonnet-4-6 +heal\+stall +RUNNING +1h02m +0 +3 +5s$/);
    expect(lines[5]).toMatch(/^ {2}watchdog +service +- +- +- +RUNNING/);
    expect(frame()).toContain('screen: orchestrator');
    expect(frame()).toContain('journal');
    expect(frame()).toContain('review');
    expect(frame()).toContain('inboxes');
    expect(frame()).toContain('events');
    expect(frame()).toMatch(/r restart · s stop · m message · p phase · l log · \? help · q quit/);
  });

  it('each agent state, labelled as `ao status` labels it', () => {
    const { frame } = mount(stateFor(everyState, everyStateObserved()));
    const row = (name: string): string =>
      frame()
        .split('\n')
        .find((l) => l.slice(2).startsWith(`${name} `)) ?? '';
    expect(row('runner')).toContain('RUNNING');
    expect(row('waiter')).toContain('WAITING (asks for input)');
    expect(row('staller')).toContain('STALLED 14m');
    expect(row('idle')).toMatch(/STOPPED +- +0 +- +-/);
    expect(row('corpse')).toContain('DEAD (exit 3)');
    expect(row('retrier')).toContain('BACKOFF (restart in 7s)');
    expect(row('broken')).toContain('FAILED (crash loop');
  });

  it('before the first tick: says it is reading', () => {
    const { frame } = mount({ ...running(), report: null });
    const [header, ...body] = frame().split('\n');
    expect(header).toContain('ao dash: reading the team…');
    // the preview says so too, not only the header
    expect(body.join('\n')).toContain('reading the team…');
  });

  it('a team that never ran: every agent stopped, and how to start it; empty journal, review, inboxes and events', () => {
    const { frame } = mount(stateFor(team, observed(), { phaseStartedAt: null }));
    expect(frame().split('\n')[0]).toBe('demo-team · phase: scaffold [1/2] plan=01-scaffold.md (in progress) · no tmux server');
    expect(frame()).toMatch(/orchestrator +persistent .* STOPPED/);
    expect(frame()).toContain('the team is not running: s starts orchestrator, `ao up`');
    expect(frame()).toContain('nothing written yet');
    expect(frame()).toContain('no messages');
    expect(frame()).toContain('no events yet');
    expect(frame()).toContain('s start ·');
  });

  it('a failed agent: red in the table, and its reason where its screen would be', async () => {
    const { frame, press } = mount(stateFor(everyState, everyStateObserved()), undefined, 'broken');
    expect(frame()).toMatch(/^> broken .* FAILED \(crash loop/m);
    expect(frame()).toContain('broken is failed (crash loop: 5 starts died within 300 s): s star');
    await press(KEYS.up);
    expect(frame()).toContain('retrier died; the watchdog starts it again (restart in 7s)');
    await press(KEYS.up);
    expect(frame()).toContain('screen: corpse (dead: exit 3)');
    expect(frame()).toContain('corpse is dead (exit 3): r restarts it');
  });

  it('a complete project: the header says so, and the stopped loops say why', () => {
    const state = stateFor(
      team,
      observed({
        server: true,
        panes: [pane('p-orchestrator')],
        phase: completePhase(),
        agents: { version: 1, agents: { orchestrator: record(), builder: record({ up: false }) } },
      }),
    );
    const { frame } = mount(state, undefined, 'builder');
    expect(frame().split('\n')[0]).toContain('phase: feature [2/2] plan=02-feature.md (complete)');
    expect(frame()).toContain('builder is stopped: the project is complete');
  });

  it('a config error: a banner with the error, above the team the watchdog still runs', () => {
    const state = stateFor(team, observed({ configError: 'agents.toml:7:1: unknown key \'knd\' in [agents.builder]\n  knd = "loop"\n  ^' }));
    const { frame } = mount(state);
    const lines = frame().split('\n');
    expect(lines[1]).toBe('config error: agents.toml does not validate; the last good config keeps running');
    expect(lines[2]).toBe("agents.toml:7:1: unknown key 'knd' in [agents.builder]");
    expect(frame()).toContain('orchestrator');
  });

  it("the selected agent's screen, the coordination tails and the events", () => {
    const state: DashState = {
      ...running(),
      preview: { agent: 'orchestrator', lines: ['$ working on it', 'step 3 of 7'] },
      journal: { name: 'JOURNAL-scaffold.md', exists: true, lines: ['## attempt 1', 'GATE CLAIMED: scaffold'] },
      review: { name: 'REVIEW-scaffold.md', exists: true, lines: ['VERDICT: FAIL scaffold'] },
      inbox: [{ to: 'builder', from: 'maintainer', time: new Date(NOW).toISOString(), text: 'look at the tests' }],
      events: [{ time: new Date(NOW).toISOString(), agent: 'builder', event: 'died', reason: 'exit 1' }],
    };
    const { frame } = mount(state);
    for (const text of [
      'step 3 of 7',
      'JOURNAL-scaffold.md',
      'GATE CLAIMED: scaffold',
      'VERDICT: FAIL scaffold',
      'maintainer→builder: look at the tests',
      'builder       died            exit 1',
    ]) {
      expect(frame()).toContain(text);
    }
  });

  it('what an action said, and what the engine could not read', () => {
    expect(mount({ ...running(), notice: { text: 'builder: restarted (pid 77)', tone: 'info' } }).frame()).toContain('builder: restarted (pid 77)');
    expect(mount({ ...running(), error: 'state file agents.json is corrupt' }).frame()).toContain('state file agents.json is corrupt');
  });

  it('follows the store: a new state is a new frame', async () => {
    const { frame, store } = mount(running());
    expect(frame()).toContain('RUNNING');
    store.set(stateFor(team, observed()));
    await settle();
    expect(frame()).not.toContain('RUNNING');
    expect(frame()).toContain('STOPPED');
  });
});

describe('keys', () => {
  it('up and down select; the preview follows the selection', async () => {
    const { frame, press, calls } = mount(running());
    await press(KEYS.down);
    expect(frame()).toMatch(/^> builder/m);
    expect(frame()).toContain('screen: builder');
    await press(KEYS.down, KEYS.down, KEYS.down);
    expect(frame()).toMatch(/^> watchdog/m);
    await press(KEYS.up);
    expect(frame()).toMatch(/^> adversary/m);
    expect(calls.filter((c) => c[0] === 'focus').map((c) => c[1])).toEqual(['orchestrator', 'builder', 'adversary', 'watchdog', 'adversary']);
  });

  it('r restarts and s stops the selected agent; s starts one that is not running', async () => {
    const { press, calls } = mount(running());
    await press(KEYS.down, 'r', 's');
    expect(calls.filter((c) => c[0] !== 'focus')).toEqual([
      ['restart', 'builder'],
      ['toggle', 'builder', 'stop'],
    ]);
    const stopped = mount(stateFor(team, observed()));
    await stopped.press('s');
    expect(stopped.calls.filter((c) => c[0] === 'toggle')).toEqual([['toggle', 'orchestrator', 'start']]);
  });

  it('enter and a attach to the selected agent', async () => {
    const { press, calls } = mount(running());
    await press(KEYS.down, KEYS.enter, 'a');
    expect(calls.filter((c) => c[0] === 'attach')).toEqual([
      ['attach', 'builder'],
      ['attach', 'builder'],
    ]);
  });

  it('m opens a text input; enter sends the typed message to the selected agent', async () => {
    const { frame, press, calls } = mount(running());
    await press(KEYS.down, 'm');
    expect(frame()).toContain('message to builder:');
    expect(frame()).toContain('enter send · esc cancel');
    await press('please ', 'rerun', 'x', KEYS.backspace, ' the tests');
    expect(frame()).toContain('message to builder: please rerun the tests');
    // letters that are keys elsewhere are text here
    expect(calls.filter((c) => c[0] === 'restart')).toEqual([]);
    await press(KEYS.enter);
    expect(calls.filter((c) => c[0] === 'send')).toEqual([['send', 'builder', 'please rerun the tests']]);
    expect(frame()).not.toContain('message to builder:');
  });

  it('esc cancels the message', async () => {
    const { frame, press, calls } = mount(running());
    await press('m', 'never mind', KEYS.escape);
    await settle(50);
    expect(frame()).not.toContain('message to');
    expect(calls.filter((c) => c[0] === 'send')).toEqual([]);
  });

  it('p asks for a confirmation; y advances, n does not', async () => {
    const { frame, press, calls } = mount(running());
    await press('p');
    expect(frame()).toContain('advance from scaffold [1/2] to the next phase [2/2]? [y/N]');
    await press('n');
    expect(frame()).not.toContain('[y/N]');
    expect(calls.filter((c) => c[0] === 'advance')).toEqual([]);
    await press('p', 'y');
    expect(calls.filter((c) => c[0] === 'advance')).toEqual([['advance']]);
  });

  it('? shows the help; any key closes it', async () => {
    const { frame, press, calls } = mount(running());
    await press('?');
    expect(frame()).toContain('keys');
    expect(frame()).toContain("attach to the agent's session");
    await press('q');
    expect(frame()).not.toContain("attach to the agent's session");
    expect(calls.filter((c) => c[0] === 'quit')).toEqual([]);
  });

  it("l shows the agent's log instead of its screen, and asks the engine for it", async () => {
    const state = { ...running(), log: { agent: 'orchestrator', lines: ['line one of the log', 'line two'] } };
    const { frame, press, calls } = mount(state);
    await press('l');
    expect(frame()).toContain('log: orchestrator');
    expect(frame()).toContain('line two');
    expect(calls.at(-1)).toEqual(['focus', 'orchestrator', 'log']);
    await press('l');
    expect(frame()).toContain('screen: orchestrator');
  });

  it('q quits', async () => {
    const { press, calls } = mount(running());
    await press('q');
    expect(calls.filter((c) => c[0] === 'quit')).toEqual([['quit']]);
  });
});

describe('80×24', () => {
  const fits = (frame: string, size: Size): void => {
    const lines = frame.split('\n');
    expect(lines.length).toBeLessThanOrEqual(size.rows);
    for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(size.columns);
  };

  it.each([
    ['every state', () => stateFor(everyState, everyStateObserved())],
    ['a team that never ran', () => stateFor(team, observed())],
    [
      'long lines everywhere and a config error',
      () =>
        stateFor(
          everyState,
          { ...everyStateObserved(), configError: `agents.toml:1:1: ${'x'.repeat(200)}\nsecond line\nthird line\nfourth line` },
          {
            preview: { agent: 'runner', lines: Array.from({ length: 60 }, (_, i) => `${i} ${'y'.repeat(300)}`) },
            journal: { name: 'JOURNAL-scaffold.md', exists: true, lines: Array.from({ length: 40 }, () => 'j'.repeat(500)) },
            events: Array.from({ length: 40 }, (_, i) => ({ time: new Date(NOW).toISOString(), agent: `a${i}`, event: 'died', reason: 'r'.repeat(300) })),
          },
        ),
    ],
  ])('%s: no line wider than 80 columns, no more than 24 rows', async (_name, make) => {
    const size = { columns: 80, rows: 24 };
    const { frame, press } = mount(make(), size);
    fits(frame(), size);
    await press('?');
    fits(frame(), size);
    await press('x', 'l');
    fits(frame(), size);
    await press('l', 'm', 'z'.repeat(120));
    fits(frame(), size);
  });

  it('twenty agents at 80×24: the table scrolls to keep the selection in view', async () => {
    const many = project(Array.from({ length: 20 }, (_, i) => agent(`agent${String(i + 1).padStart(2, '0')}`)));
    const { frame, press } = mount(stateFor(many, observed()), { columns: 80, rows: 24 });
    for (let i = 0; i < 15; i++) await press(KEYS.down);
    expect(frame()).toMatch(/^> agent16/m);
    // arrows on the first and last rows say that more agents are above and below
    expect(frame()).toMatch(/^↑ agent13/m);
    expect(frame()).toMatch(/^↓ agent19/m);
    fits(frame(), { columns: 80, rows: 24 });
  });
});
