/**
 * How a one-shot agent's argv is wrapped so its pane shows readable progress:
 * `node ao format-stream --backend B --raw FILE -- <argv>`; the launcher
 * (supervisor/launch.ts) appends the kickoff after it as before. Only argv
 * that asks the CLI for a JSON stream is wrapped.
 */
import type { AgentSpec, BackendName } from '../config/types.js';
import { rawStreamFile } from './raw.js';
import { signalFile } from '../state/signals.js';
import type { StreamBackend } from './run.js';

/** The backend whose JSON stream this argv asks for, or null (text output: shown as it is). */
export function streamBackendOf(backend: BackendName, argv: readonly string[]): StreamBackend | null {
  const has = (flag: string, value: string): boolean => argv.some((a, i) => (a === flag && argv[i + 1] === value) || a === `${flag}=${value}`);
  if (backend === 'claude' && has('--output-format', 'stream-json')) return 'claude';
  if (backend === 'codex' && argv.includes('--json')) return 'codex';
  if (backend === 'gemini' && (has('--output-format', 'stream-json') || has('-o', 'stream-json'))) return 'gemini';
  return null;
}

/**
 * `wrap`: what runs the CLI (its sandbox, src/sandbox/): the formatter stays
 * outside it, since it writes the raw stream and signals into the state folder.
 */
export function withFormatter(
  stateDir: string,
  agent: AgentSpec,
  argv: string[],
  aoEntry: string,
  node = process.execPath,
  wrap: (argv: string[]) => string[] = (a) => a,
): string[] {
  if (agent.kind !== 'loop' && agent.kind !== 'task') return wrap(argv);
  const backend = streamBackendOf(agent.backend, argv);
  if (backend === null) return wrap(argv);
  const signals = backend === 'claude' ? ['--signals', signalFile(stateDir, agent.name)] : [];
  return [node, aoEntry, 'format-stream', '--backend', backend, '--raw', rawStreamFile(stateDir, agent.name), ...signals, '--', ...wrap(argv)];
}
