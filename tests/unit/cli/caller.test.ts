import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { callerOf, phaseMoveRefusal, processLineage, tmuxSocketOf, type Caller, type CallerFacts } from '../../../src/cli/caller.js';
import type { AgentSpec } from '../../../src/config/types.js';
import type { PaneInfo } from '../../../src/tmux/snapshot.js';
import { agentSpec } from '../../helpers/builders.js';

const CONFIG = '/home/me/proj/agents.toml';
const SOCKET = '/tmp/tmux-1000/ao-proj';
const agent = (name: string, mayMovePhase?: boolean): AgentSpec => agentSpec({ name, ...(mayMovePhase !== undefined ? { mayMovePhase } : {}) });
const project = { agents: [agent('builder'), agent('lead', true)], configFile: CONFIG, sessionPrefix: 'p-' };

const pane = (session: string, paneId: string, pid: number, owner: string | null = CONFIG): PaneInfo => ({
  session,
  paneId,
  pid,
  owner,
  dead: false,
  deadStatus: null,
  deadSignal: null,
  activity: null,
  created: null,
});
const PANES = [
  pane('p-builder', '%0', 100),
  pane('p-lead', '%1', 200),
  pane('p-watchdog', '%2', 300),
  pane('p-gone', '%3', 400),
  pane('other-builder', '%4', 500, '/home/me/other/agents.toml'),
  pane('mine', '%5', 600, null),
];
const facts = (over: Partial<CallerFacts>): CallerFacts => ({
  panes: PANES,
  lineage: [9999, 9000],
  tmuxPane: undefined,
  tmuxSocketPath: null,
  socketPath: SOCKET,
  ...over,
});
const builder: Caller = { kind: 'agent', name: 'builder', agent: project.agents[0]!, session: 'p-builder', ours: true };

describe('who runs a command (callerOf)', () => {
  const table: [string, Partial<CallerFacts>, Caller][] = [
    ['outside every pane, no tmux', {}, { kind: 'maintainer' }],
    ['no server on the project socket', { panes: [], tmuxPane: '%0', tmuxSocketPath: SOCKET }, { kind: 'maintainer' }],
    ["a descendant of the builder's pane process", { lineage: [9999, 9000, 100, 50] }, builder],
    ["of the builder's pane session though reparented (its session leader last)", { lineage: [9999, 1, 100] }, builder],
    ['the nearest pane wins', { lineage: [9999, 200, 100] }, { kind: 'agent', name: 'lead', agent: project.agents[1]!, session: 'p-lead', ours: true }],
    ['the process tree decides over TMUX_PANE', { lineage: [9999, 100], tmuxPane: '%1', tmuxSocketPath: SOCKET }, builder],
    ['TMUX_PANE and TMUX of the project socket, out of the process tree', { tmuxPane: '%0', tmuxSocketPath: SOCKET }, builder],
    ["TMUX_PANE %0 of the maintainer's own tmux (another socket)", { tmuxPane: '%0', tmuxSocketPath: '/tmp/tmux-1000/default' }, { kind: 'maintainer' }],
    ['TMUX_PANE without TMUX', { tmuxPane: '%0' }, { kind: 'maintainer' }],
    ['TMUX_PANE that is no pane id (a target tmux would resolve)', { tmuxPane: 'p-builder', tmuxSocketPath: SOCKET }, { kind: 'maintainer' }],
    ['TMUX_PANE naming no pane', { tmuxPane: '%9', tmuxSocketPath: SOCKET }, { kind: 'maintainer' }],
    ['a session on the socket that ao did not make', { lineage: [9999, 600] }, { kind: 'maintainer' }],
    ['the same by TMUX_PANE', { tmuxPane: '%5', tmuxSocketPath: SOCKET }, { kind: 'maintainer' }],
    ["the watchdog's session", { lineage: [9999, 300] }, { kind: 'agent', name: 'watchdog', agent: null, session: 'p-watchdog', ours: true }],
    ['a session of ours no longer in the config', { lineage: [9999, 400] }, { kind: 'agent', name: 'gone', agent: null, session: 'p-gone', ours: true }],
    [
      "another project's agent on the same socket",
      { lineage: [9999, 500] },
      { kind: 'agent', name: 'other-builder', agent: null, session: 'other-builder', ours: false },
    ],
  ];
  for (const [what, over, expected] of table) it(what, () => expect(callerOf(project, facts(over))).toEqual(expected));
});

describe('a phase move by a caller (phaseMoveRefusal)', () => {
  const table: [string, Caller, RegExp | null][] = [
    ['the maintainer moves it', { kind: 'maintainer' }, null],
    ['an agent with may_move_phase = true moves it', { kind: 'agent', name: 'lead', agent: project.agents[1]!, session: 'p-lead', ours: true }, null],
    [
      'an agent without it is refused, the agent and the key named',
      builder,
      /^ao phase next refused: .*agent builder's pane \(session p-builder\).*\[agents\.builder\].*may_move_phase = true/,
    ],
    ['may_move_phase = false', { ...builder, agent: agent('builder', false) }, /refused/],
    [
      "the watchdog's session",
      { kind: 'agent', name: 'watchdog', agent: null, session: 'p-watchdog', ours: true },
      /session p-watchdog's pane, which is no agent/,
    ],
    [
      "another project's agent, even one that may move its own project's phase",
      { kind: 'agent', name: 'other-lead', agent: agent('lead', true), session: 'other-lead', ours: false },
      /which another project made/,
    ],
  ];
  for (const [what, caller, expected] of table)
    it(what, () => {
      const refusal = phaseMoveRefusal(caller, 'ao phase next');
      if (expected === null) expect(refusal).toBeNull();
      else expect(refusal).toMatch(expected);
    });
});

describe('the facts', () => {
  it('TMUX names its socket path before the server pid and session index', () => {
    expect(tmuxSocketOf('/tmp/tmux-1000/default,1234,0')).toBe('/tmp/tmux-1000/default');
    expect(tmuxSocketOf('/tmp/a,b/sock,99,3')).toBe('/tmp/a,b/sock');
    expect(tmuxSocketOf('')).toBeNull();
    expect(tmuxSocketOf(undefined)).toBeNull();
    expect(tmuxSocketOf('junk')).toBeNull();
  });

  it('the lineage of a process is itself and its ancestors, then its session leader, even one that left the tree', async () => {
    const mine = processLineage();
    expect(mine[0]).toBe(process.pid);
    expect(mine[1]).toBe(process.ppid);
    expect(mine.length).toBeLessThanOrEqual(65);
    // a session leader (sh, detached) that starts a sleep in the background and exits: the sleep is reparented
    const leader = spawn('sh', ['-c', 'sleep 5 >/dev/null 2>&1 & echo $!'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    leader.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((r) => leader.on('exit', r));
    const sleeper = Number(out.trim());
    try {
      const theirs = processLineage(sleeper);
      expect(theirs[0]).toBe(sleeper);
      expect(theirs).not.toContain(process.pid);
      expect(theirs[theirs.length - 1]).toBe(leader.pid);
    } finally {
      process.kill(sleeper, 'SIGKILL');
    }
  });
});
