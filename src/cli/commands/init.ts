import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { packageRoot } from '../context.js';
import type { Io } from '../io.js';

export interface InitOptions {
  dir?: string | undefined;
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
  for (const file of files) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    copyFileSync(join(root, file), join(dir, file));
  }
  if (!existsSync(join(dir, '.gitignore'))) writeFileSync(join(dir, '.gitignore'), 'state/\n');
  const where = relative(io.cwd, dir) || '.';
  io.out(`created a demo project in ${where}: ${files.join(', ')}\n`);
  io.out(`next: ${where === '.' ? '' : `cd ${where} && `}ao check && ao up && ao status\n`);
  return 0;
}
