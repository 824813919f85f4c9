import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completions } from '../../../src/cli/commands/completion.js';
import { buildProgram } from '../../../src/cli/program.js';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultSessionPrefix, loadProject } from '../../../src/config/load.js';
import { crontabLine, environmentFile, systemdQuote, unitName, unitPath, unitRefusal, unitText, type UnitInput } from '../../../src/cli/service-unit.js';
import { makeProject, removeProject } from '../../helpers/ao.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeProject));

function input(over: Partial<UnitInput> = {}): UnitInput {
  const dir = makeProject({
    'agents.toml': '[agents.builder]\nkind = "loop"\n[[phases]]\nid = "one"\nplan = "one.md"\n',
    'prompts/kickoff.md': 'go\n',
    'phases/one.md': '# one\n',
  });
  dirs.push(dir);
  const project = loadProject(join(dir, 'agents.toml'), {});
  return { project, node: '/usr/bin/node', entry: '/opt/ao/bin/ao', home: '/home/me', path: '/usr/local/bin:/usr/bin', socket: null, ...over };
}

describe('the boot unit', () => {
  it('is named by the project identity of its session prefix and lives in the user units of HOME', () => {
    const i = input();
    const unit = unitName(i.project);
    expect(`${unit.replace(/\.service$/, '')}-`).toBe(defaultSessionPrefix(i.project.dir));
    expect(unitPath('/home/me', unit)).toBe(`/home/me/.config/systemd/user/${unit}`);
  });

  it('runs ao up --wait in the project with the install’s PATH, restarts on failure, and names its environment file without holding a value', () => {
    const i = input({ socket: 'ao-x' });
    const text = unitText(i);
    const unit = unitName(i.project);
    expect(text).toContain(`WorkingDirectory=${i.project.dir}\n`);
    expect(text).toContain(`ExecStart=/usr/bin/node /opt/ao/bin/ao -c ${i.project.configFile} up --wait\n`);
    expect(text).toContain(`ExecStop=/usr/bin/node /opt/ao/bin/ao -c ${i.project.configFile} down\n`);
    expect(text).toContain('Restart=on-failure\n');
    expect(text).toContain(`EnvironmentFile=-${environmentFile('/home/me', unit)}\n`);
    expect(text).toContain('Environment="PATH=/usr/local/bin:/usr/bin"\n');
    expect(text).toContain('Environment="AO_TMUX_SOCKET=ao-x"\n');
    expect(text).toContain('WantedBy=default.target');
    expect(unitText(input())).not.toContain('AO_TMUX_SOCKET');
  });

  it('quotes what systemd would read as a specifier, a variable or a word break', () => {
    expect(systemdQuote('/usr/bin/node')).toBe('/usr/bin/node');
    expect(systemdQuote('/my dir/100%/$x')).toBe('"/my dir/100%%/$$x"');
  });

  it('the cron line for a machine without systemd: ao up at boot, the same environment file, % escaped', () => {
    const i = input({ path: '/bin:/100%' });
    const line = crontabLine(i);
    expect(line.startsWith('@reboot cd ')).toBe(true);
    expect(line).toContain(`-c ${i.project.configFile} up >> `);
    expect(line).toContain(environmentFile('/home/me', unitName(i.project)));
    expect(line).toContain(' PATH=/bin:/100\\% /usr/bin/node ');
  });

  it('is refused from any value holding a control character, or from a folder whose name ends in a backslash', () => {
    const i = input();
    const withDir = (dir: string): UnitInput => ({ ...i, project: { ...i.project, dir } });
    const withConfig = (configFile: string): UnitInput => ({ ...i, project: { ...i.project, configFile } });
    const withState = (stateDir: string): UnitInput => ({ ...i, project: { ...i.project, stateDir } });
    const table: [string, UnitInput, RegExp | null][] = [
      ['plain values', i, null],
      ['spaces, %, $, quotes and unicode are quoted, not refused', withDir('/tmp/a b%$"\'ü'), null],
      [
        'a newline in the folder',
        withDir('/tmp/x\nExecStartPre=/bin/touch /tmp/pwned'),
        /^the project folder "\/tmp\/x\\x0aExecStartPre=.*" holds a control character/,
      ],
      ['a carriage return in the config path', withConfig('/tmp/p/agents\r.toml'), /^the config file ".*\\x0d\.toml" holds a control character/],
      ['ESC in the state folder', withState('/tmp/\x1b[2Jstate'), /^the state folder ".*\\x1b\[2Jstate"/],
      ["a C1 control in node's path", { ...i, node: '/usr/\x9bbin/node' }, /^node's path ".*\\x9bbin/],
      ["a tab in ao's path", { ...i, entry: '/opt/a\to/bin/ao' }, /^ao's path ".*\\x09o/],
      ['a newline in HOME (the environment file)', { ...i, home: '/home/me\n' }, /^HOME "\/home\/me\\x0a"/],
      ['a newline in PATH', { ...i, path: '/bin\nExecStartPre=/x' }, /^PATH /],
      ['DEL in AO_TMUX_SOCKET', { ...i, socket: 'ao\x7f' }, /^AO_TMUX_SOCKET "ao\\x7f"/],
      ['a folder ending in a backslash', withDir('/tmp/x\\'), /ends in a backslash/],
    ];
    for (const [what, value, expected] of table) {
      const refusal = unitRefusal(value);
      if (expected === null) expect(refusal, what).toBeNull();
      else {
        expect(refusal, what).toMatch(expected);
        // the message shows the value escaped, never the control itself
        // eslint-disable-next-line no-control-regex
        expect(refusal, what).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
      }
    }
  });
});

describe('completion of the new commands', () => {
  const io = { out: () => {}, err: () => {}, env: {}, cwd: tmpdir(), isTTY: false };
  it('ao doctor and ao service are commands; service completes its actions, then its options', () => {
    const program = buildProgram(io, () => {});
    expect(completions(program, [], {}, io)).toEqual(expect.arrayContaining(['doctor', 'service']));
    expect(completions(program, ['service'], {}, io)).toEqual(['install', 'uninstall', 'status']);
    expect(completions(program, ['service', 'install'], {}, io)).toEqual(['--print', '--json', '--help']);
    expect(completions(program, ['doctor'], {}, io)).toEqual(['--json', '--help']);
    expect(completions(program, ['up'], {}, io)).toContain('--wait');
  });
});
