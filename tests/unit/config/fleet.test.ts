/** fleet.toml: discovery, validation with located errors, the overrides' environment, and namespace clashes. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fleetEnv, findFleet, loadFleet, namespaceClashes, type Fleet } from '../../../src/config/fleet.js';
import { loadProject } from '../../../src/config/load.js';
import { ConfigError, UsageError } from '../../../src/errors.js';
import { demoProject, removeProject } from '../../helpers/ao.js';

/** A folder with the given projects (each an `agents.toml` of one agent) and a fleet.toml. */
function fleetDir(projects: readonly string[], toml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ao-fleet-unit-'));
  for (const p of projects) {
    mkdirSync(join(dir, p), { recursive: true });
    writeFileSync(join(dir, p, 'agents.toml'), '');
  }
  writeFileSync(join(dir, 'fleet.toml'), toml);
  return dir;
}

function errorsOf(toml: string, projects: readonly string[] = ['a', 'b']): string[] {
  const dir = fleetDir(projects, toml);
  try {
    loadFleet(join(dir, 'fleet.toml'));
  } catch (error) {
    if (error instanceof ConfigError) return error.each(dir);
    throw error;
  } finally {
    removeProject(dir);
  }
  throw new Error('the fleet loaded');
}

describe('loadFleet', () => {
  it('resolves paths against the fleet file, names from folders, enabled by default', () => {
    const dir = fleetDir(
      ['a', 'b'],
      '[[projects]]\npath = "a"\n\n[[projects]]\npath = "b"\nname = "bee"\nenabled = false\ntmux_socket = "s1"\nsession_prefix = "b-"\n',
    );
    const fleet = loadFleet(join(dir, 'fleet.toml'));
    expect(fleet.projects).toEqual([
      { name: 'a', dir: join(dir, 'a'), configFile: join(dir, 'a', 'agents.toml'), enabled: true, tmuxSocket: null, sessionPrefix: null, index: 0, host: null },
      {
        name: 'bee',
        dir: join(dir, 'b'),
        configFile: join(dir, 'b', 'agents.toml'),
        enabled: false,
        tmuxSocket: 's1',
        sessionPrefix: 'b-',
        index: 1,
        host: null,
      },
    ]);
    expect(fleet.timeoutMs).toBe(10_000);
    removeProject(dir);
  });

  it('a project on a host: its path as given there, the host with its defaults, the deadline from [fleet]', () => {
    const dir = fleetDir(
      ['a'],
      '[fleet]\ntimeout_s = 2.5\n\n[hosts.gpu]\ndestination = "me@gpu"\n\n[hosts.b2]\ndestination = "b2"\nssh = ["ssh", "-p", "2222"]\nao = "/opt/ao/bin/ao"\n\n' +
        '[[projects]]\npath = "/srv/web/"\nhost = "gpu"\n\n[[projects]]\npath = "/srv/web"\nname = "web2"\nhost = "b2"\n\n[[projects]]\npath = "a"\n',
    );
    const fleet = loadFleet(join(dir, 'fleet.toml'));
    expect(fleet.timeoutMs).toBe(2500);
    expect(fleet.hosts).toEqual([
      { name: 'gpu', destination: 'me@gpu', ssh: ['ssh'], ao: 'ao' },
      { name: 'b2', destination: 'b2', ssh: ['ssh', '-p', '2222'], ao: '/opt/ao/bin/ao' },
    ]);
    expect(fleet.projects.map((p) => [p.name, p.dir, p.host?.name ?? null])).toEqual([
      ['web', '/srv/web', 'gpu'],
      ['web2', '/srv/web', 'b2'],
      ['a', join(dir, 'a'), null],
    ]);
    removeProject(dir);
  });

  it('an empty fleet file is a fleet of none', () => {
    const dir = fleetDir([], '# nothing yet\n');
    expect(loadFleet(join(dir, 'fleet.toml')).projects).toEqual([]);
    removeProject(dir);
  });

  const bad: Array<[string, string, string]> = [
    [
      'an unknown key',
      '[[projects]]\npath = "a"\ncolour = "blue"\n',
      'fleet.toml:3:1: projects.0: unknown key "colour" (known keys: path, name, enabled, tmux_socket, session_prefix, host)',
    ],
    ['no path', '[[projects]]\nname = "x"\n', 'fleet.toml:1:3: projects.0.path: required key "path" is missing (expected a string)'],
    ['enabled not a boolean', '[[projects]]\npath = "a"\nenabled = "no"\n', 'fleet.toml:3:1: projects.0.enabled: expected true or false, got "no"'],
    [
      'a socket tmux cannot name',
      '[[projects]]\npath = "a"\ntmux_socket = "a b"\n',
      'fleet.toml:3:1: projects.0.tmux_socket: letters, digits, ".", "_" and "-" only, got "a b"',
    ],
    [
      'a prefix with a colon',
      '[[projects]]\npath = "a"\nsession_prefix = "x:"\n',
      'fleet.toml:3:1: projects.0.session_prefix: letters, digits, "_" and "-" only, not empty, got "x:"',
    ],
    [
      'an empty prefix',
      '[[projects]]\npath = "a"\nsession_prefix = ""\n',
      'fleet.toml:3:1: projects.0.session_prefix: letters, digits, "_" and "-" only, not empty, got ""',
    ],
    [
      'a name with a space',
      '[[projects]]\npath = "a"\nname = "my team"\n',
      'fleet.toml:3:1: projects.0.name: letters, digits, ".", "_" and "-" only, got "my team"',
    ],
    ['projects not an array', 'projects = "a"\n', 'fleet.toml:1:1: projects: expected an array, got "a"'],
    ['a folder that does not exist', '[[projects]]\npath = "gone"\n', 'fleet.toml:2:1: projects.0.path: folder not found: '],
    ['a folder without agents.toml', '[[projects]]\npath = "a/.."\n', 'is not an ao project (no agents.toml; `ao init` makes one)'],
    ['the same folder twice', '[[projects]]\npath = "a"\n\n[[projects]]\npath = "./a"\nname = "other"\n', 'fleet.toml:5:1: projects.1.path: '],
    [
      'the same name twice',
      '[[projects]]\npath = "a"\nname = "x"\n\n[[projects]]\npath = "b"\nname = "x"\n',
      'fleet.toml:7:1: projects.1.name: a second project named "x" (projects.0)',
    ],
    [
      'a host no [hosts] table names',
      '[hosts.one]\ndestination = "x"\n\n[[projects]]\npath = "/srv/a"\nhost = "two"\n',
      'fleet.toml:6:1: projects.0.host: no [hosts.two] in this file (it has: one)',
    ],
    [
      'a relative path on a host',
      '[hosts.one]\ndestination = "x"\n\n[[projects]]\npath = "srv/a"\nhost = "one"\n',
      'fleet.toml:5:1: projects.0.path: a project on host "one" needs an absolute path',
    ],
    [
      'a destination that ssh would read as an option',
      '[hosts.one]\ndestination = "-oProxyCommand=sh"\n',
      'fleet.toml:2:1: hosts.one.destination: an ssh destination (user@host or a Host alias), not starting with "-", got "-oProxyCommand=sh"',
    ],
    [
      'an unknown key of a host',
      '[hosts.one]\ndestination = "x"\nport = 22\n',
      'fleet.toml:3:1: hosts.one: unknown key "port" (known keys: destination, ssh, ao)',
    ],
    ['an empty ssh argv', '[hosts.one]\ndestination = "x"\nssh = []\n', 'hosts.one.ssh: the ssh program and its options'],
    ['a timeout of nothing', '[fleet]\ntimeout_s = 0\n', 'fleet.toml:2:1: fleet.timeout_s:'],
    [
      'the same remote folder twice on one host',
      '[hosts.one]\ndestination = "x"\n\n[[projects]]\npath = "/srv/a"\nhost = "one"\n\n[[projects]]\npath = "/srv/a/"\nname = "b"\nhost = "one"\n',
      'fleet.toml:9:1: projects.1.path: /srv/a is registered already (projects.0)',
    ],
    ['TOML that does not parse', '[[projects]\npath = "a"\n', 'fleet.toml:1:'],
  ];
  for (const [what, toml, expected] of bad) {
    it(`${what}: a located error naming the key`, () => {
      expect(errorsOf(toml).join('\n')).toContain(expected);
    });
  }
});

describe('findFleet', () => {
  it('walks up from the working folder; -f and AO_FLEET win; a missing given file is a usage error', () => {
    const dir = fleetDir(['a'], '');
    const deep = join(dir, 'a', 'src', 'deep');
    mkdirSync(deep, { recursive: true });
    expect(findFleet({ cwd: deep, env: {} })).toBe(join(dir, 'fleet.toml'));
    writeFileSync(join(dir, 'other.toml'), '');
    expect(findFleet({ cwd: deep, env: { AO_FLEET: join(dir, 'other.toml') } })).toBe(join(dir, 'other.toml'));
    expect(findFleet({ file: '../../../other.toml', cwd: deep, env: { AO_FLEET: '/nowhere.toml' } })).toBe(join(dir, 'other.toml'));
    expect(() => findFleet({ file: 'nope.toml', cwd: dir, env: {} })).toThrow(UsageError);
    expect(() => findFleet({ cwd: tmpdir(), env: {} })).toThrow(/no fleet\.toml found/);
    removeProject(dir);
  });
});

describe('the overrides', () => {
  const entry = { name: 'a', dir: '/p/a', configFile: '/p/a/agents.toml', enabled: true, index: 0, host: null };

  it('become AO_TMUX_SOCKET and AO_SESSION_PREFIX; an inherited prefix or config never leaks into a project without one', () => {
    const env = { AO_TMUX_SOCKET: 'outer', AO_SESSION_PREFIX: 'leak-', AO_CONFIG: '/x/agents.toml', PATH: '/bin' };
    expect(fleetEnv({ ...entry, tmuxSocket: 'mine', sessionPrefix: 'a-' }, env)).toEqual({ AO_TMUX_SOCKET: 'mine', AO_SESSION_PREFIX: 'a-', PATH: '/bin' });
    expect(fleetEnv({ ...entry, tmuxSocket: null, sessionPrefix: null }, env)).toEqual({ AO_TMUX_SOCKET: 'outer', PATH: '/bin' });
  });

  it("a project loaded with them takes the fleet's socket and prefix over agents.toml's; a bad AO_SESSION_PREFIX is a usage error", () => {
    const dir = demoProject();
    const file = join(dir, 'agents.toml');
    const project = loadProject(file, { AO_TMUX_SOCKET: 'fleet-sock', AO_SESSION_PREFIX: 'web-' });
    expect([project.tmuxSocket, project.sessionPrefix, project.agents[0]?.session]).toEqual(['fleet-sock', 'web-', 'web-orchestrator']);
    expect(loadProject(file, {}).sessionPrefix).toMatch(/^ao-ao-test-\w+-[0-9a-f]{6}-$/);
    expect(() => loadProject(file, { AO_SESSION_PREFIX: 'a:b' })).toThrow(/AO_SESSION_PREFIX "a:b" is not a usable session prefix/);
    removeProject(dir);
  });
});

describe('namespaceClashes', () => {
  const fleet: Fleet = {
    file: '/f/fleet.toml',
    dir: '/f',
    source: '[[projects]]\npath = "a"\n\n[[projects]]\npath = "b"\n\n[[projects]]\npath = "c"\n',
    projects: [],
    hosts: [],
    timeoutMs: 10_000,
  };

  it('names both projects of a shared socket and prefix, at the later one', () => {
    // a project of the same socket and prefix on another host shares nothing
    expect(
      namespaceClashes(fleet, [
        { name: 'a', index: 0, socket: 's', prefix: 'p-' },
        { name: 'b', host: 'gpu', index: 1, socket: 's', prefix: 'p-' },
      ]),
    ).toEqual([]);
    const errors = namespaceClashes(fleet, [
      { name: 'a', index: 0, socket: 's', prefix: 'p-' },
      { name: 'b', index: 1, socket: 't', prefix: 'p-' },
      { name: 'c', index: 2, socket: 's', prefix: 'p-' },
    ]);
    expect(errors.map((e) => e.format('/f'))).toEqual([
      'fleet.toml:7:3: projects.2: projects "a" and "c" would share tmux socket "s" and session prefix "p-", and so each other\'s sessions: give one its own tmux_socket or session_prefix\n7 | [[projects]]\n      ^',
    ]);
  });

  it('the same prefix on other sockets, or other prefixes on one socket, is no clash', () => {
    expect(
      namespaceClashes(fleet, [
        { name: 'a', index: 0, socket: 's', prefix: 'p-' },
        { name: 'b', index: 1, socket: 't', prefix: 'p-' },
        { name: 'c', index: 2, socket: 's', prefix: 'q-' },
      ]),
    ).toEqual([]);
  });
});
