/**
 * Every command's --help against the README's command table: each visible
 * command has a row, each row a command, each option of a command is named in
 * its row, and every help text fits in 80 columns with -c shown.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { Io } from '../../../src/cli/io.js';
import { buildProgram } from '../../../src/cli/program.js';
import { REPO } from '../../helpers/ao.js';

const io: Io = { out: () => {}, err: () => {}, env: {}, cwd: REPO, isTTY: false };
const program = buildProgram(io, () => {});
const isVisible = (c: Command): boolean => !(c as Command & { _hidden?: boolean })._hidden;
const visible = program.commands.filter(isVisible);
/** Every visible command at any depth (`service install`, `fleet up`), by its full name. */
const everyCommand = (parent: Command, prefix = ''): Array<[string, Command]> =>
  parent.commands.filter(isVisible).flatMap((c) => [[`${prefix}${c.name()}`, c] as [string, Command], ...everyCommand(c, `${prefix}${c.name()} `)]);

/**
 * The README's command table: command name -> its row. docs/RECORD.md's own
 * "## Commands" table (ao verify, ao bundle) counts too, in the same format,
 * until its rows are moved into the README's.
 */
function readmeRows(): Map<string, string> {
  const tableOf = (file: string): string => {
    const text = readFileSync(join(REPO, file), 'utf8');
    return text.slice(text.indexOf('## Commands'), text.indexOf('\n## ', text.indexOf('## Commands') + 1));
  };
  const table = `${tableOf('README.md')}\n${tableOf('docs/RECORD.md')}`;
  const rows = new Map<string, string>();
  for (const line of table.split('\n')) {
    const name = /^\| `ao ([\w-]+)/.exec(line)?.[1];
    if (name) rows.set(name, rows.has(name) ? `${rows.get(name)}\n${line}` : line);
  }
  return rows;
}

function helpOf(command: Command): string {
  return command.helpInformation();
}

describe('ao --help and the README', () => {
  it('the top-level help fits in 80 columns and lists every visible command', () => {
    const help = helpOf(program);
    for (const line of help.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    for (const command of visible) expect(help).toContain(`  ${command.name()}`);
  });

  it.each(everyCommand(program))('ao %s --help fits in 80 columns and shows -c', (_name, command) => {
    const help = helpOf(command);
    for (const line of help.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(help).toContain('-c, --config <file>');
  });

  it('the README has one row per visible command and no row for a command ao lacks', () => {
    const rows = readmeRows();
    expect([...rows.keys()].sort()).toEqual(visible.map((c) => c.name()).sort());
  });

  it.each(visible.map((c) => [c.name(), c] as const))("the README's row for ao %s names each of its options", (name, command) => {
    const row = readmeRows().get(name) ?? '';
    const options = command.options.filter((o) => !o.hidden);
    for (const option of options) {
      const named = [option.long, option.short].filter((f): f is string => Boolean(f)).some((flag) => row.includes(flag));
      expect(named, `README row for ao ${name} lacks ${option.flags}`).toBe(true);
    }
  });
});
