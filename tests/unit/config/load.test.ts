import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, it, expect } from 'vitest';
import { getBackend } from '../../../src/backends/index.js';
import { CONFIG_FILE, defaultSessionPrefix, findConfig, loadProject, pathHash } from '../../../src/config/load.js';
import { modelFor } from '../../../src/config/resolve.js';
import { BACKEND_NAMES, type AgentKind, type BackendName, type Project } from '../../../src/config/types.js';
import { ConfigError, UsageError } from '../../../src/errors.js';
import { demoProject, makeProject, removeProject } from '../../helpers/ao.js';

// Unit tests: loadProject reads files only; nothing here starts tmux.

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) removeProject(dir);
});

function demo(): string {
  const dir = demoProject();
  made.push(dir);
  return dir;
}

const KICKOFF = '# {role} of {project}\n\n{role_prompt}\n';

/** A small valid project; `toml` replaces agents.toml, `files` adds or replaces files. */
function project(toml: string, files: Record<string, string> = {}): string {
  const dir = makeProject({ 'agents.toml': toml, 'prompts/kickoff.md': KICKOFF, 'phases/01.md': '# plan one\n', ...files });
  made.push(dir);
  return dir;
}

const ONE_PHASE = '[[phases]]\nid = "one"\nplan = "01.md"\n';

function load(dir: string, env: NodeJS.ProcessEnv = {}): Project {
  return loadProject(join(dir, CONFIG_FILE), env);
}

/** Every file and folder under dir, relative, sorted. */
function listing(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).sort();
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, but the config loaded');
}

describe('loadProject: the demo project', () => {
  it('resolves a fresh copy of the demo project', () => {
    const dir = demo();
    const p = load(dir);
    expect(p.name).toBe(basename(dir));
    expect(p.dir).toBe(dir);
    expect(p.configFile).toBe(join(dir, 'agents.toml'));
    expect(p.stateDir).toBe(join(dir, 'state'));
    expect(p.kickoffTemplatePath).toBe(join(dir, 'prompts', 'kickoff.md'));
    expect(p.kickoffTemplate).toBe(readFileSync(join(dir, 'prompts', 'kickoff.md'), 'utf8'));
    expect(p.defaultModel).toBe('demo-standard');
    expect(p.models).toEqual({ standard: 'demo-standard', strong: 'demo-strong' });
    expect(p.agents.map((a) => [a.name, a.kind, a.backend, a.heal, a.enabled])).toEqual([
      ['orchestrator', 'persistent', 'demo', 'heal', true],
      ['builder', 'loop', 'demo', 'heal+stall', true],
      ['adversary', 'loop', 'demo', 'heal+stall', true],
    ]);
    expect(p.phases.map((ph) => [ph.id, ph.plan, ph.planPath])).toEqual([
      ['scaffold', '01-scaffold.md', join(dir, 'phases', '01-scaffold.md')],
      ['feature', '02-feature.md', join(dir, 'phases', '02-feature.md')],
      ['polish', '03-polish.md', join(dir, 'phases', '03-polish.md')],
    ]);
  });

  it('names sessions prefix + agent name, with the default prefix ao-<folder>-<hash of its path>-', () => {
    const dir = demo();
    const p = load(dir);
    const prefix = `ao-${basename(dir)}-${pathHash(dir)}-`;
    expect(p.sessionPrefix).toMatch(new RegExp(`^ao-${basename(dir)}-[0-9a-f]{6}-$`));
    expect(p.sessionPrefix).toBe(prefix);
    expect(p.agents.map((a) => a.session)).toEqual([`${prefix}orchestrator`, `${prefix}builder`, `${prefix}adversary`]);
  });

  it('applies the defaults table and the conventional prompts', () => {
    const dir = demo();
    const p = load(dir);
    for (const a of p.agents) {
      expect(a.stallMinutes).toBe(10); // [defaults] stall_minutes
      expect(a.prompt).toBe(join(dir, 'prompts', `${a.name}.md`));
      expect(a.cwd).toBe(dir);
      expect(a.args).toEqual([]);
      expect(a.env).toEqual({});
      expect(a.command).toBeNull();
      expect(a.readyPattern).toBeNull();
    }
    expect(p.agents.find((a) => a.name === 'builder')?.paceS).toBe(2);
    expect(p.agents.find((a) => a.name === 'orchestrator')?.paceS).toBeNull();
  });

  it('resolves each role per phase: the feature phase gives the builder the strong model', () => {
    const p = load(demo());
    const table = p.phases.map((ph) => p.agents.map((a) => `${a.name}=${modelFor(p, a, ph)}`).join(' '));
    expect(table).toEqual([
      'orchestrator=demo-standard builder=demo-standard adversary=demo-standard',
      'orchestrator=demo-standard builder=demo-strong adversary=demo-standard',
      'orchestrator=demo-standard builder=demo-standard adversary=demo-standard',
    ]);
  });

  it('uses the default socket "ao", defaults.tmux_socket, and AO_TMUX_SOCKET over both', () => {
    const dir = demo();
    expect(load(dir).tmuxSocket).toBe('ao');
    expect(load(dir, { AO_TMUX_SOCKET: '' }).tmuxSocket).toBe('ao');
    expect(load(dir, { AO_TMUX_SOCKET: 'mine' }).tmuxSocket).toBe('mine');
    const toml = readFileSync(join(dir, 'agents.toml'), 'utf8').replace('[defaults]\n', '[defaults]\ntmux_socket = "team-sock"\n');
    writeFileSync(join(dir, 'agents.toml'), toml);
    expect(load(dir).tmuxSocket).toBe('team-sock');
    expect(load(dir, { AO_TMUX_SOCKET: 'mine' }).tmuxSocket).toBe('mine');
  });

  it('rejects an AO_TMUX_SOCKET that is no usable socket name', () => {
    // the fault is in the environment, not in the file: a usage error (exit 2) that names the variable
    expect(() => load(demo(), { AO_TMUX_SOCKET: 'a b/c' })).toThrow(UsageError);
    expect(() => load(demo(), { AO_TMUX_SOCKET: 'a b/c' })).toThrow('AO_TMUX_SOCKET "a b/c" is not a usable tmux socket name');
  });

  it('has the documented watchdog defaults', () => {
    expect(load(demo()).watchdog).toEqual({
      backoffInitialS: 1,
      backoffMaxS: 60,
      healthyAfterS: 30,
      crashLimit: 5,
      crashWindowS: 300,
      stallCheckS: 30,
      restartLimit: 10,
      restartWindowS: 1800,
      logMaxMb: 10,
      nonConvergenceFails: 3,
      probeInitialS: 60,
      probeMaxS: 1800,
      resumeMarginS: 30,
    });
  });

  it('is read-only: loading creates no file and no folder', () => {
    const dir = demo();
    const before = listing(dir);
    load(dir);
    expect(listing(dir)).toEqual(before);
    expect(existsSync(join(dir, 'state'))).toBe(false);
  });
});

describe('loadProject: defaults per kind and backend', () => {
  const kinds: AgentKind[] = ['persistent', 'loop', 'task', 'service'];

  it.each([
    ['persistent', 'heal'],
    ['loop', 'heal+stall'],
    ['task', 'none'],
    ['service', 'heal'],
  ])('heal defaults to %s -> %s', (kind, heal) => {
    const dir = project(`[agents.a]\nkind = "${kind}"\ncommand = "true"\n\n${ONE_PHASE}`);
    expect(load(dir).agents[0]?.heal).toBe(heal);
  });

  it('an explicit heal wins over the default of the kind', () => {
    const dir = project(`[agents.a]\nkind = "loop"\nheal = "none"\n\n${ONE_PHASE}`);
    expect(load(dir).agents[0]?.heal).toBe('none');
  });

  it.each([
    ['persistent', 'paste'],
    ['loop', 'arg'],
    ['task', 'arg'],
    ['service', 'none'],
  ])('claude: kickoff defaults for %s to %s (TUI pasted, one-shot by argument)', (kind, kickoff) => {
    const dir = project(`[agents.a]\nkind = "${kind}"\nbackend = "claude"\ncommand = "true"\n\n${ONE_PHASE}`);
    expect(load(dir).agents[0]?.kickoff).toBe(kickoff);
  });

  const combos = BACKEND_NAMES.flatMap((backend) => kinds.map((kind) => ({ backend, kind })));
  it.each(combos)(
    '$backend $kind: kickoff defaults to what the backend says ("none" for a service)',
    ({ backend, kind }: { backend: BackendName; kind: AgentKind }) => {
      const dir = project(`[agents.a]\nkind = "${kind}"\nbackend = "${backend}"\ncommand = "true"\n\n${ONE_PHASE}`);
      const agent = load(dir).agents[0];
      expect(agent?.backend).toBe(backend);
      expect(agent?.kickoff).toBe(kind === 'service' ? 'none' : getBackend(backend).defaultKickoff(kind));
    },
  );

  it('the backend falls back to defaults.backend, then to demo', () => {
    const dir = project(`[defaults]\nbackend = "codex"\n\n[agents.a]\nkind = "loop"\n\n[agents.b]\nkind = "loop"\nbackend = "gemini"\n\n${ONE_PHASE}`);
    expect(load(dir).agents.map((a) => a.backend)).toEqual(['codex', 'gemini']);
    const bare = project(`[agents.a]\nkind = "loop"\n\n${ONE_PHASE}`);
    expect(load(bare).agents[0]?.backend).toBe('demo');
  });

  it('an explicit kickoff wins over the backend default', () => {
    const dir = project(`[agents.a]\nkind = "persistent"\nbackend = "claude"\nkickoff = "stdin"\n\n${ONE_PHASE}`);
    expect(load(dir).agents[0]?.kickoff).toBe('stdin');
  });

  it('stall_minutes: the agent, else defaults, else 15', () => {
    const dir = project(`[defaults]\nstall_minutes = 7\n\n[agents.a]\nkind = "loop"\n\n[agents.b]\nkind = "loop"\nstall_minutes = 2.5\n\n${ONE_PHASE}`);
    expect(load(dir).agents.map((a) => a.stallMinutes)).toEqual([7, 2.5]);
    expect(load(project(`[agents.a]\nkind = "loop"\n\n${ONE_PHASE}`)).agents[0]?.stallMinutes).toBe(15);
  });
});

describe('loadProject: names and paths', () => {
  it('reads min_iteration_s, with a default of a few seconds; a negative one is a config error', () => {
    const dir = project(`[agents.builder]\nkind = "loop"\nmin_iteration_s = 0.5\n\n[agents.other]\nkind = "loop"\n\n${ONE_PHASE}`);
    const p = load(dir);
    expect(p.agents.map((a) => a.minIterationS)).toEqual([0.5, 3]);
    const bad = project(`[agents.builder]\nkind = "loop"\nmin_iteration_s = -1\n\n${ONE_PHASE}`);
    expect(() => load(bad)).toThrow(/min_iteration_s/);
  });

  it('uses session_prefix as given', () => {
    const dir = project(`[defaults]\nsession_prefix = "team-"\n\n[agents.builder]\nkind = "loop"\n\n${ONE_PHASE}`);
    const p = load(dir);
    expect(p.sessionPrefix).toBe('team-');
    expect(p.agents[0]?.session).toBe('team-builder');
  });

  it('turns a folder name tmux would choke on into a usable default prefix', () => {
    const parent = mkdtempSync(join(tmpdir(), 'ao-test-'));
    made.push(parent);
    const dir = join(parent, 'My proj.v2:x');
    mkdirSync(join(dir, 'prompts'), { recursive: true });
    mkdirSync(join(dir, 'phases'));
    writeFileSync(join(dir, 'agents.toml'), `[agents.builder]\nkind = "loop"\n\n${ONE_PHASE}`);
    writeFileSync(join(dir, 'prompts', 'kickoff.md'), KICKOFF);
    writeFileSync(join(dir, 'phases', '01.md'), 'plan');
    const p = load(dir);
    expect(p.name).toBe('My proj.v2:x');
    expect(p.sessionPrefix).toBe(`ao-My-proj-v2-x-${pathHash(dir)}-`);
    expect(p.agents[0]?.session).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('gives look-alike folders different default prefixes: a/same and b/same, "my proj" and "my-proj"', () => {
    const prefixes = ['/w/a/same', '/w/b/same', '/w/my proj', '/w/my-proj'].map(defaultSessionPrefix);
    expect(new Set(prefixes).size).toBe(4);
    expect(prefixes[0]).toMatch(/^ao-same-[0-9a-f]{6}-$/);
    expect(prefixes[2]).toMatch(/^ao-my-proj-[0-9a-f]{6}-$/);
    // stable: the same folder always gets the same prefix
    expect(defaultSessionPrefix('/w/a/same')).toBe(prefixes[0]);
  });

  it('resolves state_dir, prompt and cwd inside the project', () => {
    const dir = project(`[defaults]\nstate_dir = "run/state"\n\n[agents.a]\nkind = "loop"\nprompt = "roles/a.md"\ncwd = "src"\n\n${ONE_PHASE}`, {
      'roles/a.md': 'be a',
      'src/.keep': '',
    });
    const p = load(dir);
    expect(p.stateDir).toBe(join(dir, 'run', 'state'));
    expect(p.agents[0]?.prompt).toBe(join(dir, 'roles', 'a.md'));
    expect(p.agents[0]?.cwd).toBe(join(dir, 'src'));
  });

  it('an agent without prompts/<name>.md and no prompt key has no prompt', () => {
    expect(load(project(`[agents.a]\nkind = "loop"\n\n${ONE_PHASE}`)).agents[0]?.prompt).toBeNull();
  });
});

describe('loadProject: errors', () => {
  const BASE = '[agents.builder]\nkind = "loop"\n\n[agents.adversary]\nkind = "loop"\n\n' + ONE_PHASE;

  it('a TOML syntax error names the file, line and column and shows the line', () => {
    const dir = project('[agents.builder]\nkind = loop\n');
    const error = configError(() => load(dir));
    expect(error.file).toBe(join(dir, 'agents.toml'));
    expect([error.line, error.column]).toEqual([2, 8]);
    expect(error.message).toMatch(/^TOML syntax: /);
    expect(error.excerpt).toBe('2 | kind = loop\n           ^');
    expect(error.exitCode).toBe(2);
  });

  it('reports every schema problem in one pass, each with its line', () => {
    const dir = project('[agents.builder]\nkind = "loop"\nheal = "sometimes"\ncolour = "red"\n\n' + ONE_PHASE);
    const error = configError(() => load(dir));
    const all = [error, ...error.others].map((e) => `${e.line}:${e.column} ${e.message}`).sort();
    expect(all).toEqual([
      '3:1 agents.builder.heal: expected one of none, heal, heal+stall, got "sometimes"',
      expect.stringMatching(/^4:1 agents\.builder: unknown key "colour"/),
    ]);
  });

  it('reports every semantic problem in one pass', () => {
    const dir = project('[agents.builder]\nkind = "loop"\nprompt = "prompts/nope.md"\nready_pattern = "(x"\n\n[[phases]]\nid = "one"\nplan = "nope.md"\n');
    const error = configError(() => load(dir));
    expect([error, ...error.others].map((e) => e.line).sort()).toEqual([3, 4, 8]);
    expect(error.format(dir)).toContain('agents.toml:8:1: phases.0.plan: plan file not found: phases/nope.md');
  });

  it('an unknown kickoff placeholder names prompts/kickoff.md with its line and column', () => {
    const dir = project(BASE, { 'prompts/kickoff.md': '# Kickoff\n\nphase {phse_id} of {project}\n' });
    const error = configError(() => load(dir));
    expect(error.file).toBe(join(dir, 'prompts', 'kickoff.md'));
    expect([error.line, error.column]).toEqual([3, 7]);
    expect(error.format(dir)).toContain('prompts/kickoff.md:3:7: unknown placeholder {phse_id}');
  });

  it('a missing kickoff template names it', () => {
    const dir = project(BASE);
    removeProject(join(dir, 'prompts', 'kickoff.md'));
    const error = configError(() => load(dir));
    expect(error.file).toBe(join(dir, 'prompts', 'kickoff.md'));
    expect(error.message).toContain('kickoff template is missing');
  });

  it('a missing agents.toml is a ConfigError naming it', () => {
    const dir = project(BASE);
    const error = configError(() => loadProject(join(dir, 'nope.toml'), {}));
    expect(error.file).toBe(join(dir, 'nope.toml'));
  });

  it.each([
    {
      name: 'a phase override naming an unknown role',
      toml: BASE + 'models = { ghost = "x" }\n',
      text: 'phases.0.models.ghost: phase "one" overrides the model of "ghost", but the team has no such agent (agents: builder, adversary)',
      line: 10,
    },
    {
      name: 'a phase override naming a role called like an Object.prototype member',
      toml: BASE + 'models = { toString = "x" }\n',
      text: 'phases.0.models.toString: phase "one" overrides the model of "toString", but the team has no such agent',
      line: 10,
    },
    { name: 'the reserved name watchdog', toml: BASE + '\n[agents.watchdog]\nkind = "loop"\n', text: 'agents.watchdog: "watchdog" is reserved', line: 11 },
    { name: 'an agent name with a dot', toml: BASE + '\n[agents."a.b"]\nkind = "loop"\n', text: 'agents."a.b": name "a.b" may hold letters, digits', line: 11 },
    { name: 'an agent name with a colon', toml: BASE + '\n[agents."a:b"]\nkind = "loop"\n', text: 'agents."a:b": name "a:b" may hold', line: 11 },
    { name: 'an agent name with a space', toml: BASE + '\n[agents."a b"]\nkind = "loop"\n', text: 'agents."a b": name "a b" may hold', line: 11 },
    {
      name: 'a prompt outside the project',
      toml: BASE.replace('kind = "loop"', 'kind = "loop"\nprompt = "../x.md"'),
      text: 'agents.builder.prompt: "../x.md" points outside the project folder',
      line: 3,
    },
    {
      name: 'an absolute prompt outside the project',
      toml: BASE.replace('kind = "loop"', 'kind = "loop"\nprompt = "/etc/passwd"'),
      text: 'agents.builder.prompt: "/etc/passwd" points outside the project folder',
      line: 3,
    },
    {
      name: 'a cwd outside the project',
      toml: BASE.replace('kind = "loop"', 'kind = "loop"\ncwd = ".."'),
      text: 'agents.builder.cwd: ".." points outside the project folder',
      line: 3,
    },
    {
      name: 'a state_dir outside the project',
      toml: '[defaults]\nstate_dir = "../state"\n\n' + BASE,
      text: 'defaults.state_dir: "../state" points outside the project folder',
      line: 2,
    },
    {
      name: 'a plan outside phases/',
      toml: BASE.replace('plan = "01.md"', 'plan = "../agents.toml"'),
      text: 'phases.0.plan: "../agents.toml" points outside the phases/ folder',
      line: 9,
    },
    { name: 'a missing plan', toml: BASE.replace('plan = "01.md"', 'plan = "02.md"'), text: 'phases.0.plan: plan file not found: phases/02.md', line: 9 },
    {
      name: 'a missing prompt',
      toml: BASE.replace('kind = "loop"', 'kind = "loop"\nprompt = "prompts/nope.md"'),
      text: 'agents.builder.prompt: prompt file not found: prompts/nope.md',
      line: 3,
    },
    {
      name: 'a missing cwd',
      toml: BASE.replace('kind = "loop"', 'kind = "loop"\ncwd = "nope"'),
      text: 'agents.builder.cwd: working folder not found: nope',
      line: 3,
    },
    {
      name: 'a shell agent without command',
      toml: BASE.replace('kind = "loop"', 'kind = "loop"\nbackend = "shell"'),
      text: 'agents.builder.command: a shell agent needs a command',
      line: 1,
    },
    {
      name: 'a service without command',
      toml: BASE.replace('kind = "loop"', 'kind = "service"'),
      text: 'agents.builder.command: a service needs a command',
      line: 1,
    },
    {
      name: 'a bad ready_pattern',
      toml: BASE.replace('kind = "loop"', 'kind = "persistent"\nready_pattern = "[unclosed"'),
      text: 'agents.builder.ready_pattern: not a valid regular expression',
      line: 3,
    },
    { name: 'a duplicate phase id', toml: BASE + '\n[[phases]]\nid = "one"\nplan = "01.md"\n', text: 'phases.1.id: duplicate phase id "one"', line: 12 },
    { name: 'no [[phases]]', toml: BASE.replace(ONE_PHASE, ''), text: 'phases: ', line: undefined },
    { name: 'an empty phases array', toml: 'phases = []\n\n' + BASE.replace(ONE_PHASE, ''), text: 'phases: at least one [[phases]] entry', line: 1 },
    { name: 'no agents', toml: '[agents]\n\n' + ONE_PHASE, text: 'agents: the team has no agents', line: 1 },
    { name: 'a phase id that cannot name a file', toml: BASE.replace('id = "one"', 'id = "a/b"'), text: 'phases.0.id: letters, digits', line: 8 },
  ])('$name', ({ toml, text, line }) => {
    const dir = project(toml);
    const error = configError(() => load(dir));
    const all = [error, ...error.others];
    const hit = all.find((e) => e.message.includes(text));
    expect(hit, `no error contains ${JSON.stringify(text)}; got:\n${error.format(dir)}`).toBeDefined();
    expect(hit?.file).toBe(join(dir, 'agents.toml'));
    expect(hit?.line).toBe(line);
  });
});

describe('findConfig', () => {
  it('walks up from a subfolder to the nearest agents.toml', () => {
    const dir = demo();
    const deep = join(dir, 'phases', 'a', 'b');
    mkdirSync(deep, { recursive: true });
    expect(findConfig({ cwd: deep, env: {} })).toBe(join(dir, 'agents.toml'));
    expect(findConfig({ cwd: dir, env: {} })).toBe(join(dir, 'agents.toml'));
  });

  it('stops at the nearest agents.toml, not an outer one', () => {
    const outer = demo();
    const inner = join(outer, 'sub', 'team');
    mkdirSync(join(inner, 'x'), { recursive: true });
    writeFileSync(join(inner, 'agents.toml'), '');
    expect(findConfig({ cwd: join(inner, 'x'), env: {} })).toBe(join(inner, 'agents.toml'));
  });

  it('-c names the file, relative to the working folder', () => {
    const dir = demo();
    writeFileSync(join(dir, 'other.toml'), '');
    const elsewhere = mkdtempSync(join(tmpdir(), 'ao-test-'));
    made.push(elsewhere);
    expect(findConfig({ config: 'other.toml', cwd: dir, env: {} })).toBe(join(dir, 'other.toml'));
    expect(findConfig({ config: join(dir, 'other.toml'), cwd: elsewhere, env: {} })).toBe(join(dir, 'other.toml'));
  });

  it('AO_CONFIG names the file like -c, and -c wins over it', () => {
    const dir = demo();
    writeFileSync(join(dir, 'other.toml'), '');
    const elsewhere = mkdtempSync(join(tmpdir(), 'ao-test-'));
    made.push(elsewhere);
    expect(findConfig({ cwd: elsewhere, env: { AO_CONFIG: join(dir, 'agents.toml') } })).toBe(join(dir, 'agents.toml'));
    expect(findConfig({ cwd: dir, env: { AO_CONFIG: 'other.toml' } })).toBe(join(dir, 'other.toml'));
    expect(findConfig({ config: 'agents.toml', cwd: dir, env: { AO_CONFIG: 'other.toml' } })).toBe(join(dir, 'agents.toml'));
  });

  it('AO_CONFIG wins over walking up', () => {
    const a = demo();
    const b = demo();
    expect(findConfig({ cwd: a, env: { AO_CONFIG: join(b, 'agents.toml') } })).toBe(join(b, 'agents.toml'));
  });

  it('an empty AO_CONFIG is ignored', () => {
    const dir = demo();
    expect(findConfig({ cwd: dir, env: { AO_CONFIG: '' } })).toBe(join(dir, 'agents.toml'));
  });

  it('a missing -c or AO_CONFIG file is a usage error naming it', () => {
    const dir = demo();
    expect(() => findConfig({ config: 'nope.toml', cwd: dir, env: {} })).toThrow(UsageError);
    expect(() => findConfig({ config: 'nope.toml', cwd: dir, env: {} })).toThrow(`config file not found: ${join(dir, 'nope.toml')}`);
    expect(() => findConfig({ cwd: dir, env: { AO_CONFIG: 'nope.toml' } })).toThrow(`config file not found: ${join(dir, 'nope.toml')} (from AO_CONFIG)`);
  });

  it('no agents.toml anywhere above is a usage error that says what to do', () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'ao-test-')));
    made.push(dir);
    for (let d = dir; d !== dirname(d); d = dirname(d)) expect(existsSync(join(d, 'agents.toml')), `precondition: ${d} has an agents.toml`).toBe(false);
    expect(() => findConfig({ cwd: dir, env: {} })).toThrow(UsageError);
    expect(() => findConfig({ cwd: dir, env: {} })).toThrow(`no agents.toml found in ${dir} or any folder above it`);
  });
});
