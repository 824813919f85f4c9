/** What the fleet dashboard shows: one row per project of the fleet.toml, filled by the fleet's command. */
import type { Notice } from '../model.js';

export interface FleetRow {
  name: string;
  /** the folder, as the user would type it */
  where: string;
  enabled: boolean;
  /** the phase header as `ao status` prints it; null when the project cannot be read */
  phase: string | null;
  /** the one-line summary of `ao fleet status` */
  summary: string;
  /** an enabled project with an agent that should run and does not, or a config error */
  healthy: boolean;
  /** its config error, first line */
  error: string | null;
}

export interface FleetState {
  /** null until the first read */
  rows: FleetRow[] | null;
  /** the fleet file, for the title */
  file: string;
  notice: Notice | null;
}

export const initialFleetState = (file: string): FleetState => ({ rows: null, file, notice: null });
