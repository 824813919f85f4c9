import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join, relative, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { packageRoot } from '../context.js';
import { fleetFileFor, register, registration } from './fleet.js';
import type { Io } from '../io.js';
import { shellQuote } from '../../tmux/client.js';

export interface InitOptions {
  dir?: string | undefined;
  /** a fleet.toml to register the new project in (created when missing) */
  fleet?: string | undefined;
  /** its name there */
  name?: string | undefined;
  /** builder and adversary each in its own git worktree: the gate bound to commits (docs/PROTOCOL.md) */
  worktrees?: boolean | undefined;
}

/** The demo's agents.toml with the builder and the adversary in worktrees of their own. */
export function withWorktrees(toml: string): string {
  return toml.replace(/^(\[agents\.(?:builder|adversary)\]\n)/gm, '$1workspace = "worktree"\n');
}

/** The demo project that ao's own repository carries at its root. */
function templateFiles(root: string): string[] {
  const files = ['agents.toml'];
  for (const folder of ['prompts', 'phases']) {
    for (const name of readdirSync(join(root, folder)).sort()) if (name.endsWith('.md')) files.push(join(folder, name));
  }
  return files;
}

/** `ao init [DIR]`: scaffold a working demo project; never overwrites. */
export async function init(options: InitOptions, io: Io): Promise<number> {
  const dir = resolve(io.cwd, options.dir ?? '.');
  const root = packageRoot();
  const files = templateFiles(root);
  const clashes = [...files, '.gitignore'].filter((f) => existsSync(join(dir, f)) && !(f === '.gitignore'));
  if (clashes.length > 0) {
    throw new UsageError(`${dir} already holds ${clashes.join(', ')}; ao init never overwrites (choose an empty folder)`);
  }
  if (options.name !== undefined && options.fleet === undefined) throw new UsageError('--name names the project in a fleet: give --fleet FILE too');
  // a duplicate in the fleet is refused before anything is written
  const fleetFile = options.fleet === undefined ? null : fleetFileFor({ file: options.fleet }, io);
  const entry = fleetFile ? registration(fleetFile, dir, options.name, false) : null;
  for (const file of files) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    if (file === 'agents.toml') {
      const toml = withSchemaLine(readFileSync(join(root, file), 'utf8'), root);
      writeFileSync(join(dir, file), options.worktrees ? withWorktrees(toml) : toml);
    } else copyFileSync(join(root, file), join(dir, file));
  }
  const ignore = ignoreState(join(dir, '.gitignore'));
  const where = relative(io.cwd, dir) || '.';
  io.out(`created a demo project in ${where}: ${files.join(', ')}\n`);
  if (ignore === 'added') io.out('added state/ to the .gitignore that was there\n');
  if (fleetFile && entry) {
    register(fleetFile, entry);
    io.out(`registered it in ${relative(io.cwd, fleetFile) || fleetFile}\n`);
  }
  const ao = aoCommand(io, root);
  const cd = where === '.' ? '' : `cd ${shellQuote(where)} && `;
  if (options.worktrees) {
    io.out('builder and adversary work in git worktrees of their own: the project must be a git repository with a commit\n');
    io.out(`next: ${cd}git init -q && git add -A && git commit -qm 'the demo project' && ${ao} check && ${ao} up && ${ao} status\n`);
  } else io.out(`next: ${cd}${ao} check && ${ao} up && ${ao} status\n`);
  return 0;
}

/**
 * agents.toml with a first line naming the JSON Schema this ao ships, so that
 * taplo-based editors (Even Better TOML) complete and check its keys.
 */
function withSchemaLine(toml: string, root: string): string {
  return `#:schema ${join(root, 'schema', 'agents.schema.json')}\n${toml.replace(/^#:schema .*\n/, '')}`;
}

/** state/ in the project's .gitignore: a new one, or one line more in the one that is there (unless it already ignores it). */
function ignoreState(file: string): 'created' | 'added' | 'there' {
  if (!existsSync(file)) {
    writeFileSync(file, 'state/\n');
    return 'created';
  }
  const text = readFileSync(file, 'utf8');
  if (text.split('\n').some((l) => /^\/?state\/?\s*$/.test(l.trim()))) return 'there';
  appendFileSync(file, `${text === '' || text.endsWith('\n') ? '' : '\n'}state/\n`);
  return 'added';
}

/** How to run ao in the hint: `ao` when it is on PATH, else this package's bin/ao (after the README's setup it is not on PATH). */
function aoCommand(io: Io, root: string): string {
  const onPath = (io.env.PATH ?? '').split(delimiter).some((d) => d !== '' && existsSync(join(d, 'ao')));
  // an absolute path: the hint begins with a cd
  return onPath ? 'ao' : shellQuote(join(root, 'bin', 'ao'));
}
