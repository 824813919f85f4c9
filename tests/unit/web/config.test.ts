import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIG_FILE, loadProject } from '../../../src/config/load.js';
import { aoEntry } from '../../../src/config/package-root.js';
import { ConfigError } from '../../../src/errors.js';
import { makeProject, removeProject } from '../../helpers/ao.js';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) removeProject(dir);
});

function load(extra: string, agents = ''): ReturnType<typeof loadProject> {
  const dir = makeProject({
    'agents.toml': `[agents.a]\nkind = "loop"\n${agents}\n[[phases]]\nid = "one"\nplan = "01.md"\n${extra}`,
    'prompts/kickoff.md': 'go\n',
    'phases/01.md': '# one\n',
  });
  made.push(dir);
  return loadProject(join(dir, CONFIG_FILE), {});
}

function problems(extra: string, agents = ''): string[] {
  try {
    load(extra, agents);
  } catch (error) {
    if (error instanceof ConfigError) return [error, ...error.others].map((e) => `${e.line ?? '-'}:${e.column ?? '-'} ${e.message}`);
    throw error;
  }
  return [];
}

describe('[web] in agents.toml', () => {
  it('is nothing without the table', () => {
    const project = load('');
    expect(project.web).toBeUndefined();
    expect(project.agents.map((a) => a.name)).toEqual(['a']);
  });

  it('listen: a service agent named web that runs ao web there, healed, that may move the phase', () => {
    const project = load('[web]\nlisten = "127.0.0.1:7421"\n');
    expect(project.web).toEqual({ listen: '127.0.0.1:7421' });
    const web = project.agents.find((a) => a.name === 'web')!;
    expect(web).toMatchObject({ kind: 'service', heal: 'heal', enabled: true, kickoff: 'none', mayMovePhase: true, command: process.execPath });
    expect(web.args).toEqual([aoEntry(), 'web', '--listen', '127.0.0.1:7421']);
  });

  it('refuses a listen that is not HOST:PORT, naming its line', () => {
    expect(problems('[web]\nlisten = "7420"\n')).toEqual([expect.stringMatching(/^8:\d+ web.listen: "7420" is not HOST:PORT/)]);
    expect(problems('[web]\nport = 7420\n').join('\n')).toMatch(/port/);
  });

  it('refuses an agent of the team named web beside it', () => {
    expect(problems('[web]\nlisten = "127.0.0.1:7420"\n', '[agents.web]\nkind = "loop"\n').join('\n')).toMatch(/\[web\] runs ao web as an agent named "web"/);
  });
});
