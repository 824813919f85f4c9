import { describe, expect, it } from 'vitest';
import type { Fleet, FleetHost, FleetProject } from '../../../src/config/fleet.js';
import type { FleetEntryStatus } from '../../../src/cli/commands/fleet-status.js';
import type { Io } from '../../../src/cli/io.js';
import type { StatusReport } from '../../../src/supervisor/status.js';
import { fleetCard, remoteTeamView } from '../../../src/web/fleet-view.js';
import { fleetPage } from '../../../src/web/fleet-page.js';
import { FleetWatch, readingGroups } from '../../../src/web/fleet-watch.js';
import { teamPage } from '../../../src/web/pages.js';
import { fleetSite } from '../../../src/web/paths.js';

const host = (name: string): FleetHost => ({ name, destination: `me@${name}`, ssh: ['ssh'], ao: 'ao' });

function entry(name: string, on: FleetHost | null = null, index = 0): FleetProject {
  return { name, dir: `/srv/${name}`, configFile: `/srv/${name}/agents.toml`, enabled: true, tmuxSocket: null, sessionPrefix: null, index, host: on };
}

const [h1, h2] = [host('h1'), host('h2')];
const projects = [entry('a'), entry('r1', h1, 1), entry('b', null, 2), entry('r2', h1, 3), entry('s', h2, 4)];
const fleet: Fleet = { file: '/srv/fleet.toml', dir: '/srv', source: '', projects, hosts: [h1, h2], timeoutMs: 10_000 };
const io = {} as Io;

function report(project: string, states: string[] = ['running']): StatusReport {
  return {
    project,
    complete: false,
    phase: { id: 'one', index: 0, count: 2, plan: 'one.md', status: 'in progress', gate: 'open', fails_in_a_row: 0, usage: null },
    config_error: null,
    server: true,
    agents: states.map((state, i) => ({
      name: `agent${i}`,
      session: `p-agent${i}`,
      kind: 'persistent',
      backend: 'shell',
      model: null,
      fallback: false,
      heal: 'heal',
      enabled: true,
      state,
      detail: null,
      pid: 100 + i,
      exit_status: null,
      restarts: 0,
      iteration: 1,
      last_activity: null,
      up: true,
      waiting_on: null,
      pending: null,
      usage: { iterations: 1, cost_usd: 0.5 },
    })) as StatusReport['agents'],
  };
}

/** A fake read of the fleet: each call recorded, held until released. */
function fakeRead() {
  const calls: { names: string[]; release: (fail?: Error) => void }[] = [];
  const read = (_fleet: Fleet, entries: readonly FleetProject[]): Promise<FleetEntryStatus[]> =>
    new Promise((resolve, reject) => {
      calls.push({
        names: entries.map((e) => e.name),
        release: (fail) =>
          fail ? reject(fail) : resolve(entries.map((e) => ({ entry: e, report: report(e.name), error: null, healthy: true, reachable: true }))),
      });
    });
  return { calls, read };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('the fleet watch', () => {
  it('reads the local projects together and each host’s together', () => {
    expect(readingGroups(projects).map((g) => [g.key, g.entries.map((e) => e.name)])).toEqual([
      ['local', ['a', 'b']],
      ['host h1', ['r1', 'r2']],
      ['host h2', ['s']],
    ]);
  });

  it('never has two reads of a group at once, and reads a host no sooner than its gap', async () => {
    let now = 0;
    const { calls, read } = fakeRead();
    const watch = new FleetWatch(fleet, io, read, { now: () => now });
    const first = watch.look();
    await settle();
    expect(calls.map((c) => c.names)).toEqual([['a', 'b'], ['r1', 'r2'], ['s']]);
    for (const c of calls) c.release();
    const seen = await first;
    expect(seen.map((s) => [s.entry.name, s.seen?.report?.project])).toEqual(projects.map((p) => [p.name, p.name]));

    now = 1500; // past the local gap (1 s), within a host's (2 s)
    await watch.look();
    await settle();
    expect(calls.slice(3).map((c) => c.names)).toEqual([['a', 'b']]);
    calls[3]!.release();
    await settle();

    now = 5000; // every gap passed; a host that takes long is not asked again while its call is out
    const looks = [watch.look(), watch.look(), watch.look()];
    const one = watch.project('r1');
    await settle();
    expect(calls.slice(4).map((c) => c.names)).toEqual([['a', 'b'], ['r1', 'r2'], ['s']]);
    // known projects are answered from what is known, without waiting for the slow host
    const answered = await Promise.all(looks);
    expect(answered[0]!.find((s) => s.entry.name === 'r1')?.seen?.reachable).toBe(true);
    expect(watch.reads.get('host h1')).toBe(2);
    for (const c of calls.slice(4)) c.release();
    expect((await one)?.report?.project).toBe('r1');
  });

  it('waits for every read under way when asked for the newest, and a read that failed whole is each project’s error', async () => {
    const { calls, read } = fakeRead();
    const watch = new FleetWatch(fleet, io, read, { now: () => 0 });
    const all = watch.look('all');
    await settle();
    calls[0]!.release(new Error('tmux is gone'));
    for (const c of calls.slice(1)) c.release();
    const seen = await all;
    expect(seen.find((s) => s.entry.name === 'a')?.seen).toMatchObject({ report: null, error: 'tmux is gone', healthy: false });
    expect(seen.find((s) => s.entry.name === 's')?.seen?.healthy).toBe(true);
    expect(await watch.project('nope')).toBeNull();
  });
});

describe('the fleet page', () => {
  it('says for each project where it runs and how it stands', () => {
    const ok = fleetCard({ entry: projects[0]!, report: report('a', ['running', 'waiting']), error: null, healthy: true, reachable: true });
    expect(ok).toMatchObject({ name: 'a', where: 'local', href: '/p/a/', state: 'healthy', phase: 'phase: one [1/2] plan=one.md (in progress)' });
    expect(ok.summary).toBe('1 running, 1 waiting, 0 paused, 0 failed · watchdog stopped · cost $1.00');
    const down = fleetCard({ entry: projects[1]!, report: null, error: 'host "h1" (me@h1): Connection refused', healthy: false, reachable: false });
    expect(down).toMatchObject({ where: 'h1', state: 'unreachable', phase: null, summary: 'unreachable', error: 'host "h1" (me@h1): Connection refused' });
    expect(fleetCard({ entry: projects[2]!, report: null, error: 'config error', healthy: false, reachable: true }).state).toBe('error');
    expect(fleetCard({ entry: projects[2]!, report: report('b', ['failed']), error: null, healthy: false, reachable: true }).state).toBe('unhealthy');
    expect(fleetCard({ name: 's', host: 'h2', enabled: true })).toMatchObject({ state: 'asking', summary: 'asking host h2…' });
  });

  it('shows names and errors as text', async () => {
    const odd = { ...entry('<img src=x onerror=alert(1)>'), host: null };
    const card = fleetCard({ entry: odd, report: null, error: '\x1b]52;c;eA==\x07<script>x()</script>', healthy: false, reachable: true });
    const page = String(await fleetPage('fleet.toml', [card]));
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('<script>x');
    expect(page).not.toContain('\x1b');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('href="/p/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E/"');
  });

  it('shows a remote team from its status: its agents, the current phase only', () => {
    const v = remoteTeamView(report('far', ['running', 'paused']));
    expect(v.phases).toEqual([{ id: 'one', at: 'current' }]);
    expect(v.agents.map((a) => [a.name, a.cells.state, a.cells.pid])).toEqual([
      ['agent0', 'RUNNING', '100'],
      ['agent1', 'PAUSED', '101'],
    ]);
  });

  it('renders a remote team without agent pages or events, with what to run on its host and its actions', async () => {
    const page = String(await teamPage(remoteTeamView(report('far')), [], fleetSite('far'), { name: 'far', host: 'h1' }));
    expect(page).toContain('data-page="remote"');
    expect(page).toContain('data-base="/p/far"');
    expect(page).toContain('<a href="/">fleet</a>');
    expect(page).not.toContain('/agents/');
    expect(page).not.toContain('id="events"');
    expect(page).toContain('ao fleet run far -- attach AGENT');
    expect(page).toMatch(/<select id="message-to" name="agent">\s*<option value="agent0">agent0<\/option>/);
    expect(page).toContain('data-action="restart" data-agent="agent0"');
    expect(page).toContain('data-action="phase-next"');
    expect(page).toMatch(/data-agent="agent0"[\s\S]*RUNNING/);
    const local = String(await teamPage(remoteTeamView(report('near')), [], fleetSite('near')));
    expect(local).toContain('<a href="/p/near/agents/agent0">agent0</a>');
    expect(local).toContain('data-page="team"');
  });
});
