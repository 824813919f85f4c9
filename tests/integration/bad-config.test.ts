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
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BASE_FILES, FIXTURES, toml, type Fixture } from '../fixtures/bad-configs.js';
import { runAo, serverRunning, team, teamIn, type AoResult, type Team } from '../helpers/ao.js';
import { scratchDir } from '../helpers/scratch.js';

/** The fixture's project on a socket of its own, torn down when the test ends (call it inside the test). */
function fixtureTeam(fixture: Fixture): Team {
  const files: Record<string, string> = { 'agents.toml': fixture.config };
  for (const [path, content] of Object.entries({ ...BASE_FILES, ...fixture.files })) if (content !== null && content !== undefined) files[path] = content;
  return team('badcfg', files, { teardown: 'afterTest' });
}

/** A folder with no agents.toml in it or above it (its real path, as ao names it), on a socket of its own, torn down when the test ends. */
function emptyTeam(): Team {
  return teamIn('badcfg', realpathSync(scratchDir('ao-test-')), { teardown: 'afterTest' });
}

/** Every file and folder under dir, relative, sorted. */
function listing(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).sort();
}

/**
 * Runs one command for the team's project (from `cwd`, by default the project) and checks what every bad-config
 * run must leave: exit 2, no server, no state, no new file.
 */
async function runBad(t: Team, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<AoResult> {
  const before = listing(t.dir);
  const result = await runAo(args, { cwd: options.cwd ?? t.dir, socket: t.socket, ...(options.env ? { env: options.env } : {}) });
  const shown = `ao ${args.join(' ')} -> ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
  expect(result.code, shown).toBe(2);
  expect(await serverRunning(t.socket), `a tmux server is running on ${t.socket}\n${shown}`).toBe(false);
  expect(existsSync(join(t.dir, 'state')), `state/ was created\n${shown}`).toBe(false);
  expect(listing(t.dir), shown).toEqual(before);
  return result;
}

describe('the base fixture', () => {
  it('is valid (so each fixture fails for its own reason only)', async () => {
    const { ao, socket } = fixtureTeam({ name: 'base', config: toml(), expect: [] });
    const result = await ao('check');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('agents.toml: ok (2 agents, 2 phases');
    expect(await serverRunning(socket)).toBe(false);
  });
});

const CASES = FIXTURES.flatMap((fixture) => (['check', 'up', 'status'] as const).map((command): [string, string, Fixture] => [command, fixture.name, fixture]));

describe('bad configs: exit 2, a located message, nothing started', () => {
  it.each(CASES)('ao %s: %s', async (command, _name, fixture) => {
    const result = await runBad(fixtureTeam(fixture), [command]);
    expect(result.stderr).toMatch(/^ao: config error\n/);
    for (const text of fixture.expect) expect(result.stderr).toContain(text);
    expect(result.stdout).toBe('');
  });
});

describe('bad configs found other ways', () => {
  it('from a subfolder, the error names the config by its full path', async () => {
    const t = fixtureTeam(FIXTURES.find((f) => f.name === 'bad enum (heal)')!);
    const dir = t.dir;
    const result = await runBad(t, ['check'], { cwd: join(dir, 'phases') });
    expect(result.stderr).toContain(`${join(dir, 'agents.toml')}:8:1: agents.builder.heal: expected one of none, heal, heal+stall`);
  });

  it.each(['check', 'up', 'status'])('ao %s with -c FILE from elsewhere reports the bad config', async (command) => {
    const t = fixtureTeam(FIXTURES.find((f) => f.name === 'duplicate phase id')!);
    const dir = t.dir;
    const elsewhere = scratchDir('ao-test-');
    const result = await runBad(t, ['-c', join(dir, 'agents.toml'), command], { cwd: elsewhere });
    expect(result.stderr).toContain(`${join(dir, 'agents.toml')}:19:1: phases.1.id: duplicate phase id "one"`);
    expect(listing(elsewhere)).toEqual([]);
  });

  it.each(['check', 'up', 'status'])('ao %s with AO_CONFIG from elsewhere reports the bad config', async (command) => {
    const t = fixtureTeam(FIXTURES.find((f) => f.name === 'bad enum (heal)')!);
    const dir = t.dir;
    const elsewhere = scratchDir('ao-test-');
    const result = await runBad(t, [command], { cwd: elsewhere, env: { AO_CONFIG: join(dir, 'agents.toml') } });
    expect(result.stderr).toContain(`${join(dir, 'agents.toml')}:8:1: agents.builder.heal: expected one of none, heal, heal+stall, got "sometimes"`);
    expect(listing(elsewhere)).toEqual([]);
  });
});

describe('usage errors', () => {
  it('ao up with an unknown agent exits 2 and lists the known agents', async () => {
    const result = await runBad(fixtureTeam({ name: 'base', config: toml(), expect: [] }), ['up', 'nosuch']);
    expect(result.stderr).toContain('unknown agent "nosuch"; this team has: builder, adversary');
  });

  it('ao up with a known and an unknown agent starts neither', async () => {
    const result = await runBad(fixtureTeam({ name: 'base', config: toml(), expect: [] }), ['up', 'builder', 'nosuch']);
    expect(result.stderr).toContain('unknown agent "nosuch"; this team has: builder, adversary');
  });

  it.each(['status', 'check', 'up'])('ao %s with no agents.toml anywhere exits 2 and says what to do', async (command) => {
    const t = emptyTeam();
    const dir = t.dir;
    for (let d = dir; d !== dirname(d); d = dirname(d)) expect(existsSync(join(d, 'agents.toml')), `precondition: ${d} has an agents.toml`).toBe(false);
    const result = await runBad(t, [command]);
    expect(result.stderr).toContain(`ao: no agents.toml found in ${dir} or any folder above it`);
    expect(result.stderr).toContain('ao init');
    expect(result.stderr).toContain('-c FILE');
  });

  it('ao status -c with a missing file exits 2 and names it', async () => {
    const t = emptyTeam();
    const dir = t.dir;
    const result = await runBad(t, ['-c', 'nope.toml', 'status']);
    expect(result.stderr).toContain(`config file not found: ${join(dir, 'nope.toml')}`);
  });

  it('ao status with AO_CONFIG naming a missing file exits 2 and says it came from AO_CONFIG', async () => {
    const t = emptyTeam();
    const dir = t.dir;
    const result = await runBad(t, ['status'], { env: { AO_CONFIG: join(dir, 'nope.toml') } });
    expect(result.stderr).toContain(`config file not found: ${join(dir, 'nope.toml')} (from AO_CONFIG)`);
  });
});
