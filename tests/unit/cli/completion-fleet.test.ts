/** Completion of `ao fleet`: its subcommands, then a subcommand's options and the fleet's project names. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { completions } from '../../../src/cli/commands/completion.js';
import type { Io } from '../../../src/cli/io.js';
import { buildProgram } from '../../../src/cli/program.js';
import { demoProject, removeProject } from '../../helpers/ao.js';

describe('ao fleet completion', () => {
  it('lists the subcommands, then the projects of the fleet.toml found from here and the options', () => {
    const root = mkdtempSync(join(tmpdir(), 'ao-compl-'));
    const web = demoProject();
    writeFileSync(join(root, 'fleet.toml'), `[[projects]]\npath = "${web}"\nname = "web"\n`);
    const io: Io = { out: () => undefined, err: () => undefined, env: {}, cwd: root, isTTY: false };
    const program = buildProgram(io, () => undefined);
    expect(completions(program, ['fleet'], {}, io)).toEqual(['validate', 'up', 'down', 'status', 'run', 'add', '--help']);
    expect(completions(program, ['fleet', 'run'], {}, io)).toEqual(['web', '--file', '-f', '--help']);
    expect(completions(program, ['fleet', 'up'], {}, io)).toEqual(['web', '--file', '-f', '--force', '--help']);
    expect(completions(program, ['fleet', 'status'], {}, io)).toEqual(['web', '--file', '-f', '--json', '--help']);
    expect(completions(program, ['fleet', 'add'], {}, io)).toEqual(['--file', '-f', '--name', '--host', '--help']);
    expect(completions(program, ['fleet', 'up'], {}, { ...io, cwd: tmpdir() })).toEqual(['--file', '-f', '--force', '--help']);
    expect(completions(program, [], {}, io)).toContain('fleet');
    removeProject(root);
    removeProject(web);
  });
});
