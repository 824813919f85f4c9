import { basename, relative } from 'node:path';
import type { FleetProject } from '../../config/fleet.js';
import { ConfigError, UsageError } from '../../errors.js';
import { isHealthy } from '../../supervisor/status.js';
import { phaseHeader, teamSummary } from '../../supervisor/labels.js';
import { openFleet, projectIo, projectOptions, selectProjects, type FleetOptions } from '../fleet.js';
import { statusJson } from '../format.js';
import type { Io } from '../io.js';
import { projectStatus, type ProjectStatus } from './status.js';
import { jsonText } from '../../text/safe.js';

export interface FleetStatusOptions extends FleetOptions {
  names: string[];
  json?: boolean;
}

/** One project of the fleet as `ao fleet status` and the fleet dashboard see it. */
export interface FleetEntryStatus {
  entry: FleetProject;
  /** null: neither its agents.toml nor a running team's config could be read */
  status: ProjectStatus | null;
  /** why it could not be read, or its config error */
  error: string | null;
  healthy: boolean;
}

/** Each project's `ao status`, read-only: a disabled or broken project is shown, never started or written to. */
export async function readFleetStatus(entries: readonly FleetProject[], io: Io, relativeTo: string): Promise<FleetEntryStatus[]> {
  return Promise.all(
    entries.map(async (entry): Promise<FleetEntryStatus> => {
      try {
        const status = await projectStatus(projectOptions(entry), projectIo(entry, io), true);
        return { entry, status, error: status.configError, healthy: !status.configError && isHealthy(status.report) };
      } catch (error) {
        if (!(error instanceof ConfigError) && !(error instanceof UsageError)) throw error;
        return { entry, status: null, error: error instanceof ConfigError ? error.format(relativeTo) : error.message, healthy: false };
      }
    }),
  );
}

/** The JSON of one project: `ao status --json`'s object, with the fleet's own fields under `fleet`. */
export function fleetStatusJson({ entry, status, error, healthy }: FleetEntryStatus): object {
  const fleet = { name: entry.name, dir: entry.dir, enabled: entry.enabled, healthy };
  if (status) return { ...statusJson(status.report), fleet };
  return { project: entry.name, complete: false, phase: null, server: false, config_error: error, agents: [], fleet };
}

/** `ao fleet status [NAME...] [--json]`: a header and a one-line summary per project; exit 3 when an enabled one is unhealthy. */
export async function fleetStatus(options: FleetStatusOptions, io: Io): Promise<number> {
  const fleet = openFleet(options, io);
  const seen = await readFleetStatus(
    selectProjects(fleet, options.names, () => true),
    io,
    fleet.dir,
  );
  if (options.json) io.out(`${jsonText(seen.map(fleetStatusJson), 2)}\n`);
  else {
    const blocks = seen.map(({ entry, status, error }) => {
      const where = relative(io.cwd, entry.dir) || '.';
      const lines = [`${entry.name} (${where})${entry.enabled ? '' : ' disabled'}`];
      if (status) lines.push(`  ${phaseHeader(status.report.phase)}`, `  ${teamSummary(status.report)}`);
      if (error) lines.push(...`config error: ${error}`.split('\n').map((l) => `  ${l}`));
      return lines.join('\n');
    });
    io.out(blocks.length > 0 ? `${blocks.join('\n\n')}\n` : `no projects in ${basename(fleet.file)} (ao fleet add PATH)\n`);
  }
  return seen.some((s) => s.entry.enabled && !s.healthy) ? 3 : 0;
}
