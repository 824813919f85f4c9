/**
 * Bad configs, driven through the built CLI as a user would run it.
 *
 * DESIGN §4.7: bad input gets a clear error naming the file, line and column and
 * what was expected; nothing is started on a config that does not validate.
 * DESIGN §9: exit code 2 for bad config or usage.
 *
 * Every fixture is the same small valid team broken in one place, so each
 * failure below is the one the fixture is about. Every test runs on its own
 * tmux socket; none of them may leave a server or a state/ folder behind.
 */
import { existsSync, mkdtempSync, readdirSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killServer, makeProject, removeProject, runAo, serverRunning, uniqueSocket, type AoResult } from '../helpers/ao.js';

// prettier-ignore
const BASE_LINES = [
  '# bad-config fixture: a valid team, broken in one place', //  1
  '[defaults]', //                                               2
  'backend = "demo"', //                                         3
  'model = "demo-standard"', //                                  4
  '', //                                                         5
  '[agents.builder]', //                                         6
  'kind = "loop"', //                                            7
  'pace_s = 1', //                                               8
  '', //                                                         9
  '[agents.adversary]', //                                       10
  'kind = "loop"', //                                            11
  'pace_s = 1', //                                               12
  '', //                                                         13
  '[[phases]]', //                                               14
  'id = "one"', //                                               15
  'plan = "01-one.md"', //                                       16
  '', //                                                         17
  '[[phases]]', //                                               18
  'id = "two"', //                                               19
  'plan = "02-two.md"', //                                       20
  'models = { builder = "demo-strong" }', //                     21
];

const KICKOFF = '# Kickoff: {role} of {project}\n\nPhase {phase_id} ({phase_index}/{phase_count}): read {plan_path}.\n\n{role_prompt}\n';

const BASE_FILES: Record<string, string> = {
  'prompts/kickoff.md': KICKOFF,
  'prompts/builder.md': 'You build.\n',
  'prompts/adversary.md': 'You review.\n',
  'phases/01-one.md': '# Phase one\n',
  'phases/02-two.md': '# Phase two\n',
};

/** The base config with lines replaced (1-based; null deletes) and lines appended. */
function toml(replace: Record<number, string | null> = {}, append: string[] = []): string {
  const lines = BASE_LINES.flatMap((text, i) => {
    const n = i + 1;
    if (!(n in replace)) return [text];
    const by = replace[n];
    return by === null || by === undefined ? [] : [by];
  });
  return [...lines, ...append].join('\n') + '\n';
}

interface Fixture {
  name: string;
  /** agents.toml */
  config: string;
  /** files to add or replace (null removes a base file) */
  files?: Record<string, string | null>;
  /** texts stderr must contain, each exactly */
  expect: string[];
}

// prettier-ignore
const FIXTURES: Fixture[] = [
  {
    name: 'TOML syntax error (bare word as a value)',
    config: toml({ 7: 'kind = loop' }),
    // the location, what is wrong, and the offending line with a caret under column 8
    expect: ['agents.toml:7:8: TOML syntax: invalid value', '\n7 | kind = loop\n           ^'],
  },
  {
    name: 'TOML syntax error (a key written twice)',
    config: toml({ 8: 'kind = "task"' }),
    expect: ['agents.toml:8:1: TOML syntax: ', '\n8 | kind = "task"\n    ^'],
  },
  {
    name: 'unknown top-level key',
    config: toml({ 1: 'colour = "red"' }),
    expect: ['agents.toml:1:1: (top level): unknown key "colour" (known keys: defaults, models, agents, phases, watchdog, notify)'],
  },
  {
    name: 'unknown agent key',
    config: toml({ 8: 'colour = "red"' }),
    expect: ['agents.toml:8:1: agents.builder: unknown key "colour" (known keys: kind, backend, model, heal, enabled, prompt, command, args, env, cwd, stall_minutes, kickoff, ready_pattern, notify, pace_s, min_iteration_s, on_phase_advance, budget_usd, resume)'],
  },
  {
    name: 'bad enum (heal)',
    config: toml({ 8: 'heal = "sometimes"' }),
    expect: ['agents.toml:8:1: agents.builder.heal: expected one of none, heal, heal+stall, got "sometimes"', '\n8 | heal = "sometimes"\n    ^'],
  },
  {
    name: 'bad enum (defaults.backend)',
    config: toml({ 3: 'backend = "gpt"' }),
    expect: ['agents.toml:3:1: defaults.backend: expected one of claude, codex, gemini, opencode, aider, shell, demo, got "gpt"'],
  },
  {
    name: 'wrong type (stall_minutes = "ten")',
    config: toml({ 8: 'stall_minutes = "ten"' }),
    expect: ['agents.toml:8:1: agents.builder.stall_minutes: expected a number, got "ten"'],
  },
  {
    name: 'negative number',
    config: toml({ 8: 'stall_minutes = -5' }),
    expect: ['agents.toml:8:1: agents.builder.stall_minutes: expected a number > 0, got -5'],
  },
  {
    name: 'missing kind',
    config: toml({ 7: 'heal = "heal"' }),
    // not written, so the agent's table header is the place to point at
    expect: ['agents.toml:6:2: agents.builder.kind: required key "kind" is missing (one of persistent, loop, task, service)'],
  },
  {
    name: 'missing plan file',
    config: toml({ 16: 'plan = "nosuch.md"' }),
    expect: ['agents.toml:16:1: phases.0.plan: plan file not found: phases/nosuch.md'],
  },
  {
    name: 'missing prompt file given explicitly',
    config: toml({ 8: 'prompt = "prompts/nosuch.md"' }),
    expect: ['agents.toml:8:1: agents.builder.prompt: prompt file not found: prompts/nosuch.md'],
  },
  {
    name: 'phase override naming an unknown role',
    config: toml({ 21: 'models = { ghost = "demo-strong" }' }),
    // the caret belongs under `ghost`, column 12
    expect: [
      'agents.toml:21:12: phases.1.models.ghost: phase "two" overrides the model of "ghost", but the team has no such agent (agents: builder, adversary)',
      '\n21 | models = { ghost = "demo-strong" }\n                ^',
    ],
  },
  {
    name: 'agent name with a dot (quoted key)',
    config: toml({}, ['', '[agents."a.b"]', 'kind = "loop"']),
    expect: ['agents.toml:23:2: agents."a.b": name "a.b" may hold letters, digits, "_" and "-" only (tmux treats ":" "." and spaces specially)'],
  },
  {
    name: 'agent name with a colon (quoted key)',
    config: toml({}, ['', '[agents."a:b"]', 'kind = "loop"']),
    expect: ['agents.toml:23:2: agents."a:b": name "a:b" may hold letters, digits, "_" and "-" only'],
  },
  {
    name: 'agent name with whitespace (quoted key)',
    config: toml({}, ['', '[agents."a b"]', 'kind = "loop"']),
    expect: ['agents.toml:23:2: agents."a b": name "a b" may hold letters, digits, "_" and "-" only'],
  },
  {
    name: 'path escaping the project (prompt = "../x.md")',
    config: toml({ 8: 'prompt = "../x.md"' }),
    expect: ['agents.toml:8:1: agents.builder.prompt: "../x.md" points outside the project folder'],
  },
  {
    name: 'unknown kickoff placeholder {phse_id}',
    config: toml(),
    files: { 'prompts/kickoff.md': '# Kickoff: {role} of {project}\n\nPhase {phse_id}: read {plan_path}.\n' },
    expect: ['prompts/kickoff.md:3:7: unknown placeholder {phse_id}', '\n3 | Phase {phse_id}: read {plan_path}.\n          ^'],
  },
  {
    name: 'missing kickoff template',
    config: toml(),
    files: { 'prompts/kickoff.md': null },
    expect: ['prompts/kickoff.md: the kickoff template is missing'],
  },
  {
    name: 'shell agent without command',
    config: toml({ 8: 'backend = "shell"' }),
    expect: ['agents.toml:6:2: agents.builder.command: a shell agent needs a command'],
  },
  {
    name: 'service without command',
    config: toml({ 7: 'kind = "service"' }),
    expect: ['agents.toml:6:2: agents.builder.command: a service needs a command'],
  },
  {
    name: 'reserved agent name watchdog',
    config: toml({}, ['', '[agents.watchdog]', 'kind = "service"', 'command = "sleep 1000"']),
    expect: ['agents.toml:23:2: agents.watchdog: "watchdog" is reserved for ao\'s own watchdog session'],
  },
  {
    name: 'duplicate phase id',
    config: toml({ 19: 'id = "one"' }),
    expect: ['agents.toml:19:1: phases.1.id: duplicate phase id "one"'],
  },
  {
    name: 'no [[phases]]',
    config: toml({ 13: null, 14: null, 15: null, 16: null, 17: null, 18: null, 19: null, 20: null, 21: null }),
    expect: ['agents.toml: phases: no [[phases]]: add at least one [[phases]] table with an id and a plan'],
  },
  {
    name: 'invalid ready_pattern regex',
    config: toml({ 7: 'kind = "persistent"', 8: 'ready_pattern = "(unclosed"' }),
    expect: ['agents.toml:8:1: agents.builder.ready_pattern: not a valid regular expression'],
  },
  {
    name: 'unknown [notify] key',
    config: toml({}, ['', '[notify]', 'webhok = "https://example.com/hook"']),
    expect: ['agents.toml:24:1: notify: unknown key "webhok" (known keys: webhook, command, events, timeout_s)'],
  },
  {
    name: '[notify] with neither a webhook nor a command',
    config: toml({}, ['', '[notify]', 'events = ["failed"]']),
    expect: ['agents.toml:23:2: notify: a [notify] table needs webhook = "https://..." or command = ["prog", "arg"] (or both)'],
  },
  {
    name: '[notify] webhook that is not a URL',
    config: toml({}, ['', '[notify]', 'webhook = "hooks.slack.com/services/T0/B0/x"']),
    expect: ['agents.toml:24:1: notify.webhook: not a URL: "hooks.slack.com/services/T0/B0/x" (write the full address, https://...)'],
  },
  {
    name: '[notify] command as a string',
    config: toml({}, ['', '[notify]', 'command = "notify-send ao"']),
    expect: ['agents.toml:24:1: notify.command: expected an array, got "notify-send ao"'],
  },
  {
    name: '[notify] event under a name ao does not record',
    config: toml({}, ['', '[notify]', 'webhook = "https://example.com/hook"', 'events = ["failed", "phase-advanced", "faild"]']),
    // each caret under its own element
    expect: [
      'agents.toml:25:21: notify.events.1: "phase-advanced" is not an event ao records; ao records it as "phase-advance"',
      '\n25 | events = ["failed", "phase-advanced", "faild"]\n                         ^',
      'agents.toml:25:39: notify.events.2: unknown event "faild" (ao\'s events are the names `ao events` shows; the default list is failed, paused,',
    ],
  },
  {
    name: 'several problems at once are all reported',
    config: toml({ 8: 'prompt = "prompts/nosuch.md"', 16: 'plan = "nosuch.md"' }),
    expect: ['agents.toml:8:1: agents.builder.prompt: prompt file not found: prompts/nosuch.md', 'agents.toml:16:1: phases.0.plan: plan file not found: phases/nosuch.md'],
  },
];

function fixtureProject(fixture: Fixture): string {
  const files: Record<string, string> = { 'agents.toml': fixture.config };
  for (const [path, content] of Object.entries({ ...BASE_FILES, ...fixture.files })) if (content !== null && content !== undefined) files[path] = content;
  return makeProject(files);
}

/** Every file and folder under dir, relative, sorted. */
function listing(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).sort();
}

const projects: string[] = [];
const sockets: string[] = [];

function newSocket(): string {
  const socket = uniqueSocket('badcfg');
  sockets.push(socket);
  return socket;
}

afterEach(async () => {
  // only our own servers, by their own sockets; normally there are none
  for (const socket of sockets.splice(0)) await killServer(socket);
});

afterAll(() => {
  for (const dir of projects.splice(0)) removeProject(dir);
});

/** Runs one command and checks what every bad-config run must leave: exit 2, no server, no state, no new file. */
async function runBad(args: string[], cwd: string, project: string, env?: Record<string, string>): Promise<AoResult> {
  const socket = newSocket();
  const before = listing(project);
  const result = await runAo(args, { cwd, socket, ...(env ? { env } : {}) });
  const shown = `ao ${args.join(' ')} -> ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
  expect(result.code, shown).toBe(2);
  expect(await serverRunning(socket), `a tmux server is running on ${socket}\n${shown}`).toBe(false);
  expect(existsSync(join(project, 'state')), `state/ was created\n${shown}`).toBe(false);
  expect(listing(project), shown).toEqual(before);
  return result;
}

describe('the base fixture', () => {
  it('is valid (so each fixture fails for its own reason only)', async () => {
    const dir = fixtureProject({ name: 'base', config: toml(), expect: [] });
    projects.push(dir);
    const socket = newSocket();
    const result = await runAo(['check'], { cwd: dir, socket });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('agents.toml: ok (2 agents, 2 phases');
    expect(await serverRunning(socket)).toBe(false);
  });
});

const CASES = FIXTURES.flatMap((fixture) => (['check', 'up', 'status'] as const).map((command): [string, string, Fixture] => [command, fixture.name, fixture]));

describe('bad configs: exit 2, a located message, nothing started', () => {
  it.each(CASES)('ao %s: %s', async (command, _name, fixture) => {
    const dir = fixtureProject(fixture);
    projects.push(dir);
    const result = await runBad([command], dir, dir);
    expect(result.stderr).toMatch(/^ao: config error\n/);
    for (const text of fixture.expect) expect(result.stderr).toContain(text);
    expect(result.stdout).toBe('');
  });
});

describe('bad configs found other ways', () => {
  it('from a subfolder, the error names the config by its full path', async () => {
    const dir = fixtureProject(FIXTURES.find((f) => f.name === 'bad enum (heal)')!);
    projects.push(dir);
    const sub = join(dir, 'phases');
    const result = await runBad(['check'], sub, dir);
    expect(result.stderr).toContain(`${join(dir, 'agents.toml')}:8:1: agents.builder.heal: expected one of none, heal, heal+stall`);
  });

  it.each(['check', 'up', 'status'])('ao %s with -c FILE from elsewhere reports the bad config', async (command) => {
    const dir = fixtureProject(FIXTURES.find((f) => f.name === 'duplicate phase id')!);
    projects.push(dir);
    const elsewhere = mkdtempSync(join(tmpdir(), 'ao-test-'));
    projects.push(elsewhere);
    const result = await runBad(['-c', join(dir, 'agents.toml'), command], elsewhere, dir);
    expect(result.stderr).toContain(`${join(dir, 'agents.toml')}:19:1: phases.1.id: duplicate phase id "one"`);
    expect(listing(elsewhere)).toEqual([]);
  });

  it.each(['check', 'up', 'status'])('ao %s with AO_CONFIG from elsewhere reports the bad config', async (command) => {
    const dir = fixtureProject(FIXTURES.find((f) => f.name === 'bad enum (heal)')!);
    projects.push(dir);
    const elsewhere = mkdtempSync(join(tmpdir(), 'ao-test-'));
    projects.push(elsewhere);
    const result = await runBad([command], elsewhere, dir, { AO_CONFIG: join(dir, 'agents.toml') });
    expect(result.stderr).toContain(`${join(dir, 'agents.toml')}:8:1: agents.builder.heal: expected one of none, heal, heal+stall, got "sometimes"`);
    expect(listing(elsewhere)).toEqual([]);
  });
});

describe('usage errors', () => {
  it('ao up with an unknown agent exits 2 and lists the known agents', async () => {
    const dir = fixtureProject({ name: 'base', config: toml(), expect: [] });
    projects.push(dir);
    const result = await runBad(['up', 'nosuch'], dir, dir);
    expect(result.stderr).toContain('unknown agent "nosuch"; this team has: builder, adversary');
  });

  it('ao up with a known and an unknown agent starts neither', async () => {
    const dir = fixtureProject({ name: 'base', config: toml(), expect: [] });
    projects.push(dir);
    const result = await runBad(['up', 'builder', 'nosuch'], dir, dir);
    expect(result.stderr).toContain('unknown agent "nosuch"; this team has: builder, adversary');
  });

  it.each(['status', 'check', 'up'])('ao %s with no agents.toml anywhere exits 2 and says what to do', async (command) => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'ao-test-')));
    projects.push(dir);
    for (let d = dir; d !== dirname(d); d = dirname(d)) expect(existsSync(join(d, 'agents.toml')), `precondition: ${d} has an agents.toml`).toBe(false);
    const result = await runBad([command], dir, dir);
    expect(result.stderr).toContain(`ao: no agents.toml found in ${dir} or any folder above it`);
    expect(result.stderr).toContain('ao init');
    expect(result.stderr).toContain('-c FILE');
  });

  it('ao status -c with a missing file exits 2 and names it', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'ao-test-')));
    projects.push(dir);
    const result = await runBad(['-c', 'nope.toml', 'status'], dir, dir);
    expect(result.stderr).toContain(`config file not found: ${join(dir, 'nope.toml')}`);
  });

  it('ao status with AO_CONFIG naming a missing file exits 2 and says it came from AO_CONFIG', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'ao-test-')));
    projects.push(dir);
    const result = await runBad(['status'], dir, dir, { AO_CONFIG: join(dir, 'nope.toml') });
    expect(result.stderr).toContain(`config file not found: ${join(dir, 'nope.toml')} (from AO_CONFIG)`);
  });
});
