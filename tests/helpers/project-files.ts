/** Project files for tests and benches (no vitest here: the benches import it too). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A map of relative path -> content written into `dir` (made where missing); returns `dir`. */
export function writeProject(dir: string, files: Record<string, string>): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** The files of a project of one phase, `one`, whose kickoff is `go`: agents.toml is `toml`. */
export function onePhaseFiles(toml: string): Record<string, string> {
  return { 'agents.toml': toml, 'prompts/kickoff.md': 'go\n', 'phases/one.md': '# one\n' };
}

/**
 * The files of a project of shell agents that sleep (persistent), plus `extra`
 * agents.toml text, in the given phases, with the watchdog's timings scaled
 * down (`watchdog`: its table's lines; null: no table, ao's own timings).
 */
export function sleepersFiles(
  names: readonly string[],
  options: { extra?: string; phases?: readonly string[]; watchdog?: string | null } = {},
): Record<string, string> {
  const phases = options.phases ?? ['one', 'two'];
  return {
    'agents.toml': [
      '[defaults]\nbackend = "shell"\n',
      ...names.map((n) => `[agents.${n}]\nkind = "persistent"\ncommand = "sleep"\nargs = ["100000"]\n`),
      options.extra ?? '',
      ...phases.map((id) => `[[phases]]\nid = "${id}"\nplan = "${id}.md"\n`),
      options.watchdog === null ? '' : `[watchdog]\n${options.watchdog ?? 'healthy_after_s = 0.3\nstall_check_s = 1'}\n`,
    ].join('\n'),
    'prompts/kickoff.md': 'go\n',
    ...Object.fromEntries(phases.map((id) => [`phases/${id}.md`, `# ${id}\n`])),
  };
}
