/**
 * The fleet list from fixed store states with ink-testing-library: one block
 * per project, the keys (with recording actions), and escape in a project's
 * dashboard going back to the list.
 */
import type { Key } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import stripAnsi from 'strip-ansi';
import { afterEach, describe, expect, it } from 'vitest';
import { fleetRows } from '../../../src/cli/commands/dash-fleet.js';
import type { FleetEntryStatus } from '../../../src/cli/commands/fleet-status.js';
import { buildStatus } from '../../../src/supervisor/status.js';
import { Dashboard } from '../../../src/ui/App.js';
import { FleetDashboard } from '../../../src/ui/fleet/FleetApp.js';
import { handleFleetKey } from '../../../src/ui/fleet/keys.js';
import { initialFleetState, type FleetRow, type FleetState } from '../../../src/ui/fleet/model.js';
import { createStore } from '../../../src/ui/store.js';
import { agent, observed, pane, project, recordingActions, record, stateFor } from './fixtures.js';

afterEach(() => cleanup());
const settle = (ms = 30): Promise<void> => new Promise((r) => setTimeout(r, ms));
const KEYS = { down: '\x1b[B', up: '\x1b[A', enter: '\r', escape: '\x1b' };

const row = (name: string, over: Partial<FleetRow> = {}): FleetRow => ({
  name,
  where: `teams/${name}`,
  enabled: true,
  phase: 'phase: scaffold [1/3] plan=01-scaffold.md (in progress)',
  summary: '3 running, 0 waiting, 0 paused, 0 failed · watchdog running',
  healthy: true,
  error: null,
  ...over,
});

function mount(state: FleetState) {
  const store = createStore(state);
  const calls: string[][] = [];
  const app = render(
    <FleetDashboard
      store={store}
      actions={{ open: (p) => void calls.push(['open', p]), quit: () => void calls.push(['quit']) }}
      color={false}
      size={{ columns: 100, rows: 20 }}
    />,
  );
  const frame = (): string => stripAnsi(app.lastFrame() ?? '');
  const press = async (...keys: string[]): Promise<void> => {
    for (const key of keys) {
      app.stdin.write(key);
      await settle();
    }
  };
  return { store, calls, frame, press };
}

describe('the fleet list', () => {
  it('one block per project: name and folder, phase, summary; the disabled one says so', () => {
    const { frame } = mount({
      ...initialFleetState('fleet.toml'),
      rows: [
        row('web'),
        row('api', { healthy: false, summary: '1 running, 0 waiting, 0 paused, 2 failed · watchdog running' }),
        row('staged', { enabled: false, summary: '0 running, 0 waiting, 0 paused, 0 failed · 3 stopped · watchdog stopped' }),
      ],
    });
    const lines = frame().split('\n');
    expect(lines[0]).toBe('ao fleet · fleet.toml · 3 projects · 1 unhealthy');
    expect(lines.slice(1, 4)).toEqual([
      '› web (teams/web)',
      '    phase: scaffold [1/3] plan=01-scaffold.md (in progress)',
      '    3 running, 0 waiting, 0 paused, 0 failed · watchdog running',
    ]);
    expect(lines[4]).toBe('  api (teams/api)');
    expect(lines[6]).toBe('    1 running, 0 waiting, 0 paused, 2 failed · watchdog running');
    expect(lines[7]).toBe('  staged (teams/staged) disabled');
    expect(frame()).toContain('⏎ open its dashboard (esc there comes back) · q quit');
  });

  it('before the first read, and a fleet of none', () => {
    expect(mount(initialFleetState('fleet.toml')).frame()).toContain('reading the fleet…');
    expect(mount({ ...initialFleetState('fleet.toml'), rows: [] }).frame()).toContain('no projects in the fleet file (ao fleet add PATH)');
  });

  it('a project that cannot be read shows its config error', () => {
    const { frame } = mount({
      ...initialFleetState('f.toml'),
      rows: [row('broken', { phase: null, healthy: false, summary: 'cannot be read', error: 'agents.toml:3:1: agents.b.heal: expected one of none' })],
    });
    expect(frame()).toContain('    config error: agents.toml:3:1: agents.b.heal: expected one of none');
  });

  it('down and enter open the second project; q quits', async () => {
    const { calls, frame, press } = mount({ ...initialFleetState('fleet.toml'), rows: [row('web'), row('api')] });
    await press(KEYS.down);
    expect(frame()).toContain('› api (teams/api)');
    await press(KEYS.enter, 'q');
    expect(calls).toEqual([['open', 'api'], ['quit']]);
  });
});

describe('handleFleetKey', () => {
  const none = { upArrow: false, downArrow: false, return: false, escape: false, ctrl: false, home: false, end: false } as Key;
  const names = ['a', 'b', 'c'];
  it('moves within the list, keeps a gone selection on the first, and opens only a project', () => {
    expect(handleFleetKey('a', '', { ...none, upArrow: true }, names).selected).toBe('a');
    expect(handleFleetKey('c', 'j', none, names).selected).toBe('c');
    expect(handleFleetKey('gone', '', { ...none, return: true }, names).effect).toEqual({ type: 'open', project: 'a' });
    expect(handleFleetKey(null, '', { ...none, return: true }, []).effect).toBeUndefined();
    expect(handleFleetKey('b', '', { ...none, end: true }, names).selected).toBe('c');
  });
});

describe("a project's dashboard opened from the fleet", () => {
  const team = project([agent('builder')]);
  const state = stateFor(team, observed({ server: true, panes: [pane('p-builder')], agents: { version: 1, agents: { builder: record() } } }));

  it('escape calls back, and the footer says so; without a fleet escape does nothing', async () => {
    for (const fromFleet of [true, false]) {
      const rec = recordingActions();
      const back: string[] = [];
      const actions = fromFleet ? { ...rec.actions, back: () => void back.push('back') } : rec.actions;
      const app = render(<Dashboard store={createStore(state)} actions={actions} color={false} size={{ columns: 120, rows: 30 }} />);
      expect(stripAnsi(app.lastFrame() ?? '').includes('esc fleet')).toBe(fromFleet);
      await settle(); // ink subscribes to input in an effect after its first frame: a key before that is lost
      app.stdin.write(KEYS.escape);
      // a loaded machine takes its time to deliver the key: wait for it (bounded), and as long for nothing to happen
      for (let i = 0; i < 50 && back.length === 0; i++) await settle(10);
      expect(back).toEqual(fromFleet ? ['back'] : []);
      expect(rec.calls.filter(([name]) => name === 'quit')).toEqual([]);
    }
  });
});

describe('fleetRows', () => {
  it("each project's phase header and summary, as ao fleet status prints them", () => {
    const team = project([agent('builder'), agent('adversary')]);
    const report = buildStatus(team, observed({ server: true, panes: [pane('p-builder')], agents: { version: 1, agents: { builder: record({ up: true }) } } }));
    const entry = { name: 'web', dir: '/f/web', configFile: '/f/web/agents.toml', enabled: true, tmuxSocket: null, sessionPrefix: null, index: 0, host: null };
    const seen: FleetEntryStatus[] = [
      { entry, report, error: null, healthy: true, reachable: true },
      {
        entry: { ...entry, name: 'gone', dir: '/f/gone', enabled: false },
        report: null,
        error: 'gone/agents.toml: cannot read\nmore',
        healthy: false,
        reachable: true,
      },
    ];
    expect(fleetRows(seen, '/f')).toEqual([
      {
        name: 'web',
        where: 'web',
        enabled: true,
        phase: expect.stringMatching(/^phase: scaffold \[1\/\d\]/),
        summary: '1 running, 0 waiting, 0 paused, 0 failed · 1 stopped · watchdog stopped',
        healthy: true,
        error: null,
      },
      { name: 'gone', where: 'gone', enabled: false, phase: null, summary: 'cannot be read', healthy: false, error: 'gone/agents.toml: cannot read' },
    ]);
  });

  it('a project on another host: where it is as host:path, its report as read there, or unreachable with the reason', () => {
    const team = project([agent('builder')]);
    const report = buildStatus(team, observed({ server: true, panes: [pane('p-builder')], agents: { version: 1, agents: { builder: record({ up: true }) } } }));
    const host = { name: 'gpu', destination: 'me@gpu', ssh: ['ssh'], ao: 'ao' };
    const entry = { name: 'ml', dir: '/srv/ml', configFile: '/srv/ml/agents.toml', enabled: true, tmuxSocket: null, sessionPrefix: null, index: 0, host };
    const rows = fleetRows(
      [
        { entry, report, error: null, healthy: true, reachable: true },
        { entry: { ...entry, name: 'down' }, report: null, error: 'no answer from host "gpu" within 10 s', healthy: false, reachable: false },
      ],
      '/f',
    );
    expect(rows.map((r) => [r.name, r.where, r.summary, r.healthy, r.error])).toEqual([
      ['ml', 'gpu:/srv/ml', '1 running, 0 waiting, 0 paused, 0 failed · watchdog stopped', true, null],
      ['down', 'gpu:/srv/ml', 'unreachable', false, 'no answer from host "gpu" within 10 s'],
    ]);
  });
});
