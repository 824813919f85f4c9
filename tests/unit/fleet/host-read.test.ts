import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FleetProject } from '../../../src/config/fleet.js';
import { hostReadScript, newBoundary, parseHostRead } from '../../../src/fleet/host-read.js';

const root = mkdtempSync(join(tmpdir(), 'ao-unit-host-read-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const project = (dir: string, over: Partial<FleetProject> = {}): FleetProject => ({ dir, tmuxSocket: null, sessionPrefix: null, ...over }) as FleetProject;

/** The script run by a real bash, as ssh would run it, with `env`. */
function run(projects: FleetProject[], env: Record<string, string> = {}, ao = 'sh'): ReturnType<typeof parseHostRead> {
  const boundary = newBoundary();
  const stdout = execFileSync('bash', ['-s'], { input: hostReadScript(ao, projects, boundary), env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
  return parseHostRead(stdout, boundary);
}

describe('one read of a host: the script under a real bash, and its sections', () => {
  it('brings each file whole (a last line without a newline, non-ASCII), a missing one as missing, and the state folder a plain state_dir line names', () => {
    const dir = join(root, 'one');
    mkdirSync(join(dir, 'elsewhere'), { recursive: true });
    writeFileSync(join(dir, 'agents.toml'), '[defaults]\nstate_dir = "elsewhere"\n');
    writeFileSync(join(dir, 'elsewhere', 'agents.json'), '{"version": 1,\n"agents": {"é": {}}}');
    const read = run([project(dir)], { AO_TMUX_SOCKET: 'nosuch-socket-of-a-unit-test' })!;
    const sections = read.projects.get(0)!.sections;
    expect(sections.get('state')).toBe(join(dir, 'elsewhere'));
    expect(sections.get('agents')).toBe('{"version": 1,\n"agents": {"é": {}}}');
    expect(sections.get('phase')).toBeNull();
    expect(sections.get('real')).toBe('1');
    expect(sections.get('env')).toBe('nosuch-socket-of-a-unit-test\n');
  });

  it('never reads through a link or from a FIFO: each is marked there and not a file', () => {
    const dir = join(root, 'bad');
    mkdirSync(join(dir, 'state'), { recursive: true });
    writeFileSync(join(dir, 'agents.toml'), '');
    writeFileSync(join(root, 'outside.json'), '{"secret": true}');
    symlinkSync(join(root, 'outside.json'), join(dir, 'state', 'agents.json'));
    execFileSync('mkfifo', [join(dir, 'state', 'phase.json')]);
    const read = run([project(dir)])!.projects.get(0)!;
    expect([...read.bad].sort()).toEqual(['agents', 'phase']);
    expect(read.sections.has('agents')).toBe(false);
  });

  it("gives each project the fleet's socket and prefix overrides, and nothing at all without the host's ao", () => {
    const dir = join(root, 'over');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'agents.toml'), '');
    const read = run([project(dir, { tmuxSocket: 'fleet-sock', sessionPrefix: 'fp-' }), project(dir)], { AO_TMUX_SOCKET: 'login-sock' })!;
    expect(read.projects.get(0)!.sections.get('env')).toBe('fleet-sock\nfp-');
    // the next project of the host has none of them
    expect(read.projects.get(1)!.sections.get('env')).toBe('login-sock\n');
    expect(run([project(dir)], {}, join(root, 'no-such-ao'))).toBeNull();
  });

  it('a cut-short answer is no read', () => {
    const boundary = newBoundary();
    expect(parseHostRead(`\n${boundary} 0:toml\nx`, boundary)).toBeNull();
    expect(parseHostRead('', boundary)).toBeNull();
    const whole = parseHostRead(`\n${boundary} 0:toml\nx\n${boundary} panes s\na\tb\n\n${boundary} panes-code s\n0\n${boundary} end\n`, boundary)!;
    expect(whole.projects.get(0)!.sections.get('toml')).toBe('x');
    expect(whole.panes.get('s')).toEqual({ text: 'a\tb\n', code: 0 });
  });
});
