import { relative } from 'node:path';
import { Hosts, isRemote } from '../../fleet/hosts.js';
import { spawnInteractive, spawnRunner } from '../../process/run.js';
import { phaseHeader, teamSummary } from '../../supervisor/labels.js';
import type { FleetRow } from '../../ui/index.js';
import { UsageError } from '../../errors.js';
import { openProjectOrRunning, type Context } from '../context.js';
import { openFleet, projectIo, projectOptions, type FleetOptions } from '../fleet.js';
import type { Io } from '../io.js';
import { dashProject, errorText, NO_TERMINAL, openTerminal, releaseStdin, SCREEN } from './dash.js';
import { readFleetStatus, whereOf, type FleetEntryStatus } from './fleet-status.js';

/** How often the fleet list reads every project again. */
const FLEET_TICK_MS = 1000;

/**
 * `ao dash --fleet`: the projects of a fleet.toml, each with its phase and
 * its summary as `ao fleet status` shows them; enter opens that project's
 * dashboard (with its socket and prefix overrides), escape comes back. A
 * project on another host is read through its host's ao each tick, and enter
 * runs that host's `ao dash` on this terminal through `ssh -t`.
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
      store.update({ rows: fleetRows(await readFleetStatus(fleet, fleet.projects, io), io.cwd) });
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
      await releaseStdin();
      process.stdout.write(SCREEN.leave);
      if (next === 'quit') return 0;
      selected = next.open;
      const entry = fleet.projects.find((p) => p.name === next.open)!;
      if (isRemote(entry)) {
        // the remote dashboard has the terminal until it quits; then this list comes back
        const code = await spawnInteractive(new Hosts(spawnRunner, io.env, fleet.timeoutMs).interactiveArgv(entry, ['dash'], true));
        store.update({
          notice: code === 0 ? { text: `back from ${entry.name}`, tone: 'info' } : { text: `${entry.name}: ssh -t … ao dash exited ${code}`, tone: 'error' },
        });
        continue;
      }
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
  return seen.map(({ entry, report, error, healthy, reachable }) => ({
    name: entry.name,
    where: whereOf(entry, cwd),
    enabled: entry.enabled,
    phase: report ? phaseHeader(report.phase) : null,
    summary: report ? teamSummary(report) : reachable ? 'cannot be read' : 'unreachable',
    healthy,
    error: error ? (error.split('\n')[0] ?? null) : null,
  }));
}
