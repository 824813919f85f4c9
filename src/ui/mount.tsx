import { render, type Instance } from 'ink';
import { Dashboard, type DashboardProps } from './App.js';
import { FleetDashboard, type FleetDashboardProps } from './fleet/FleetApp.js';

export interface MountOptions extends DashboardProps {
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  /** called after every frame ink renders (AO_DASH_STATS counts them) */
  onRender?: () => void;
}

/** At most this many frames a second, however often the store changes. */
export const MAX_FPS = 10;

/** Renders the dashboard into a terminal; `unmount()` hands the terminal back. */
export function mountDashboard({ stdout, stdin, onRender, ...props }: MountOptions): Instance {
  return render(<Dashboard {...props} />, {
    stdout,
    stdin,
    // q and ctrl-c quit through the dashboard, which restores the screen first
    exitOnCtrlC: false,
    patchConsole: false,
    maxFps: MAX_FPS,
    // only rows that changed are rewritten: a busy agent's preview costs a few rows, not a screen
    incrementalRendering: false,
    ...(onRender ? { onRender } : {}),
  });
}

/** Renders the fleet list into a terminal, as `mountDashboard` does the dashboard. */
export function mountFleet({ stdout, stdin, ...props }: FleetDashboardProps & { stdout: NodeJS.WriteStream; stdin: NodeJS.ReadStream }): Instance {
  return render(<FleetDashboard {...props} />, { stdout, stdin, exitOnCtrlC: false, patchConsole: false, maxFps: MAX_FPS, incrementalRendering: false });
}
