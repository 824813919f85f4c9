/** The ssh argv, the one quoting of a remote command, and what a call's result means (src/fleet/ssh.ts), with the calls of one command (hosts.ts) on a fake runner. */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FleetHost, FleetProject } from '../../../src/config/fleet.js';
import { Hosts, majorOf } from '../../../src/fleet/hosts.js';
import { classify, remoteCommand, sshArgv, sshExitArgv, sshWords } from '../../../src/fleet/ssh.js';
import { checkProblems, onHost, parseCheck, versionProblem } from '../../../src/cli/fleet-remote.js';
import { remoteRegistration } from '../../../src/cli/commands/fleet.js';
import { hostFleetToml, parseFleetAnswer } from '../../../src/cli/commands/fleet-status.js';
import { parse } from 'smol-toml';
import type { Runner } from '../../../src/process/run.js';

const host: FleetHost = { name: 'gpu', destination: 'me@gpu-box', ssh: ['ssh', '-o', 'BatchMode=no', '-p', '2222'], ao: '/home/me/bin/ao' };

describe('sshArgv', () => {
  it("batch mode before the user's options (ssh keeps the first value), ao's multiplexing after them, the destination after --", () => {
    expect(sshArgv(host, 'exec ao status', { controlDir: '/run/u/ao/ssh', timeoutMs: 2500 })).toEqual([
      'ssh',
      '-o',
      'BatchMode=yes',
      '-o',
      'BatchMode=no',
      '-p',
      '2222',
      '-o',
      'ConnectTimeout=3',
      '-o',
      'ControlMaster=auto',
      '-o',
      'ControlPath=/run/u/ao/ssh/%C',
      '-o',
      'ControlPersist=300',
      '-o',
      'ServerAliveInterval=15',
      '-o',
      'ServerAliveCountMax=3',
      '-T',
      '--',
      'me@gpu-box',
      'exec ao status',
    ]);
    expect(sshArgv(host, 'x', { controlDir: '/c', timeoutMs: 10_000, tty: true })).toContain('-t');
    expect(sshExitArgv(host, { controlDir: '/c' })).toEqual([
      'ssh',
      '-o',
      'BatchMode=yes',
      '-o',
      'BatchMode=no',
      '-p',
      '2222',
      '-o',
      'ControlPath=/c/%C',
      '-O',
      'exit',
      '--',
      'me@gpu-box',
    ]);
  });
});

describe('remoteCommand', () => {
  it('quotes every word once, so that a shell runs exactly the argv', () => {
    const command = remoteCommand('/opt/my ao/ao', ['-c', "/srv/it's/agents.toml", 'send', 'builder', '$(touch /tmp/x); `id` "a b"'], {
      cwd: "/srv/it's",
      env: { AO_TMUX_SOCKET: 'web', AO_SESSION_PREFIX: 'w-' },
    });
    expect(command).toBe(
      `cd '/srv/it'\\''s' && exec env AO_TMUX_SOCKET=web AO_SESSION_PREFIX=w- '/opt/my ao/ao' -c '/srv/it'\\''s/agents.toml' send builder '$(touch /tmp/x); \`id\` "a b"'`,
    );
    // what /bin/sh makes of it: the same words back (printf in place of ao, no cd)
    const printed = execFileSync('/bin/sh', ['-c', remoteCommand('printf', ['%s|', 'a b', "it's", '$HOME', '`id`', ';', '*'])], { encoding: 'utf8' });
    expect(printed).toBe("a b|it's|$HOME|`id`|;|*|");
    expect(remoteCommand('ao', ['--version'])).toBe('exec ao --version');
  });
});

describe('classify', () => {
  const at = (stdout: string, stderr: string, exitCode: number, aborted = false) =>
    classify({ stdout, stderr, exitCode }, { host, aborted, timeoutMs: 10_000 });

  it("the remote ao's answer, whatever its exit code", () => {
    expect(at('{}', '', 3)).toEqual({ kind: 'answer', stdout: '{}', stderr: '', exitCode: 3 });
  });

  it('a deadline, a refused or unreachable host: unreachable, with the reason', () => {
    expect(at('', '', 130, true)).toEqual({ kind: 'unreachable', reason: 'no answer from host "gpu" within 10 s' });
    expect(at('', 'ssh: connect to host gpu-box port 2222: Connection refused\r\n', 255)).toEqual({
      kind: 'unreachable',
      reason: 'host "gpu" (me@gpu-box): ssh: connect to host gpu-box port 2222: Connection refused',
    });
  });

  it("a wrong host key, a refused login, no ssh: refused in ssh's own words", () => {
    const banner = [
      '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
      '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
      '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
      'IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!',
      'Host key for [127.0.0.5]:2222 has changed and you have requested strict checking.',
      'Host key verification failed.',
      '',
    ].join('\n');
    expect(at('', banner, 255)).toEqual({
      kind: 'refused',
      reason: 'host "gpu" (me@gpu-box): Host key for [127.0.0.5]:2222 has changed and you have requested strict checking. Host key verification failed.',
    });
    expect(at('', 'me@gpu-box: Permission denied (publickey).\n', 255).kind).toBe('refused');
    expect(at('', 'spawn ssh ENOENT', 127).kind).toBe('refused');
  });

  it('a shell that cannot find ao: no-ao, saying where to set it', () => {
    const reply = at('', 'sh: 1: exec: /home/me/bin/ao: not found\n', 127);
    expect(reply).toEqual({
      kind: 'no-ao',
      reason: 'no ao at "/home/me/bin/ao" on host "gpu" (set ao = "/path/to/ao" in [hosts.gpu]): sh: 1: exec: /home/me/bin/ao: not found',
    });
  });

  it("ssh's words lose their control sequences", () => {
    expect(sshWords('\x1b]0;owned\x07bad\x1b[31m thing\n')).toBe('bad thing');
  });
});

describe('versions and checks', () => {
  it('the same major passes; another is refused with both named; no version is a problem', () => {
    expect(majorOf('ao 1.22.3')).toBe(1);
    expect(versionProblem(host, 'ao 0.4.1', '0.1.0')).toBeNull();
    expect(versionProblem(host, 'ao 1.0.0', '0.1.0')).toBe(
      'host "gpu" runs ao 1.0.0, this is ao 0.1.0: a different major version is refused (install the same on both)',
    );
    expect(versionProblem(host, 'bash: hi', '0.1.0')).toMatch(/printed no version/);
  });

  it("a remote ao check's problems: one each, with its excerpt under it", () => {
    const stderr = 'ao: config error\nagents.toml:3:1: agents.a.kind: bad\n 3 | kind = "x"\n     ^\nagents.toml:9:1: other\n';
    expect(checkProblems(stderr)).toEqual(['agents.toml:3:1: agents.a.kind: bad\n 3 | kind = "x"\n     ^', 'agents.toml:9:1: other']);
  });

  it('a remote problem names its file as HOST:/absolute/path, its line and column kept, its excerpt untouched; other problems as they are', () => {
    const at = { dir: '/srv/web', host };
    expect(onHost('agents.toml:3:1: agents.a.kind: bad\n 3 | kind = "x"', at)).toBe('gpu:/srv/web/agents.toml:3:1: agents.a.kind: bad\n 3 | kind = "x"');
    expect(onHost('prompts/builder.md: cannot read it', at)).toBe('gpu:/srv/web/prompts/builder.md: cannot read it');
    expect(onHost('/etc/ao/agents.toml:7: x', at)).toBe('gpu:/etc/ao/agents.toml:7: x');
    expect(onHost("sh: 1: cd: can't cd to /srv/gone", at)).toBe("sh: 1: cd: can't cd to /srv/gone");
    expect(onHost('no agents.toml found in /srv/web', at)).toBe('no agents.toml found in /srv/web');
  });

  it("a remote ao check --json: its team's size and namespace", () => {
    const json = JSON.stringify({ ok: true, socket: 's', session_prefix: 'p-', phases: [{ agents: [1, 2, 3] }, { agents: [1, 2, 3] }] });
    expect(parseCheck(json, '0.1.0')).toEqual({ agents: 3, phases: 2, socket: 's', prefix: 'p-', version: '0.1.0' });
    expect(parseCheck('not json', '0.1.0')).toBeNull();
    expect(parseCheck('{"ok":false}', '0.1.0')).toBeNull();
  });
});

describe("a host's projects in one call", () => {
  it('the fleet file its ao is given: absolute paths, names and overrides, as TOML that reads back the same', () => {
    const base = { configFile: '', enabled: true, index: 0, host };
    const text = hostFleetToml([
      { ...base, name: 'web', dir: '/srv/we"b', tmuxSocket: 's1', sessionPrefix: null },
      { ...base, name: 'api', dir: '/srv/api', tmuxSocket: null, sessionPrefix: 'a-' },
    ]);
    expect(parse(text)).toEqual({
      projects: [
        { path: '/srv/we"b', name: 'web', tmux_socket: 's1' },
        { path: '/srv/api', name: 'api', session_prefix: 'a-' },
      ],
    });
  });

  it('its answer: each report by its fleet name, an unreadable project by its error', () => {
    const report = { project: 'web', complete: false, phase: { id: 'one' }, agents: [], fleet: { name: 'web' } };
    const answers = parseFleetAnswer(
      JSON.stringify([report, { project: 'api', phase: null, agents: [], config_error: 'agents.toml:1: bad', fleet: { name: 'api' } }]),
    );
    expect(answers?.get('web')).toMatchObject({ project: 'web' });
    expect(answers?.get('api')).toBe('agents.toml:1: bad');
    expect(parseFleetAnswer('{"not": "an array"}')).toBeNull();
  });
});

describe('Hosts', () => {
  const project = (name: string): FleetProject & { host: FleetHost } => ({
    name,
    dir: `/srv/${name}`,
    configFile: `/srv/${name}/agents.toml`,
    enabled: true,
    tmuxSocket: null,
    sessionPrefix: null,
    index: 0,
    host,
  });

  it('a host that failed is not asked again in the same command; after a deadline its master is ended', async () => {
    const calls: string[][] = [];
    const runner: Runner = async (argv, options) => {
      calls.push([...argv]);
      if (argv.includes('-O')) return { stdout: '', stderr: '', exitCode: 0 };
      // the deadline fires while this call waits, as a host that hangs makes it
      await new Promise<void>((resolve) => options?.signal?.addEventListener('abort', () => resolve()));
      return { stdout: '', stderr: 'aborted', exitCode: 130 };
    };
    const hosts = new Hosts(runner, { XDG_RUNTIME_DIR: `/tmp/ao-unit-hosts-${process.pid}` }, 50);
    const first = await hosts.project(project('a'), ['status', '--json']);
    expect(first).toEqual({ kind: 'unreachable', reason: 'no answer from host "gpu" within 0.05 s' });
    expect(await hosts.project(project('b'), ['status', '--json'])).toBe(first);
    expect(calls.map((argv) => argv.includes('-O'))).toEqual([false, true]);
    expect(calls[0]!.at(-1)).toBe('cd /srv/a && exec /home/me/bin/ao -c /srv/a/agents.toml status --json');
    rmSync(`/tmp/ao-unit-hosts-${process.pid}`, { recursive: true, force: true });
  });
});

describe('remoteRegistration: ao fleet add --host', () => {
  const fleet = {
    file: '/home/me/fleet.toml',
    dir: '/home/me',
    source: '',
    hosts: [host],
    timeoutMs: 10_000,
    projects: [{ name: 'web', dir: '/srv/web', configFile: '/srv/web/agents.toml', enabled: true, tmuxSocket: null, sessionPrefix: null, index: 0, host }],
  };

  it('an absolute folder on the host: its entry names the host, and its project is the next of the file', () => {
    const { project, text } = remoteRegistration(fleet, host, '/srv/api/', undefined);
    expect(text).toBe('[[projects]]\npath = "/srv/api"\nhost = "gpu"\n');
    expect(parse(text)).toEqual({ projects: [{ path: '/srv/api', host: 'gpu' }] });
    expect(project).toMatchObject({ name: 'api', dir: '/srv/api', configFile: '/srv/api/agents.toml', index: 1, host });
    expect(remoteRegistration(fleet, host, '/srv/api', 'api2').text).toBe('[[projects]]\npath = "/srv/api"\nname = "api2"\nhost = "gpu"\n');
  });

  it('refuses a relative path, a folder or a name there already, and a name ao cannot use', () => {
    expect(() => remoteRegistration(fleet, host, 'srv/api', undefined)).toThrow(/needs an absolute path \(a folder on that host\), not "srv\/api"/);
    expect(() => remoteRegistration(fleet, host, '/srv/web', 'other')).toThrow('gpu:/srv/web is in fleet.toml already (as "web")');
    expect(() => remoteRegistration(fleet, host, '/opt/web', undefined)).toThrow('fleet.toml has a project named "web" already');
    expect(() => remoteRegistration(fleet, host, '/srv/a b', undefined)).toThrow(/"a b" cannot name a project/);
    // the same folder on another host is another project
    expect(remoteRegistration(fleet, { ...host, name: 'cpu' }, '/srv/web', 'web-cpu').project.host.name).toBe('cpu');
  });
});
