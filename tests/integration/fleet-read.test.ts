/**
 * `ao fleet status` of a remote project built here from one read of its
 * host's files (fleet/host-read.ts): the same object as that project's own
 * `ao status --json`, and, wherever the read cannot vouch for it, its host's
 * ao asked instead. The "host" is this machine through a stand-in for ssh that
 * runs the remote command line with sh, so that every case runs in seconds;
 * fleet-ssh.test.ts runs the same read through a real OpenSSH server.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendUsage } from '../../src/state/usage.js';
import { AO, runAo, sleepersFiles, statusOf, team, uniqueSocket, waitFor, type Team } from '../helpers/ao.js';

const socket = uniqueSocket('fread');
let root: string;
let a: Team;
let b: Team;

interface Entry {
  fleet: { name: string; healthy: boolean; reachable: boolean; error: string | null; read: string | null };
  agents: Array<{ name: string; state: string; pid: number | null; exit_status: number | null; usage: unknown }>;
  [key: string]: unknown;
}

const fleetStatus = async (file = 'fleet.toml'): Promise<Record<string, Entry>> => {
  const result = await runAo(['fleet', 'status', '--json', '-f', file], { cwd: root, socket });
  const list = JSON.parse(result.stdout) as Entry[];
  return Object.fromEntries(list.map((p) => [p.fleet.name, p]));
};

/** What the project's own `ao status --json` says, without what the fleet's object does not carry. */
const ownStatus = async (t: Team): Promise<object> => {
  const own = JSON.parse((await t.ao('status', '--json')).stdout) as Record<string, unknown>;
  delete own.ledger;
  return own;
};

/**
 * The fleet's object of `name` and the project's own status, read one after
 * the other until they agree (a few tries: an agent may change between the
 * two reads); the fleet's object is returned, and any difference fails.
 */
async function agreeing(name: string, t: Team): Promise<Entry> {
  let last: { fleet: Entry; own: object } | null = null;
  for (let i = 0; i < 5; i++) {
    const entry = (await fleetStatus())[name]!;
    const own = await ownStatus(t);
    const { fleet: _, ...rest } = entry;
    if (JSON.stringify(rest) === JSON.stringify(own)) return entry;
    last = { fleet: entry, own };
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  expect(last!.fleet, `read by ${last!.fleet.fleet.read}`).toMatchObject(last!.own);
  return last!.fleet;
}

describe('a remote project read from its host files, against its own ao status', () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ao-test-fleet-read-'));
    // ssh's stand-in: the remote command line (its last argument) run by sh, here, with this environment
    writeFileSync(join(root, 'ssh-here'), '#!/bin/sh\nfor a; do last=$a; done\nexec sh -c "$last"\n');
    chmodSync(join(root, 'ssh-here'), 0o755);
    const quitter = '[agents.quitter]\nkind = "persistent"\nheal = "none"\ncommand = "sh"\nargs = ["-c", "sleep 6; exit 3"]\n';
    // torn down by this file's afterAll, which runs even when this beforeAll fails
    a = team('fread-a', sleepersFiles(['alpha', 'beta'], { extra: quitter }), { socket });
    b = team('fread-b', sleepersFiles(['gamma']), { socket });
    const host = (ao: string) => `[hosts.here]\ndestination = "here"\nssh = [${JSON.stringify(join(root, 'ssh-here'))}]\nao = ${JSON.stringify(ao)}\n\n`;
    const projects = `[[projects]]\npath = "${a.dir}"\nname = "a"\nhost = "here"\n\n[[projects]]\npath = "${b.dir}"\nname = "b"\nhost = "here"\n`;
    writeFileSync(join(root, 'fleet.toml'), `${host(AO)}${projects}`);
    writeFileSync(join(root, 'no-ao.toml'), `${host(join(root, 'no-such-ao'))}${projects}`);
    const up = await a.ao('up');
    expect(up.code, up.stdout + up.stderr).toBe(0);
    // b runs no watchdog: nothing rewrites its files under the cases below
    expect((await b.ao('up', '--no-watchdog')).code).toBe(0);
  }, 60_000);

  afterAll(async () => {
    for (const t of [a, b] as Array<Team | undefined>) await t?.cleanup();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('reads both projects from their files in one call: the same objects as their own ao status, the watchdog and a dead agent included', async () => {
    // it ends 6 s after its start, well after `ao up` has seen it start
    await waitFor(async () => (await statusOf(a.ao)).agents.quitter?.state === 'dead', 20_000, 250);
    const entryA = await agreeing('a', a);
    expect(entryA.fleet.read).toBe('files');
    expect(entryA.agents.find((x) => x.name === 'watchdog')?.pid).toBeGreaterThan(0);
    expect(entryA.agents.find((x) => x.name === 'quitter')).toMatchObject({ state: 'dead', exit_status: 3 });
    expect(entryA.agents.find((x) => x.name === 'alpha')).toMatchObject({ state: 'running' });
    const entryB = await agreeing('b', b);
    expect(entryB.fleet.read).toBe('files');
  });

  it('reads the cost from the totals kept of usage.jsonl, and asks the host when they are not of the file as it is', async () => {
    const usage = { input_tokens: 1200, output_tokens: 300, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: 0.42 };
    appendUsage(join(b.dir, 'state'), { time: new Date().toISOString(), agent: 'gamma', phase: 'one', iteration: 1, usage });
    const kept = await agreeing('b', b);
    expect(kept.fleet.read).toBe('files');
    expect(kept.agents.find((x) => x.name === 'gamma')?.usage).toMatchObject({ cost_usd: 0.42 });
    // a line its writer did not total: the host's ao sums the file
    appendFileSync(
      join(b.dir, 'state', 'usage.jsonl'),
      `${JSON.stringify({ time: new Date().toISOString(), agent: 'gamma', phase: 'one', iteration: 2, usage })}\n`,
    );
    const summed = await agreeing('b', b);
    expect(summed.fleet.read).toBe('ao');
    expect(summed.agents.find((x) => x.name === 'gamma')?.usage).toMatchObject({ cost_usd: 0.84 });
    // its writer's next append sums the file again, and keeps those totals
    appendUsage(join(b.dir, 'state'), { time: new Date().toISOString(), agent: 'gamma', phase: 'one', iteration: 3, usage });
    const again = await agreeing('b', b);
    expect(again.fleet.read).toBe('files');
    expect(again.agents.find((x) => x.name === 'gamma')?.usage).toMatchObject({ cost_usd: 1.26 });
  });

  it('asks the host for a corrupt agents.json, a linked phase.json, a FIFO and an edited agents.toml, and its answer is the project own', async () => {
    const state = join(b.dir, 'state');
    renameSync(join(state, 'agents.json'), join(state, 'agents.json.kept'));
    writeFileSync(join(state, 'agents.json'), '{"version": 1, "agents": ');
    expect((await agreeing('b', b)).fleet.read).toBe('ao');
    rmSync(join(state, 'agents.json'));
    execFileSync('mkfifo', [join(state, 'agents.json')]);
    const fifo = await agreeing('b', b);
    expect([fifo.fleet.read, fifo.fleet.reachable]).toEqual(['ao', true]);
    rmSync(join(state, 'agents.json'));
    renameSync(join(state, 'agents.json.kept'), join(state, 'agents.json'));
    expect((await agreeing('b', b)).fleet.read).toBe('files');

    // a phase.json that is a link: never followed by the read
    writeFileSync(join(root, 'elsewhere.json'), '{"index": 0, "complete": true, "generation": 0}');
    // (a team up without its watchdog has no phase.json yet)
    const hadPhase = existsSync(join(state, 'phase.json'));
    if (hadPhase) renameSync(join(state, 'phase.json'), join(state, 'phase.json.kept'));
    symlinkSync(join(root, 'elsewhere.json'), join(state, 'phase.json'));
    const linked = await agreeing('b', b);
    expect(linked.fleet.read).toBe('ao');
    expect(linked.complete).toBe(false);
    rmSync(join(state, 'phase.json'));
    if (hadPhase) renameSync(join(state, 'phase.json.kept'), join(state, 'phase.json'));
    expect((await agreeing('b', b)).fleet.read).toBe('files');

    // an agents.toml edited since its copy was made: the copy no longer holds
    appendFileSync(join(b.dir, 'agents.toml'), '# edited\n');
    expect((await agreeing('b', b)).fleet.read).toBe('ao');
  });

  it('a host whose ao is missing is told as before, however its files read', async () => {
    const seen = await fleetStatus('no-ao.toml');
    for (const name of ['a', 'b']) {
      expect(seen[name]!.fleet.read).not.toBe('files');
      expect(seen[name]!.fleet.error).toMatch(/no ao at/);
    }
  });
});
