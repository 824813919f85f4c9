import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { team, waitFor, writeProject } from '../helpers/ao.js';

// A real interactive program: Python's input() with readline, one record per line received.
const READER = `import sys, readline
out = sys.argv[1]
while True:
    try:
        line = input('ready> ')
    except EOFError:
        break
    with open(out, 'ab') as f:
        f.write(line.encode('utf-8', 'surrogateescape') + b'\\0')
`;

describe('a shell agent with kickoff = "paste"', () => {
  it('receives a hostile multi-line kickoff exactly once, byte for byte, and no shell runs any of it', async () => {
    // its own team, ended with the test: the kickoff names files in the project's folder
    const t = team('paste', {}, { teardown: 'afterTest' });
    const dir = t.dir;
    const marks = ['dollar', 'semicolon', 'backtick', 'pipe'].map((m) => join(dir, `pwned-${m}`));
    const kickoff = [
      `Build the "parser" in 'src/' now; touch ${marks[1]}`,
      `Then run $(touch ${marks[0]}) and \`touch ${marks[2]}\` | touch ${marks[3]}`,
      'Non-ASCII: é ü ß 中文 🎉 — “quotes” and ‘more’ ‹›',
      'Last line with trailing backslash \\',
    ].join('\n');
    const files: Record<string, string> = {
      'agents.toml': `[defaults]\nsession_prefix = "pt-"\n\n[agents.reader]\nkind = "persistent"\nbackend = "shell"\ncommand = "python3"\nargs = ["reader.py", "received.bin"]\nkickoff = "paste"\nready_pattern = "^ready>"\n\n[[phases]]\nid = "one"\nplan = "one.md"\n`,
      'prompts/kickoff.md': '{role_prompt}\n',
      'prompts/reader.md': kickoff,
      'phases/one.md': '# one\n',
      'reader.py': READER,
    };
    writeProject(dir, files);

    const up = await t.ao('up');
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(up.stdout).toMatch(/reader: started \(pid \d+, model -, kickoff pasted\)/);

    const out = join(dir, 'received.bin');
    const records = await waitFor(async () => {
      if (!existsSync(out)) return undefined;
      const parts = readFileSync(out).toString('utf8').split('\0').slice(0, -1);
      return parts.length >= 4 ? parts : undefined;
    });
    // give a duplicate delivery the chance to show up before asserting "exactly once"
    await new Promise((r) => setTimeout(r, 500));
    const final = readFileSync(out).toString('utf8').split('\0').slice(0, -1);
    expect(final).toEqual(records);
    expect(final.join('\n')).toBe(kickoff);
    for (const mark of marks) expect(existsSync(mark), mark).toBe(false);
  });
});

describe('several pasted kickoffs at once', () => {
  it('each agent receives its own kickoff', async () => {
    const agents = ['one', 'two', 'three'];
    const files: Record<string, string> = {
      'agents.toml':
        '[defaults]\nsession_prefix = "pm-"\n\n' +
        agents
          .map(
            (n) =>
              `[agents.${n}]\nkind = "persistent"\nbackend = "shell"\ncommand = "python3"\nargs = ["reader.py", "${n}.bin"]\nkickoff = "paste"\nready_pattern = "^ready>"\n`,
          )
          .join('\n') +
        '\n[[phases]]\nid = "one"\nplan = "one.md"\n',
      'prompts/kickoff.md': 'kickoff for {agent}\n',
      'phases/one.md': '# one\n',
      'reader.py': READER,
    };
    const { dir, ao } = team('paste-many', files, { teardown: 'afterTest' });
    const up = await ao('up', '--no-watchdog');
    expect(up.code, up.stdout + up.stderr).toBe(0);
    for (const n of agents) {
      const got = await waitFor(async () => (existsSync(join(dir, `${n}.bin`)) ? readFileSync(join(dir, `${n}.bin`), 'utf8') : undefined));
      expect(got).toBe(`kickoff for ${n}\0`);
    }
  });
});
