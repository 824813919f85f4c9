import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { launchArgvs } from '../../../src/cli/checks.js';
import {
  credentialCheck,
  doctorExitCode,
  flagsOf,
  missingFlags,
  programCheck,
  sessionsCheck,
  stateDirCheck,
  systemdCheck,
  tmuxCheck,
  type ProgramFacts,
} from '../../../src/cli/doctor-checks.js';
import { agentPrograms, findProgram, requirePrograms } from '../../../src/cli/programs.js';
import { loadProject } from '../../../src/config/load.js';
import { UsageError } from '../../../src/errors.js';
import { makeProject, removeProject } from '../../helpers/ao.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeProject));

function load(agents: string) {
  const dir = makeProject({ 'agents.toml': `${agents}\n[[phases]]\nid = "one"\nplan = "one.md"\n`, 'prompts/kickoff.md': 'go\n', 'phases/one.md': '# one\n' });
  dirs.push(dir);
  return loadProject(join(dir, 'agents.toml'), {});
}

describe('flags ao passes, from the backends’ own command lines', () => {
  it('a word before the first flag is the subcommand; values and what follows -- are not flags', () => {
    expect(flagsOf(['codex', 'exec', '--json', '--model', 'gpt-5', '--sandbox=workspace-write', '--'])).toEqual({
      subcommand: ['exec'],
      flags: ['--json', '--model', '--sandbox'],
    });
    expect(flagsOf(['claude', '-p', '--settings', '{"hooks":{}}', '--', '--not-a-flag'])).toEqual({ subcommand: [], flags: ['-p', '--settings'] });
  });

  it('a Claude loop and a Claude persistent agent that resumes: every flag their argv carries, a new and a continued conversation', () => {
    const project = load('[agents.builder]\nkind = "loop"\nbackend = "claude"\nmodel = "m"\n[agents.boss]\nkind = "persistent"\nbackend = "claude"\n');
    const flags = (name: string) =>
      [
        ...new Set(
          launchArgvs(
            project,
            project.agents.find((a) => a.name === name)!,
          ).flatMap((a) => flagsOf(a).flags),
        ),
      ].sort();
    expect(flags('builder')).toEqual(['--model', '--output-format', '--settings', '--verbose', '-p']);
    expect(flags('boss')).toEqual(['--resume', '--session-id', '--settings']);
  });

  it('a flag counts in --help only as a word of its own', () => {
    const help = 'Usage: x [options]\n  -p, --print  print\n  --output-format <format>\n  --verbose\n  --model=<m>\n  --resume-later\n';
    expect(missingFlags(help, ['-p', '--output-format', '--verbose', '--model', '--resume', '--session-id'])).toEqual(['--resume', '--session-id']);
  });
});

const program = (over: Partial<ProgramFacts>): ProgramFacts => ({
  agent: 'builder',
  backend: 'claude',
  program: 'claude',
  viaCommand: false,
  found: '/usr/bin/claude',
  version: '2.1.332 (Claude Code)',
  help: '-p --output-format --verbose --model',
  flags: ['-p', '--output-format', '--verbose', '--model'],
  subcommand: [],
  ...over,
});

describe('the checks', () => {
  it('a CLI missing from PATH fails with what to do; one whose --help lacks a flag warns naming it', () => {
    const missing = programCheck(program({ found: null }));
    expect(missing.status).toBe('fail');
    expect(missing.fix).toMatch(/install the claude CLI .*or set agents\.builder\.command/);
    expect(programCheck(program({ found: null, viaCommand: true, program: '/opt/claude' })).fix).toMatch(/agents\.builder\.command names "\/opt\/claude"/);
    const old = programCheck(program({ help: '-p --output-format --model' }));
    expect(old.status).toBe('warn');
    expect(old.detail).toMatch(/`claude --help` does not mention --verbose, which ao passes/);
    expect(programCheck(program({})).status).toBe('ok');
    expect(programCheck(program({ help: null })).status).toBe('warn');
  });

  it('tmux: missing or older than 3.2 fails, 3.2 and later pass', () => {
    expect(tmuxCheck(null).status).toBe('fail');
    expect(tmuxCheck('tmux 3.1c').status).toBe('fail');
    expect(tmuxCheck('tmux 2.9a').status).toBe('fail');
    expect(tmuxCheck('tmux 3.2').status).toBe('ok');
    expect(tmuxCheck('tmux 3.3a').detail).toBe('tmux 3.3a (ao needs 3.2 or newer)');
    expect(tmuxCheck('tmux next-4.0').status).toBe('ok');
    expect(tmuxCheck('tmux master').status).toBe('warn');
  });

  it('credentials: a variable or a login file is enough; none warns, naming variables and files but never a value', () => {
    const base = {
      agent: 'builder',
      backend: 'claude',
      variables: ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN'],
      files: ['.claude/.credentials.json'],
      home: '/h',
    };
    expect(credentialCheck({ ...base, setVariables: ['ANTHROPIC_API_KEY'], presentFiles: [] })).toMatchObject({
      status: 'ok',
      detail: 'ANTHROPIC_API_KEY set',
    });
    expect(credentialCheck({ ...base, setVariables: [], presentFiles: ['.claude/.credentials.json'] }).status).toBe('ok');
    const none = credentialCheck({ ...base, setVariables: [], presentFiles: [] });
    expect(none.status).toBe('warn');
    expect(none.detail).toMatch(/ANTHROPIC_API_KEY, CLAUDE_CODE_OAUTH_TOKEN .*\/h\/\.claude\/\.credentials\.json/);
  });

  it('state folder: not writable or under 50 MB free fails, under 1 GB warns', () => {
    const s = { stateDir: '/p/state', existing: '/p', writable: true };
    expect(stateDirCheck({ ...s, freeBytes: 20e9 }).status).toBe('ok');
    expect(stateDirCheck({ ...s, freeBytes: 500 * 1024 * 1024 }).status).toBe('warn');
    expect(stateDirCheck({ ...s, freeBytes: 10 * 1024 * 1024 }).status).toBe('fail');
    expect(stateDirCheck({ ...s, writable: false, freeBytes: 20e9 }).status).toBe('fail');
  });

  it('sessions: free or this project’s pass; a name held by another project or by hand fails, naming it', () => {
    expect(
      sessionsCheck('ao', null, [
        { session: 'p-a', holder: 'free' },
        { session: 'p-b', holder: 'own' },
      ]).status,
    ).toBe('ok');
    const taken = sessionsCheck('ao', null, [
      { session: 'p-a', holder: { owner: '/other/agents.toml' } },
      { session: 'p-b', holder: { owner: null } },
    ]);
    expect(taken.status).toBe('fail');
    expect(taken.detail).toBe('session names taken: p-a (belongs to /other/agents.toml), p-b (not made by ao)');
  });

  it('systemd: no user instance fails, not enabled or no linger warns', () => {
    const unit = 'ao-x-123456.service';
    expect(systemdCheck({ unit, userInstance: false, linger: null, enabled: null }, 'me').status).toBe('fail');
    expect(systemdCheck({ unit, userInstance: true, linger: true, enabled: 'disabled' }, 'me').fix).toBe(`systemctl --user enable --now ${unit}`);
    expect(systemdCheck({ unit, userInstance: true, linger: false, enabled: 'enabled' }, 'me').fix).toBe('loginctl enable-linger me');
    expect(systemdCheck({ unit, userInstance: true, linger: true, enabled: 'enabled' }, 'me').status).toBe('ok');
  });

  it('exit 1 when any check fails, 0 with warnings only', () => {
    expect(doctorExitCode([tmuxCheck('tmux 3.3a'), tmuxCheck('tmux master')])).toBe(0);
    expect(doctorExitCode([tmuxCheck('tmux 3.3a'), tmuxCheck(null)])).toBe(1);
  });
});

describe('programs on PATH (what ao up checks)', () => {
  it('finds a program on PATH or by path, executable only; a missing one is a usage error naming it', () => {
    const project = load(
      '[agents.builder]\nkind = "loop"\nbackend = "codex"\n[agents.tool]\nkind = "service"\ncommand = "./tool.sh"\n[agents.demo]\nkind = "loop"\n',
    );
    const bin = join(project.dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'codex'), '#!/bin/sh\n');
    expect(findProgram('codex', bin, project.dir)).toBeNull(); // not executable
    chmodSync(join(bin, 'codex'), 0o755);
    expect(findProgram('codex', `/nonexistent:${bin}`, project.dir)).toBe(join(bin, 'codex'));
    const found = agentPrograms(project, project.agents, { PATH: bin });
    expect(found.map((p) => [p.agent.name, p.program, p.found])).toEqual([
      ['builder', 'codex', join(bin, 'codex')],
      ['tool', './tool.sh', null],
      ['demo', process.execPath, process.execPath],
    ]);
    let error: unknown;
    try {
      requirePrograms(project, project.agents, { PATH: '/nonexistent' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/builder: `codex` \(the codex CLI\) is not on PATH: install it, or set agents\.builder\.command/);
    expect((error as Error).message).toMatch(/agents\.tool\.command: "\.\/tool\.sh" does not exist/);
    expect(() => requirePrograms(project, project.agents.slice(2), { PATH: '/nonexistent' })).not.toThrow();
  });
});
