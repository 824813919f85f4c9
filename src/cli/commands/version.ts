import { BACKEND_NAMES } from '../../config/types.js';
import { spawnRunner } from '../../process/run.js';
import type { Io } from '../io.js';
import { aoVersion } from '../package-version.js';
import { jsonText } from '../../text/safe.js';

/** The agent CLIs whose version `--verbose` asks for: each backend that runs a program of its own name. */
const CLIS = BACKEND_NAMES.filter((b) => b !== 'shell' && b !== 'demo');

/** A program's first line of `ARGS` output, or null when it is not installed or says nothing within `timeoutMs`. */
export async function versionOf(argv: string[], timeoutMs = 5000): Promise<string | null> {
  const r = await spawnRunner(argv, { signal: AbortSignal.timeout(timeoutMs) });
  const line = (r.stdout || r.stderr).split('\n').find((l) => l.trim() !== '');
  return r.exitCode === 0 && line ? line.trim() : null;
}

/** `ao version [--verbose] [--json]` (also `ao --version`, `-V`): ao's version; verbose adds node, tmux and the agent CLIs on PATH. */
export async function version(options: { verbose?: boolean; json?: boolean }, io: Io): Promise<number> {
  const ao = aoVersion();
  if (!options.verbose) {
    io.out(options.json ? `${jsonText({ ao })}\n` : `ao ${ao}\n`);
    return 0;
  }
  const rows: Array<[string, string | null]> = [
    ['ao', ao],
    ['node', process.version],
    ['tmux', await versionOf(['tmux', '-V'])],
    ...(await Promise.all(CLIS.map(async (cli): Promise<[string, string | null]> => [cli, await versionOf([cli, '--version'])]))),
  ];
  if (options.json) io.out(`${jsonText(Object.fromEntries(rows))}\n`);
  else for (const [name, v] of rows) io.out(`${name.padEnd(10)}${v ?? 'not found'}\n`);
  return 0;
}
