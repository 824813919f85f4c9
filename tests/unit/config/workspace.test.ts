import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIG_FILE, loadProject } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/errors.js';
import { makeProject, removeProject } from '../../helpers/ao.js';

// `workspace = "worktree"` and [workspaces]: resolved from agents.toml alone (no git runs here).

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) removeProject(dir);
});

function load(toml: string) {
  const dir = makeProject({ 'agents.toml': toml, 'prompts/kickoff.md': 'go\n', 'phases/01.md': '# one\n' });
  made.push(dir);
  return { dir, project: loadProject(join(dir, CONFIG_FILE), {}) };
}

const agent = (name: string, extra = ''): string => `[agents.${name}]\nkind = "persistent"\nbackend = "shell"\ncommand = "sleep"\n${extra}`;
const PHASE = '[[phases]]\nid = "one"\nplan = "01.md"\n';

describe('workspace = "worktree"', () => {
  it('is off by default: every agent works in the project folder', () => {
    const { dir, project } = load(`${agent('a')}${PHASE}`);
    expect(project.agents[0]!.worktree).toBeUndefined();
    expect(project.agents[0]!.cwd).toBe(dir);
    expect(project.workspaces).toBeUndefined();
  });

  it('gives the agent state/worktrees/<agent> on ao/<agent>, its working folder there', () => {
    const { dir, project } = load(`${agent('a', 'workspace = "worktree"\n')}${agent('b')}${PHASE}`);
    const [a, b] = project.agents;
    expect(a!.worktree).toEqual({ path: join(dir, 'state', 'worktrees', 'a'), branch: 'ao/a' });
    expect(a!.cwd).toBe(join(dir, 'state', 'worktrees', 'a'));
    expect(b!.worktree).toBeUndefined();
  });

  it('[defaults] workspace applies to every agent, and an agent may say "project"', () => {
    const { dir, project } = load(`[defaults]\nworkspace = "worktree"\n${agent('a')}${agent('b', 'workspace = "project"\n')}${PHASE}`);
    expect(project.agents[0]!.worktree?.branch).toBe('ao/a');
    expect(project.agents[1]!.worktree).toBeUndefined();
    expect(project.agents[1]!.cwd).toBe(dir);
  });

  it('resolves cwd inside the worktree, which need not exist yet, and refuses one that leaves it', () => {
    const { dir, project } = load(`${agent('a', 'workspace = "worktree"\ncwd = "sub/dir"\n')}${PHASE}`);
    expect(project.agents[0]!.cwd).toBe(join(dir, 'state', 'worktrees', 'a', 'sub', 'dir'));
    expect(() => load(`${agent('a', 'workspace = "worktree"\ncwd = "../b"\n')}${PHASE}`)).toThrow(
      /agents\.a\.cwd: "\.\.\/b" points outside the agent's worktree/,
    );
  });

  it("[workspaces] base is kept as written; absent, it is null (the checkout's branch at the start)", () => {
    expect(load(`${agent('a')}${PHASE}[workspaces]\nbase = "release/2.0"\n`).project.workspaces).toEqual({ base: 'release/2.0' });
    expect(load(`${agent('a')}${PHASE}[workspaces]\n`).project.workspaces).toEqual({ base: null });
  });

  it.each(['-x', 'a..b', 'a b', 'x~1', 'HEAD^', 'a:b', 'ends.', 'ends/'])('refuses base = %j with the key and line', (base) => {
    let error: unknown;
    try {
      load(`${agent('a')}${PHASE}[workspaces]\nbase = ${JSON.stringify(base)}\n`);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).format()).toMatch(/agents\.toml:\d+:\d+: workspaces\.base: a branch name/);
  });

  it('refuses an unknown workspace kind and an unknown [workspaces] key', () => {
    expect(() => load(`${agent('a', 'workspace = "sandbox"\n')}${PHASE}`)).toThrow(/agents\.a\.workspace: expected one of project, worktree/);
    expect(() => load(`${agent('a')}${PHASE}[workspaces]\nbranch = "x"\n`)).toThrow(/workspaces: unknown key "branch" \(known keys: base, target\)/);
  });

  it("[workspaces] target: ao/accepted unless set; never a worktree agent's own branch, nor the base", () => {
    expect(load(`${agent('a', 'workspace = "worktree"\n')}${PHASE}[workspaces]\ntarget = "release"\n`).project.workspaces).toEqual({
      base: null,
      target: 'release',
    });
    expect(() => load(`${agent('a', 'workspace = "worktree"\n')}${PHASE}[workspaces]\ntarget = "ao/a"\n`)).toThrow(
      /workspaces\.target: "ao\/a" is the branch of a's own worktree/,
    );
    expect(() => load(`${agent('a')}${PHASE}[workspaces]\nbase = "main"\ntarget = "main"\n`)).toThrow(/workspaces\.target: "main" is also \[workspaces\] base/);
  });
});
