import { existsSync } from 'node:fs';
import { UsageError } from '../../errors.js';
import { WATCHDOG } from '../../supervisor/status.js';
import { cleanTerminalText, followFile, followLines, tailLines } from '../../state/tail.js';
import { rawStreamFile } from '../../stream/raw.js';
import { openProjectOrRunning, selectAgents } from '../context.js';
import type { GlobalOptions, Io } from '../io.js';
import type { Project } from '../../config/types.js';
import { layout } from '../../state/layout.js';

export interface LogsOptions extends GlobalOptions {
  /** the agent; none: every agent's log, each line after its agent's name */
  agent?: string;
  follow?: boolean;
  /** the raw stream of the current iteration (stream/raw.ts) instead of the pane's log */
  raw?: boolean;
  lines?: number;
  /** stop following after this many ms (tests) */
  followForMs?: number;
  signal?: AbortSignal;
}

/** `ao logs [AGENT] [-f] [-n N]`: what the agent's pane printed, made readable; without an agent, the whole team's. */
export async function logs(options: LogsOptions, io: Io): Promise<number> {
  const { project } = openProjectOrRunning(options, io);
  if (options.agent === undefined) return teamLogs(project, options, io);
  // the watchdog is no agent of the config, but its pane has a log too
  const name = options.agent === WATCHDOG ? WATCHDOG : selectAgents(project, [options.agent], () => false)[0]?.name;
  if (!name) throw new UsageError('ao logs needs an agent name');
  const file =
    name === WATCHDOG
      ? layout.watchdogPaneLog(project.stateDir)
      : options.raw
        ? rawStreamFile(project.stateDir, name)
        : layout.agentLog(project.stateDir, name);
  const lines = linesOf(options);
  if (!existsSync(file) && !options.follow) {
    io.err(`${name} has no log yet (${file}); it is written once the agent runs\n`);
    return 0;
  }
  const shown = tailLines(file, lines).map(cleanTerminalText);
  if (shown.length > 0) io.out(`${shown.join('\n')}\n`);
  if (!options.follow) return 0;

  await followFile(file, (text) => io.out(cleanTerminalText(text)), followOptions(options));
  return 0;
}

/**
 * Every enabled agent's log, each line after its agent's name: the last N lines
 * of each, agent by agent in the order of agents.toml, then with -f every new
 * line as it comes, whoever wrote it.
 */
async function teamLogs(project: Project, options: LogsOptions, io: Io): Promise<number> {
  if (options.raw) throw new UsageError('ao logs --raw needs an agent name: the raw stream is one agent’s');
  const lines = linesOf(options);
  const agents = project.agents.filter((a) => a.enabled).map((a) => a.name);
  const width = Math.max(...agents.map((n) => n.length));
  const prefix = (name: string): string => `${name.padEnd(width)} | `;
  let any = false;
  for (const name of agents) {
    const file = layout.agentLog(project.stateDir, name);
    if (!existsSync(file)) continue;
    any = true;
    for (const line of tailLines(file, lines).map(cleanTerminalText)) io.out(`${prefix(name)}${line}\n`);
  }
  if (!any && !options.follow) io.err(`no agent has a log yet (${layout.logs(project.stateDir)}); they are written once the agents run\n`);
  if (!options.follow) return 0;
  await Promise.all(
    agents.map((name) =>
      followLines(layout.agentLog(project.stateDir, name), (line) => io.out(`${prefix(name)}${cleanTerminalText(line)}\n`), followOptions(options)),
    ),
  );
  return 0;
}

/** -n: how many past lines to show (50 unless told). */
function linesOf(options: LogsOptions): number {
  const lines = options.lines ?? 50;
  if (!Number.isInteger(lines) || lines < 0) throw new UsageError(`-n expects a whole number, got ${options.lines}`);
  return lines;
}

function followOptions(options: LogsOptions): { untilMs?: number; signal?: AbortSignal } {
  return { ...(options.followForMs ? { untilMs: Date.now() + options.followForMs } : {}), ...(options.signal ? { signal: options.signal } : {}) };
}
