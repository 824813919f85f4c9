import { existsSync } from 'node:fs';
import { UsageError } from '../../errors.js';
import { WATCHDOG } from '../../supervisor/status.js';
import { cleanTerminalText, followFile, tailLines } from '../../state/tail.js';
import { rawStreamFile } from '../../stream/raw.js';
import { openProjectOrRunning, selectAgents } from '../context.js';
import type { GlobalOptions, Io } from '../io.js';
import { layout } from '../../state/layout.js';

export interface LogsOptions extends GlobalOptions {
  agent: string;
  follow?: boolean;
  /** the raw stream of the current iteration (stream/raw.ts) instead of the pane's log */
  raw?: boolean;
  lines?: number;
  /** stop following after this many ms (tests) */
  followForMs?: number;
  signal?: AbortSignal;
}

/** `ao logs AGENT [-f] [-n N]`: what the agent's pane printed, made readable. */
export async function logs(options: LogsOptions, io: Io): Promise<number> {
  const { project } = openProjectOrRunning(options, io);
  // the watchdog is no agent of the config, but its pane has a log too
  const name = options.agent === WATCHDOG ? WATCHDOG : selectAgents(project, [options.agent], () => false)[0]?.name;
  if (!name) throw new UsageError('ao logs needs an agent name');
  const file =
    name === WATCHDOG
      ? layout.watchdogPaneLog(project.stateDir)
      : options.raw
        ? rawStreamFile(project.stateDir, name)
        : layout.agentLog(project.stateDir, name);
  const lines = options.lines ?? 50;
  if (!Number.isInteger(lines) || lines < 0) throw new UsageError(`-n expects a whole number, got ${options.lines}`);
  if (!existsSync(file) && !options.follow) {
    io.err(`${name} has no log yet (${file}); it is written once the agent runs\n`);
    return 0;
  }
  const shown = tailLines(file, lines).map(cleanTerminalText);
  if (shown.length > 0) io.out(`${shown.join('\n')}\n`);
  if (!options.follow) return 0;

  await followFile(file, (text) => io.out(cleanTerminalText(text)), {
    ...(options.followForMs ? { untilMs: Date.now() + options.followForMs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return 0;
}
