/**
 * Who did it (issue 21, item 4): a command run inside one of the project's
 * agent panes is that agent's, whatever AO_AGENT says. A phase move from an
 * agent's pane is refused unless the agent may move the phase; the events and
 * messages name who did it; the maintainer, outside every pane or inside a
 * pane of another tmux server, is the maintainer. Real tmux, private sockets.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AO, endLeftovers, eventsOf, killServerAndSocket, team, tmux, uniqueSocket, waitFor, type Ao, type Team } from '../helpers/ao.js';

interface PhaseJson {
  id: string;
  index: number;
}

const phaseOf = async (ao: Ao): Promise<PhaseJson> => JSON.parse((await ao('phase', 'status', '--json')).stdout) as PhaseJson;
const inboxOf = async (ao: Ao, agent: string): Promise<{ from: string; text: string }[]> =>
  JSON.parse((await ao('inbox', agent, '--json')).stdout) as { from: string; text: string }[];

/**
 * A shell agent whose command runs shell lines (`ao` in them is the built CLI on the project)
 * with AO_AGENT=maintainer, each one's output and exit code in `name.N.out` / `name.N.code`,
 * then touches `name.done` and sleeps.
 */
function runner(name: string, dir: string, socket: string, lines: string[], extra = ''): string {
  const steps = lines.map((line, i) => `${line.replace(/\bao\b/, '$AO')} >${dir}/${name}.${i}.out 2>&1; echo $? >${dir}/${name}.${i}.code`);
  const script = `cd ${dir}; export AO_TMUX_SOCKET=${socket} AO_AGENT=maintainer; AO="${process.execPath} ${AO} -c ${dir}/agents.toml"; ${steps.join('; ')}; touch ${dir}/${name}.done; exec sleep 100000`;
  return `[agents.${name}]\nkind = "persistent"\ncommand = "sh"\nargs = ["-c", ${JSON.stringify(script)}]\n${extra}\n`;
}

const PHASES = '[[phases]]\nid = "one"\nplan = "one.md"\n\n[[phases]]\nid = "two"\nplan = "two.md"\n\n[[phases]]\nid = "three"\nplan = "three.md"\n';
const FILES = { 'prompts/kickoff.md': 'go\n', 'phases/one.md': '# one\n', 'phases/two.md': '# two\n', 'phases/three.md': '# three\n' };

/** A team on its own socket whose agents.toml (which names its folder and socket) is written once the folder exists. */
function whoTeam(tag: string, agents: (dir: string, socket: string) => string): Team {
  const t = team(tag, FILES);
  writeFileSync(join(t.dir, 'agents.toml'), `[defaults]\nbackend = "shell"\n\n${agents(t.dir, t.socket)}\n${PHASES}`);
  teams.push(t);
  return t;
}

const teams: Team[] = [];
afterAll(async () => {
  for (const t of teams) {
    await t.cleanup();
    endLeftovers(t.socket);
  }
});

/** The outcome of the Nth command of a runner agent, once it has run them all. */
async function outcome(dir: string, name: string, n: number): Promise<{ code: number; out: string }> {
  await waitFor(async () => existsSync(join(dir, `${name}.done`)), 30_000);
  return { code: Number(readFileSync(join(dir, `${name}.${n}.code`), 'utf8').trim()), out: readFileSync(join(dir, `${name}.${n}.out`), 'utf8') };
}

const SLEEPER = '[agents.sleeper]\nkind = "persistent"\ncommand = "sleep"\nargs = ["100000"]\n';

describe('who did it (real tmux)', () => {
  it("an agent's pane: ao phase next is refused and the phase stays; ao send is from the agent and ao restart by it, whatever AO_AGENT says", async () => {
    const { ao, dir } = whoTeam(
      'who-refused',
      (d, s) =>
        runner('mover', d, s, ['ao phase next', 'ao send sleeper from-the-pane', 'ao restart sleeper', 'env -u TMUX -u TMUX_PANE ao phase set two']) + SLEEPER,
    );
    expect((await ao('up', 'sleeper', 'mover', '--no-watchdog')).code).toBe(0);
    const phase = await outcome(dir, 'mover', 0);
    expect(phase.code).toBe(2);
    expect(phase.out).toMatch(/ao phase next refused: .*agent mover's pane .*\[agents\.mover\] in agents\.toml does not set may_move_phase = true/);
    // the pane is found by the process itself: without TMUX and TMUX_PANE it is refused all the same
    const unset = await outcome(dir, 'mover', 3);
    expect(unset.code).toBe(2);
    expect(unset.out).toMatch(/ao phase set refused: .*agent mover's pane/);
    expect((await phaseOf(ao)).id).toBe('one');
    expect((await eventsOf(ao)).filter((e) => e.event === 'phase-set' || e.event === 'complete')).toEqual([]);

    expect((await outcome(dir, 'mover', 1)).code).toBe(0);
    expect((await inboxOf(ao, 'sleeper')).map((m) => [m.from, m.text])).toEqual([['mover', 'from-the-pane']]);

    const restart = await outcome(dir, 'mover', 2);
    expect(restart.code, restart.out).toBe(0);
    const restarts = (await eventsOf(ao)).filter((e) => e.agent === 'sleeper' && e.event === 'restart');
    expect(restarts.map((e) => e.details?.by)).toEqual(['mover']);
    // the maintainer's own restart says so
    expect((await ao('restart', 'sleeper')).code).toBe(0);
    expect((await eventsOf(ao)).filter((e) => e.agent === 'sleeper' && e.event === 'restart').map((e) => e.details?.by)).toEqual(['mover', 'maintainer']);
  });

  it('an agent with may_move_phase = true moves the phase from its pane, and the event says it did', async () => {
    const { ao, dir } = whoTeam('who-lead', (d, s) => runner('lead', d, s, ['ao phase next', 'ao phase set three'], 'may_move_phase = true\n'));
    expect((await ao('up', '--no-watchdog')).code).toBe(0);
    for (const n of [0, 1]) {
      const moved = await outcome(dir, 'lead', n);
      expect(moved.code, moved.out).toBe(0);
    }
    expect((await phaseOf(ao)).id).toBe('three');
    const moves = (await eventsOf(ao)).filter((e) => e.event === 'phase-set');
    expect(moves.map((e) => [e.reason, e.details?.by])).toEqual([
      ['one -> two by lead', 'lead'],
      ['two -> three by lead', 'lead'],
    ]);
  });

  it("the maintainer outside every pane, and inside a pane of another tmux server (TMUX_PANE of a pane id the project's socket has too), moves the phase", async () => {
    const { ao, dir, socket } = whoTeam('who-maint', (d, s) => runner('mover', d, s, ['ao phase status']) + SLEEPER);
    expect((await ao('up', '--no-watchdog')).code).toBe(0);
    await outcome(dir, 'mover', 0);
    expect((await ao('phase', 'next')).code).toBe(0);

    // the maintainer's own tmux: a server of its own, whose first pane has the same id as an agent pane on the project's socket
    const own = uniqueSocket('who-own');
    try {
      const command = `echo "$TMUX_PANE" >${dir}/own.pane; AO_TMUX_SOCKET=${socket} ${process.execPath} ${AO} phase next >${dir}/own.out 2>&1; echo $? >${dir}/own.code; exec sleep 100000`;
      expect((await tmux(own, ['new-session', '-d', '-s', 'maintainer', '-c', dir, command])).code).toBe(0);
      await waitFor(async () => existsSync(join(dir, 'own.code')), 20_000);
      const pane = readFileSync(join(dir, 'own.pane'), 'utf8').trim();
      const agentPanes = (await tmux(socket, ['list-panes', '-a', '-F', '#{pane_id}'])).stdout.split('\n');
      expect(agentPanes).toContain(pane);
      expect(readFileSync(join(dir, 'own.code'), 'utf8').trim(), readFileSync(join(dir, 'own.out'), 'utf8')).toBe('0');
    } finally {
      await killServerAndSocket(own);
    }
    expect((await phaseOf(ao)).id).toBe('three');
    const moves = (await eventsOf(ao)).filter((e) => e.event === 'phase-set');
    expect(moves.map((e) => [e.reason, e.details?.by])).toEqual([
      ['one -> two by maintainer', 'maintainer'],
      ['two -> three by maintainer', 'maintainer'],
    ]);
  });
});
