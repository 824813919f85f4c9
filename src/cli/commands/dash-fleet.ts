import { relative } from 'node:path';
import { phaseHeader, teamSummary } from '../../supervisor/labels.js';
import type { FleetRow } from '../../ui/index.js';
import { UsageError } from '../../errors.js';
import { openProjectOrRunning, type Context } from '../context.js';
import { openFleet, projectIo, projectOptions, type FleetOptions } from '../fleet.js';
import type { Io } from '../io.js';
import { dashProject, errorText, NO_TERMINAL, openTerminal, releaseStdin, SCREEN } from './dash.js';
import { readFleetStatus, type FleetEntryStatus } from './fleet-status.js';

/** How often the fleet list reads every project again. */
const FLEET_TICK_MS = 1000;

/**
 * `ao dash --fleet`: the projects of a fleet.toml, each with its phase and
 * its summary as `ao fleet status` shows them; enter opens that project's
 * dashboard (with its socket and prefix overrides), escape comes back.
 */
export async function dashFleet(options: FleetOptions, io: Io): Promise<number> {
  if (!io.isTTY || !process.stdin.isTTY) throw new UsageError(NO_TERMINAL);
  const fleet = openFleet(options, io);
  const terminal = await openTerminal(io);
  const { colorEnabled, createStore, initialFleetState, mountFleet } = terminal.ui;
  const store = createStore(initialFleetState(relative(io.cwd, fleet.file) || fleet.file));
  let reading = false;
  const read = async (): Promise<void> => {
    if (reading) return;
    reading = true;
    try {
      store.update({ rows: fleetRows(await readFleetStatus(fleet.projects, io, fleet.dir), io.cwd) });
    } catch (error) {
      store.update({ notice: { text: errorText(error), tone: 'error' } });
    } finally {
      reading = false;
    }
  };
  let selected: string | null = null;
  try {
    for (;;) {
      process.stdout.write(SCREEN.enter);
      void read();
      const timer = setInterval(() => void read(), FLEET_TICK_MS);
      let resolveOutcome: (outcome: { open: string } | 'quit') => void = () => {};
      const outcome = new Promise<{ open: string } | 'quit'>((resolve) => (resolveOutcome = resolve));
      const instance = mountFleet({
        store,
        actions: { open: (name) => resolveOutcome({ open: name }), quit: () => resolveOutcome('quit') },
        color: colorEnabled(io.env),
        stdout: process.stdout,
        stdin: process.stdin,
        initialSelected: selected,
      });
      const next = await Promise.race([outcome, terminal.stop]);
      clearInterval(timer);
      instance.unmount();
      releaseStdin();
      process.stdout.write(SCREEN.leave);
      if (next === 'quit') return 0;
      selected = next.open;
      const entry = fleet.projects.find((p) => p.name === next.open)!;
      let context: Context & { configError: string | null };
      try {
        context = openProjectOrRunning(projectOptions(entry), projectIo(entry, io), true);
      } catch (error) {
        store.update({ notice: { text: `${entry.name}: ${errorText(error)}`, tone: 'error' } });
        continue;
      }
      if ((await dashProject(context, projectIo(entry, io), terminal, true)) === 'quit') return 0;
      store.update({ notice: { text: `back from ${entry.name}`, tone: 'info' } });
    }
  } finally {
    terminal.close();
  }
}

/** The fleet list's rows: `ao fleet status`'s header and summary of each project. */
export function fleetRows(seen: readonly FleetEntryStatus[], cwd: string): FleetRow[] {
  return seen.map(({ entry, status, error, healthy }) => ({
    name: entry.name,
    where: relative(cwd, entry.dir) || '.',
    enabled: entry.enabled,
    phase: status ? phaseHeader(status.report.phase) : null,
    summary: status ? teamSummary(status.report) : 'cannot be read',
    healthy,
    error: error ? (error.split('\n')[0] ?? null) : null,
  }));
}
