/**
 * `ao web --fleet` with a project on another host, over real OpenSSH: an
 * sshd this file starts on a loopback address of its own (tests/helpers/sshd.ts)
 * runs a team of two shell agents. The fleet's page shows it through its
 * host, its team page shows its agents and acts through its host's ao; a
 * host that goes down reads unreachable with ssh's words. Its cases follow each
 * other. Skipped only where OpenSSH's server is not installed, and then loudly.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AO, runAo, sleepersFiles, uniqueSocket, waitFor, writeProject } from '../helpers/ao.js';
import { killHost, makeClient, makeHost, sshOf, SSHD, startHost, type SshClient, type TestHost } from '../helpers/sshd.js';
import { checkAgainst, schemaOfPath } from '../helpers/openapi.js';
import { startWeb, type Web } from '../helpers/web.js';
import { endSshFleet } from '../helpers/fleet.js';

const installed = existsSync(SSHD);
if (!installed) console.warn(`web-fleet-ssh: ${SSHD} is missing: the openssh-server install (.ci/run) failed, so these tests are SKIPPED`);

const local = uniqueSocket('wfssh-local');
let root: string;
let runtime: string;
let client: SshClient;
let h1: TestHost;
let web: Web;

const env = (): Record<string, string> => ({ XDG_RUNTIME_DIR: runtime });
const ao = (...args: string[]) => runAo(args, { cwd: root, socket: local, env: env() });

/** A project of two shell agents that sleep, at `dir`. */
const sleepers = (dir: string): string => writeProject(dir, sleepersFiles(['worker', 'checker'], { phases: ['one'] }));

interface FleetJson {
  project: string;
  fleet: { name: string; host: string | null; reachable: boolean; healthy: boolean; error: string | null };
  agents: { name: string; state: string; pid: number | null }[];
}

const fleetJson = async (): Promise<Record<string, FleetJson>> =>
  Object.fromEntries(((await (await web.get('/api/fleet')).json()) as FleetJson[]).map((p) => [p.fleet.name, p]));

describe.skipIf(!installed)('ao web --fleet with a project on another host', () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ao-test-webfleet-ssh-'));
    runtime = mkdtempSync('/tmp/aow-');
    client = makeClient(root);
    h1 = await makeHost('h1', '127.0.0.61', root, client, uniqueSocket('wfssh-h1'), {});
    await startHost(h1);
    sleepers(join(root, 'l1'));
    sleepers(join(h1.home, 'r1'));
    writeFileSync(
      join(root, 'fleet.toml'),
      [
        '[fleet]\ntimeout_s = 6\n',
        `[hosts.h1]\ndestination = "${h1.address}"\nssh = ${JSON.stringify(sshOf(h1, client))}\nao = ${JSON.stringify(AO)}\n`,
        '[[projects]]\npath = "l1"\n',
        `[[projects]]\npath = "${join(h1.home, 'r1')}"\nhost = "h1"\n`,
      ].join('\n'),
    );
    const up = await ao('fleet', 'up', 'r1');
    expect(up.code, up.stdout + up.stderr).toBe(0);
    web = await startWeb({ dir: root, socket: local }, ['--fleet'], env());
  }, 60_000);

  afterAll(async () => {
    if (!root) return;
    await web?.stop();
    // the host brought back (a case stops it) so that its team goes down through it
    const down = async () => {
      if (h1 && !h1.process) await startHost(h1);
      await ao('fleet', 'down');
    };
    await endSshFleet({ down, root, runtime, hosts: [h1], sockets: [local, h1?.socket] });
  }, 60_000);

  it('shows the remote project on the fleet page through its host, beside the local one', async () => {
    const page = await (await web.get('/')).text();
    const card = /<li class="card[^"]*" data-project="r1">[\s\S]*?<\/li>/.exec(page)?.[0] ?? '';
    expect(card).toContain('<span class="where">h1</span>');
    expect(card).toContain('href="/p/r1/"');
    expect(card).toMatch(/2 running, 0 waiting, 0 paused, 0 failed · watchdog running/);
    expect(page).toMatch(/data-project="l1">[\s\S]*?<span class="where">local<\/span>/);
    const fleet = await fleetJson();
    expect(fleet.r1!.fleet).toMatchObject({ host: 'h1', reachable: true, healthy: true });
    expect(checkAgainst(schemaOfPath('/api/fleet'), Object.values(fleet))).toEqual([]);
  });

  it('gives the remote team a page with its agents as its host reports them, and no agent pages here', async () => {
    const remote = await runAo(['status', '--json'], { cwd: join(h1.home, 'r1'), socket: h1.socket });
    const pids = Object.fromEntries((JSON.parse(remote.stdout) as FleetJson).agents.map((a) => [a.name, a.pid]));
    expect(pids.worker).toBeGreaterThan(0);
    const page = await (await web.get('/p/r1/')).text();
    for (const name of ['worker', 'checker']) {
      const row = new RegExp(`<tr class="agent s-running" data-agent="${name}">[\\s\\S]*?</tr>`).exec(page)?.[0] ?? '';
      expect(row, name).toContain('RUNNING');
      expect(row, name).toContain(`>${pids[name]}<`);
    }
    expect(page).toContain('data-page="remote"');
    expect(page).toContain('runs on host <b>h1</b>: its screens and logs are on that host');
    expect(page).toContain('ao fleet run r1 -- attach AGENT');
    expect(page).not.toContain('/p/r1/agents/');
    expect(((await (await web.get('/p/r1/api/status')).json()) as FleetJson).project).toBe('r1');
    expect((await web.get('/p/r1/agents/worker')).status).toBe(404);
  });

  it("acts on the remote team through its host's ao, under the same rules: a message from maintainer, a restart", async () => {
    const inbox = (): string => {
      try {
        return readFileSync(join(h1.home, 'r1', 'state', 'inbox', 'worker.md'), 'utf8');
      } catch {
        return '';
      }
    };
    const post = (path: string, body: unknown, headers: Record<string, string>) =>
      fetch(new URL(path, web.url), { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const cross = await post(
      '/p/r1/api/agents/worker/messages',
      { text: 'from elsewhere' },
      { Authorization: `Bearer ${web.token}`, Origin: 'http://evil.example' },
    );
    expect(cross.status).toBe(403);
    expect((await post('/p/r1/api/agents/worker/messages', { text: 'no token' }, { Origin: new URL(web.url).origin })).status).toBe(401);
    expect((await post('/p/r1/api/agents/nobody/messages', { text: 'x' }, { Authorization: `Bearer ${web.token}` })).status).toBe(404);
    expect(inbox()).toBe('');
    const sent = await post(
      '/p/r1/api/agents/worker/messages',
      { text: `it's <b>there</b>; $(touch ${join(root, 'ran')})` },
      {
        Cookie: `ao_web_token=${web.token}`,
        Origin: new URL(web.url).origin,
      },
    );
    const answer = (await sent.json()) as { output: string };
    expect(sent.status, JSON.stringify(answer)).toBe(200);
    expect(answer.output).toMatch(/^sent .* to worker$/);
    expect(inbox()).toContain(`from maintainer\n> it's <b>there</b>; $(touch ${join(root, 'ran')})`);
    // a word of the remote command line, never shell: nothing ran
    expect(existsSync(join(root, 'ran'))).toBe(false);
    const before = (await runAo(['status', '--json'], { cwd: join(h1.home, 'r1'), socket: h1.socket })).stdout;
    const old = (JSON.parse(before) as FleetJson).agents.find((a) => a.name === 'checker')!.pid;
    const restart = await post('/p/r1/api/agents/checker/restart', {}, { Authorization: `Bearer ${web.token}` });
    expect(restart.status, await restart.clone().text()).toBe(200);
    await waitFor(async () => {
      const now = JSON.parse((await runAo(['status', '--json'], { cwd: join(h1.home, 'r1'), socket: h1.socket })).stdout) as FleetJson;
      const checker = now.agents.find((a) => a.name === 'checker')!;
      return checker.pid !== null && checker.pid !== old && checker.state === 'running';
    }, 15_000);
  });

  it('reads a host that went down as unreachable, in ssh’s words, on the fleet page and the team page', async () => {
    await killHost(h1);
    const fleet = await waitFor(async () => {
      const f = await fleetJson();
      return f.r1!.fleet.reachable ? null : f;
    }, 20_000);
    expect(fleet.r1!.fleet.error).toMatch(/host "h1" \(127\.0\.0\.61\): .*(Connection refused|Connection closed|not responding|Broken pipe)/i);
    expect(fleet.l1!.fleet.reachable).toBe(true);
    expect(checkAgainst(schemaOfPath('/api/fleet'), Object.values(fleet))).toEqual([]);
    const page = await (await web.get('/')).text();
    expect(/<li class="card f-unreachable" data-project="r1">[\s\S]*?<\/li>/.exec(page)?.[0]).toContain('host &quot;h1&quot;');
    const team = await (await web.get('/p/r1/')).text();
    expect(team).toContain('unreachable: host &quot;h1&quot;');
    const status = await web.get('/p/r1/api/status');
    expect(status.status).toBe(502);
    expect(((await status.json()) as { error: string }).error).toMatch(/^502: host "h1"/);
  });
});
