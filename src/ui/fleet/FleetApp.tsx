/**
 * The fleet dashboard: the projects of a fleet.toml with their summaries;
 * enter opens one project's dashboard (escape there comes back), q quits.
 * It reads the store and runs nothing itself.
 */
import { Box, Text, useInput } from 'ink';
import { useRef, useState, type ReactNode } from 'react';
import { StatusLine } from '../components/StatusLine.js';
import type { Size } from '../layout.js';
import { StoreProvider, useStoreState, type Store } from '../store.js';
import { ThemeContext } from '../theme.js';
import { useTerminalSize } from '../use-terminal-size.js';
import { FleetList } from './FleetList.js';
import { currentProject, handleFleetKey } from './keys.js';
import type { FleetState } from './model.js';

export interface FleetActions {
  open: (project: string) => void;
  quit: () => void;
}

export interface FleetDashboardProps {
  store: Store<FleetState>;
  actions: FleetActions;
  color: boolean;
  size?: Size;
  /** the project selected at start (after a visit, the one visited) */
  initialSelected?: string | null;
}

export function FleetDashboard({ store, color, ...props }: FleetDashboardProps): ReactNode {
  return (
    <StoreProvider store={store}>
      <ThemeContext.Provider value={{ color }}>
        <FleetApp {...props} />
      </ThemeContext.Provider>
    </StoreProvider>
  );
}

function FleetApp({ actions, size: fixedSize, initialSelected = null }: Omit<FleetDashboardProps, 'store' | 'color'>): ReactNode {
  const state = useStoreState<FleetState>();
  const size = useTerminalSize(fixedSize);
  const [selected, setSelected] = useState<string | null>(initialSelected);
  const latest = useRef(selected);
  const rows = state.rows ?? [];
  const names = rows.map((r) => r.name);
  const current = currentProject(selected, names);

  useInput((input, key) => {
    const result = handleFleetKey(latest.current, input, key, names);
    latest.current = result.selected;
    setSelected(result.selected);
    if (result.effect?.type === 'open') actions.open(result.effect.project);
    if (result.effect?.type === 'quit') actions.quit();
  });

  const unhealthy = rows.filter((r) => r.enabled && !r.healthy).length;
  return (
    <Box flexDirection="column" width={size.columns} height={size.rows} overflow="hidden">
      <Text wrap="truncate-end">
        <Text bold>ao fleet</Text>
        <Text>{` · ${state.file} · ${rows.length} project${rows.length === 1 ? '' : 's'}`}</Text>
        {unhealthy > 0 ? <Text>{` · ${unhealthy} unhealthy`}</Text> : null}
      </Text>
      <Box height={size.rows - 3} flexDirection="column">
        {state.rows === null ? (
          <Text dimColor>reading the fleet…</Text>
        ) : rows.length === 0 ? (
          <Text dimColor>no projects in the fleet file (ao fleet add PATH)</Text>
        ) : (
          <FleetList rows={rows} selected={current} width={size.columns} height={size.rows - 3} />
        )}
      </Box>
      <StatusLine mode="normal" agent={current} draft="" confirm="" notice={state.notice} error={null} />
      <Text wrap="truncate-end" dimColor>
        ↑↓ select · ⏎ open its dashboard (esc there comes back) · q quit
      </Text>
    </Box>
  );
}
