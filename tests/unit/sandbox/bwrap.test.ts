import { describe, expect, it } from 'vitest';
import { bwrapArgv, ownCoordFiles, sandboxMounts, writesJournal, type SandboxFacts } from '../../../src/sandbox/bwrap.js';
import { agentSpec, phaseSpec, projectOf } from '../../helpers/builders.js';

// The sandbox's command line, from the project, the agent and the machine's facts: what is read-only, what is its own.

const facts = (over: Partial<SandboxFacts> = {}): SandboxFacts => ({
  bwrap: '/usr/bin/bwrap',
  nested: true,
  home: '/home/u',
  ownFiles: { dirs: ['.claude'], files: ['.claude.json', '.claude.json.backup'] },
  existing: new Set(['/home/u/.claude.json']),
  seed: [],
  hidden: ['/run/user/1000', '/tmp/tmux-1000'],
  gitDir: '/p/.git',
  ...over,
});

const builder = agentSpec({ name: 'builder', backend: 'claude', sandbox: { kind: 'bwrap', rw: [], ro: [] } });
const adversary = agentSpec({ name: 'adversary', kind: 'persistent', backend: 'shell', sandbox: { kind: 'bwrap', rw: [], ro: [] } });
const project = projectOf({ agents: [builder, adversary], phases: [phaseSpec('one'), phaseSpec('two')] });

/** each mount as `kind path`, in order */
const mounts = (agent = builder, f = facts(), p = project): string[] => sandboxMounts(p, agent, f).map((m) => `${m.kind} ${m.path}`);

describe('sandboxMounts', () => {
  it('opens the project folder, then closes the definition (prompts/ and phases/ whole), git hooks and config and the state folder, then opens its own files', () => {
    expect(mounts()).toEqual([
      'ro /',
      'tmpfs /tmp',
      'tmpfs /run/user/1000',
      'rw /p',
      'rw /home/u/.claude',
      'rw /home/u/.claude.json',
      'ro /p/prompts',
      'ro /p/phases',
      'ro /p/agents.toml',
      'ro /p/.git/hooks',
      'ro /p/.git/config',
      'ro /p/state',
      'rw /p/state/JOURNAL-one.md',
      'rw /p/state/JOURNAL-two.md',
      'rw /p/state/signals/builder.jsonl',
      'rw /p/state/outbox/builder',
    ]);
  });

  it('ao itself installed under /tmp (a clone there) stays readable under the private /tmp; elsewhere it needs no mount', () => {
    expect(mounts(builder, facts({ aoFolder: '/tmp/ao-clone' }))).toContain('ro /tmp/ao-clone');
    expect(mounts(builder, facts({ aoFolder: '/opt/ao' })).filter((m) => m.includes('/opt/ao'))).toEqual([]);
  });

  it("gives the adversary the reviews and not the journals, and nothing of HOME for a shell agent's backend", () => {
    const list = mounts(adversary, facts({ ownFiles: { dirs: [], files: [] }, existing: new Set() }));
    expect(list.filter((m) => m.startsWith('rw '))).toEqual([
      'rw /p',
      'rw /p/state/REVIEW-one.md',
      'rw /p/state/REVIEW-two.md',
      'rw /p/state/outbox/adversary',
    ]);
  });

  it('a worktree agent writes its worktree (over the read-only state folder) and the repository, not the project folder', () => {
    const agent = agentSpec({
      name: 'w',
      worktree: { path: '/p/state/worktrees/w', branch: 'ao/w' },
      cwd: '/p/state/worktrees/w',
      sandbox: { kind: 'bwrap', rw: [], ro: [] },
    });
    const list = mounts(agent, facts({ ownFiles: { dirs: [], files: [] } }), projectOf({ agents: [agent] }));
    expect(list).not.toContain('rw /p');
    expect(list.indexOf('rw /p/.git')).toBeLessThan(list.indexOf('ro /p/.git/hooks'));
    expect(list.indexOf('ro /p/state')).toBeLessThan(list.indexOf('rw /p/state/worktrees/w'));
    // no builder in this team: every loop writes the journals
    expect(list).toContain('rw /p/state/JOURNAL-one.md');
  });

  it('closes a role prompt or plan outside prompts/ and phases/ by itself', () => {
    const roles = agentSpec({ name: 'r', prompt: '/p/roles/r.md', sandbox: { kind: 'bwrap', rw: [], ro: [] } });
    const list = mounts(roles, facts(), projectOf({ agents: [roles] }));
    expect(list.filter((m) => m.startsWith('ro /p/') && !m.includes('.git') && !m.endsWith('/state'))).toEqual([
      'ro /p/prompts',
      'ro /p/phases',
      'ro /p/agents.toml',
      'ro /p/roles/r.md',
    ]);
  });

  it('puts sandbox_rw and sandbox_ro before what protects ao, and re-binds a project under /tmp read-only', () => {
    const agent = agentSpec({ name: 'x', kind: 'persistent', cwd: '/tmp/q', sandbox: { kind: 'bwrap', rw: ['/data/rw'], ro: ['/data/ro'] } });
    const q = projectOf({
      dir: '/tmp/q',
      configFile: '/tmp/q/agents.toml',
      stateDir: '/tmp/q/state',
      kickoffTemplatePath: '/tmp/q/prompts/kickoff.md',
      agents: [agent],
      phases: [],
    });
    const list = mounts(agent, facts({ ownFiles: { dirs: [], files: [] }, gitDir: null }), q);
    expect(list.slice(0, 7)).toEqual(['ro /', 'tmpfs /tmp', 'tmpfs /run/user/1000', 'ro /tmp/q', 'ro /data/ro', 'rw /data/rw', 'rw /tmp/q']);
    expect(list.at(-2)).toBe('ro /tmp/q/state');
    // the tmux socket folder under /tmp is gone with the private /tmp: no mount of its own
    expect(list).not.toContain('tmpfs /tmp/tmux-1000');
  });
});

describe('bwrapArgv', () => {
  it('is bubblewrap, its mounts, its own pid namespace ended with its parent, no capabilities, then the agent after --', () => {
    const argv = bwrapArgv(project, adversary, facts({ ownFiles: { dirs: [], files: [] }, hidden: [] }), ['sh', '-c', 'echo hi']);
    expect(argv.slice(0, 8)).toEqual(['/usr/bin/bwrap', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc']);
    expect(argv.slice(8, 12)).toEqual(['--tmpfs', '/tmp', '--bind', '/p']);
    const end = argv.indexOf('--');
    expect(argv.slice(end - 9)).toEqual([
      '--unshare-pid',
      '--die-with-parent',
      '--cap-drop',
      'ALL',
      '--setenv',
      'AO_SANDBOX',
      'adversary',
      '--chdir',
      '/p',
      '--',
      'sh',
      '-c',
      'echo hi',
    ]);
    expect(argv.join(' ')).toContain('--ro-bind /p/state /p/state --bind /p/state/REVIEW-one.md /p/state/REVIEW-one.md');
  });
});

describe('who writes what', () => {
  it('the journal is the work of the agent named builder, else of every loop', () => {
    expect(writesJournal(project, builder)).toBe(true);
    expect(writesJournal(project, agentSpec({ name: 'other', kind: 'loop' }))).toBe(false);
    expect(writesJournal(projectOf({ agents: [agentSpec({ name: 'l' })] }), agentSpec({ name: 'l' }))).toBe(true);
    expect(writesJournal(projectOf({ agents: [] }), agentSpec({ name: 'p', kind: 'persistent' }))).toBe(false);
  });

  it('an agent that is neither builder nor adversary writes only its outbox', () => {
    const other = agentSpec({ name: 'orchestrator', kind: 'persistent', backend: 'shell' });
    expect(ownCoordFiles(projectOf({ agents: [builder, other] }), other)).toEqual({ files: [], dirs: ['/p/state/outbox/orchestrator'] });
  });
});
