import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoProject, killServer, runAo, serverRunning, teamIn, tmux, waitFor } from '../helpers/ao.js';

const { dir, socket, ao } = teamIn('life', demoProject(), { env: { AO_DEMO_PACE_S: '0.5' }, teardown: 'afterAll' });

interface StatusJson {
  project: string;
  complete: boolean;
  phase: { id: string; index: number; count: number; plan: string; status: string };
  agents: Array<{ name: string; session: string; state: string; pid: number | null; exit_status: number | null; model: string | null; kind: string }>;
}

async function statusJson(): Promise<{ code: number; json: StatusJson }> {
  const result = await ao('status', '--json');
  return { code: result.code, json: JSON.parse(result.stdout) as StatusJson };
}

function pids(json: StatusJson): Record<string, number | null> {
  return Object.fromEntries(json.agents.map((a) => [a.name, a.pid]));
}

/**
 * For the lifecycle tests the loops must not end by themselves (a demo loop
 * iteration ends, and without a watchdog nothing starts the next one): the
 * builder and adversary become long-lived shell programs.
 */
function longLivedTeam(): void {
  const toml = readFileSync(join(dir, 'agents.toml'), 'utf8')
    .replace('[agents.builder]\nkind = "loop"', '[agents.builder]\nkind = "loop"\nbackend = "shell"\ncommand = "sleep"\nargs = ["100000"]')
    .replace('[agents.adversary]\nkind = "loop"', '[agents.adversary]\nkind = "loop"\nbackend = "shell"\ncommand = "sleep"\nargs = ["100000"]')
    .replace(/pace_s = 2\n/g, '');
  writeFileSync(join(dir, 'agents.toml'), toml);
}

describe('read-only commands on a project that never ran', () => {
  it('ao check and ao status create no file, no folder and no tmux server', async () => {
    const before = readdirSync(dir).sort();
    const check = await ao('check');
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('phase feature [2/3] plan=02-feature.md');
    expect(check.stdout).toMatch(/builder\s+loop\s+demo\s+demo-strong/);

    const status = await ao('status');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('phase: scaffold [1/3] plan=01-scaffold.md (in progress)');
    expect(status.stdout).toMatch(/^NAME\s+KIND\s+BACKEND\s+MODEL\s+HEAL\s+COST\s+STATE$/m);
    expect(status.stdout).toMatch(/^builder\s+loop\s+demo\s+demo-standard\s+heal\+stall\s+-\s+STOPPED$/m);
    expect(status.stdout).toMatch(/^watchdog\s+service\s+-\s+-\s+-\s+-\s+STOPPED$/m);

    expect(readdirSync(dir).sort()).toEqual(before);
    expect(existsSync(join(dir, 'state'))).toBe(false);
    expect(await serverRunning(socket)).toBe(false);
  });
});

describe('up, status, down', () => {
  it('ao up starts every enabled agent as its own pane program', async () => {
    longLivedTeam();
    // no watchdog here: these tests look at what tmux itself shows of a dead agent
    const up = await ao('up', '--no-watchdog');
    expect(up.code, up.stderr + up.stdout).toBe(0);
    expect(up.stdout).toMatch(/orchestrator: started \(pid \d+/);
    const { code, json } = await statusJson();
    expect(code).toBe(0);
    const byName = Object.fromEntries(json.agents.map((a) => [a.name, a]));
    for (const name of ['orchestrator', 'builder', 'adversary']) {
      expect(byName[name]?.state).toBe('running');
      expect(byName[name]?.pid).toBeGreaterThan(0);
    }
    // the pane's program is ao's launcher (a fixed sh script), and the agent its only child, not a shell that typed it
    const panes = await tmux(socket, ['list-panes', '-a', '-F', '#{session_name} #{pane_pid}']);
    const agentOf = (session: string): string => {
      const pid = panes.stdout
        .split('\n')
        .find((l) => l.split(' ')[0]!.endsWith(session))!
        .split(' ')[1]!;
      // (after the steps that read its environment file and remove it)
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, 3).join(' ')).toMatch(
        /^sh -c _ao_f=\$1; .*command -p rm -f -- "\$_ao_f"; unset CI CONTINUOUS_INTEGRATION; trap : INT QUIT; "\$@"/,
      );
      const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ');
      expect(kids).toHaveLength(1);
      return readFileSync(`/proc/${kids[0]}/comm`, 'utf8').trim();
    };
    expect(agentOf('-orchestrator')).toBe('node');
    expect(agentOf('-builder')).toBe('sleep');
  });

  it('a second ao up changes nothing: same pane pids', async () => {
    const before = pids((await statusJson()).json);
    const again = await ao('up', '--no-watchdog');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('builder: already running');
    expect(pids((await statusJson()).json)).toEqual(before);
  });

  it('the demo agent prints into its pane and its log', async () => {
    await waitFor(async () => {
      const logs = await ao('logs', 'orchestrator', '-n', '20');
      return logs.stdout.includes('[demo orchestrator]') ? logs : undefined;
    });
    const logs = await ao('logs', 'orchestrator');
    // eslint-disable-next-line no-control-regex -- the control characters are what the assertion looks for
    expect(logs.stdout).not.toMatch(/\x1b\[/);
  });

  it('a dead agent reads dead with its exit status, and status exits 3', async () => {
    const { json } = await statusJson();
    const adversary = json.agents.find((a) => a.name === 'adversary')!;
    process.kill(adversary.pid!, 'SIGKILL');
    const after = await waitFor(async () => {
      const s = await statusJson();
      return s.json.agents.find((a) => a.name === 'adversary')?.state === 'dead' ? s : undefined;
    });
    expect(after.code).toBe(3);
    const text = await ao('status');
    expect(text.code).toBe(3);
    expect(text.stdout).toMatch(/^adversary\s+.*DEAD/m);
    // ao up brings it back and leaves the others alone
    const others = pids(after.json);
    const up = await ao('up', '--no-watchdog');
    expect(up.stdout).toMatch(/adversary: started/);
    const healed = (await statusJson()).json;
    expect(healed.agents.find((a) => a.name === 'adversary')?.state).toBe('running');
    expect(pids(healed).builder).toBe(others.builder);
  });

  it('ao down stops only this project’s sessions', async () => {
    const { json } = await statusJson();
    const builder = json.agents.find((a) => a.name === 'builder')!;
    // same socket, a name that merely starts with an agent's session name
    const lookalike = `${builder.session}-2`;
    expect((await tmux(socket, ['new-session', '-d', '-s', lookalike, 'sleep 600'])).code).toBe(0);
    const down = await ao('down');
    expect(down.code).toBe(0);
    const sessions = (await tmux(socket, ['list-sessions', '-F', '#{session_name}'])).stdout.split('\n').filter(Boolean);
    expect(sessions).toEqual([lookalike]);
    const after = await statusJson();
    expect(after.code).toBe(0);
    expect(after.json.agents.filter((a) => a.state !== 'stopped')).toEqual([]);
  });

  it('an unknown agent name is a usage error that lists the known ones', async () => {
    const result = await ao('up', 'nosuch');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown agent "nosuch"; this team has: orchestrator, builder, adversary');
  });

  it('ao up --dry-run prints the tmux commands and starts nothing', async () => {
    await killServer(socket);
    const result = await ao('up', '--dry-run', 'builder');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(`^tmux -L ${socket} new-session -d -s ao-[\\w-]+-builder .* ';' set-option -w -t '?=ao-[\\w-]+-builder:'? remain-on-exit on`, 'm'),
    );
    expect(await serverRunning(socket)).toBe(false);
  });
});

describe('ao init', () => {
  it('scaffolds a project that validates, and refuses to overwrite one', async () => {
    const target = join(dir, 'fresh');
    const made = await runAo(['init', target], { cwd: dir, socket });
    expect(made.code).toBe(0);
    expect(readdirSync(target).sort()).toEqual(['.gitignore', 'agents.toml', 'phases', 'prompts']);
    expect((await runAo(['check'], { cwd: target, socket })).code).toBe(0);
    const before = readFileSync(join(target, 'agents.toml'), 'utf8');
    writeFileSync(join(target, 'agents.toml'), `${before}\n# mine\n`);
    const again = await runAo(['init', target], { cwd: dir, socket });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('never overwrites');
    expect(readFileSync(join(target, 'agents.toml'), 'utf8')).toBe(`${before}\n# mine\n`);
    expect(await serverRunning(socket)).toBe(false);
  });
});
