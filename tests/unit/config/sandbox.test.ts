import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIG_FILE, loadProject } from '../../../src/config/load.js';
import { makeProject, removeProject } from '../../helpers/ao.js';

// `sandbox`, `sandbox_rw`, `sandbox_ro`: resolved and checked from agents.toml (nothing runs here).

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) removeProject(dir);
});

function load(toml: string) {
  const dir = makeProject({ 'agents.toml': toml, 'prompts/kickoff.md': 'go\n', 'phases/01.md': '# one\n', 'data/x.txt': 'x\n' });
  made.push(dir);
  return { dir, project: loadProject(join(dir, CONFIG_FILE), {}) };
}

const agent = (name: string, extra = ''): string => `[agents.${name}]\nkind = "persistent"\nbackend = "shell"\ncommand = "sleep"\n${extra}`;
const PHASE = '[[phases]]\nid = "one"\nplan = "01.md"\n';

describe('sandbox', () => {
  it('is "none" by default: no agent has a sandbox', () => {
    expect(load(`${agent('a')}${PHASE}`).project.agents[0]!.sandbox).toBeUndefined();
  });

  it('"bwrap" per agent, or from [defaults] with an agent saying "none"', () => {
    expect(load(`${agent('a', 'sandbox = "bwrap"\n')}${agent('b')}${PHASE}`).project.agents.map((a) => a.sandbox ?? null)).toEqual([
      { kind: 'bwrap', rw: [], ro: [] },
      null,
    ]);
    const { project } = load(`[defaults]\nsandbox = "bwrap"\n${agent('a')}${agent('b', 'sandbox = "none"\n')}${PHASE}`);
    expect(project.agents.map((a) => a.sandbox?.kind ?? 'none')).toEqual(['bwrap', 'none']);
  });

  it('refuses another kind of sandbox, naming the key', () => {
    expect(() => load(`${agent('a', 'sandbox = "docker"\n')}${PHASE}`)).toThrow(/agents\.a\.sandbox/);
  });

  it('resolves sandbox_rw and sandbox_ro inside the project or absolute', () => {
    const tmp = makeProject({ 'y.txt': 'y\n' });
    made.push(tmp);
    const { dir, project } = load(`${agent('a', `sandbox = "bwrap"\nsandbox_rw = ["data"]\nsandbox_ro = ["data/x.txt", ${JSON.stringify(tmp)}]\n`)}${PHASE}`);
    expect(project.agents[0]!.sandbox).toEqual({ kind: 'bwrap', rw: [join(dir, 'data')], ro: [join(dir, 'data', 'x.txt'), tmp] });
  });

  it('refuses a path that is not there, one that leaves the project, and one that opens the state folder to writing', () => {
    expect(() => load(`${agent('a', 'sandbox = "bwrap"\nsandbox_ro = ["nowhere"]\n')}${PHASE}`)).toThrow(/agents\.a\.sandbox_ro\.0: "nowhere" not found/);
    expect(() => load(`${agent('a', 'sandbox = "bwrap"\nsandbox_rw = ["../x"]\n')}${PHASE}`)).toThrow(
      /agents\.a\.sandbox_rw\.0: "\.\.\/x" points outside the project/,
    );
    const withState = (rw: string): string => `${agent('a', `sandbox = "bwrap"\nsandbox_rw = ["${rw}"]\n`)}${PHASE}`;
    const dir = makeProject({ 'agents.toml': withState('state/inbox'), 'prompts/kickoff.md': 'go\n', 'phases/01.md': '# one\n' });
    made.push(dir);
    mkdirSync(join(dir, 'state', 'inbox'), { recursive: true });
    expect(() => loadProject(join(dir, CONFIG_FILE), {})).toThrow(/sandbox_rw\.0: "state\/inbox" opens the state folder to writing/);
    expect(() => load(withState('.'))).toThrow(/sandbox_rw\.0: "\." opens the state folder to writing/);
  });

  it('refuses sandbox_rw without a sandbox', () => {
    expect(() => load(`${agent('a', 'sandbox_rw = ["data"]\n')}${PHASE}`)).toThrow(/agents\.a\.sandbox_rw: sandbox_rw needs sandbox = "bwrap"/);
  });
});
