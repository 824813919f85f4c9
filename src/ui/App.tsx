/**
 * The dashboard: reads the store, keeps the mode and the selection, and turns
 * keys into actions. It runs nothing itself; the actions come from outside.
 */
import { Box, useInput } from 'ink';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { AgentStatus, StatusReport } from '../supervisor/status.js';
import { AgentTable } from './components/AgentTable.js';
import { ConfigBanner } from './components/ConfigBanner.js';
import { Coordination } from './components/Coordination.js';
import { EventStream } from './components/EventStream.js';
import { Footer } from './components/Footer.js';
import { Header } from './components/Header.js';
import { Help } from './components/Help.js';
import { Panel } from './components/Panel.js';
import { Preview } from './components/Preview.js';
import { StatusLine } from './components/StatusLine.js';
import { current, handleKey, initialUi, type Effect, type UiState } from './keys.js';
import { computeLayout, type Size } from './layout.js';
import { LIVE_STATES, type View } from './model.js';
import { StoreProvider, useDashState, type DashStore } from './store.js';
import { ThemeContext } from './theme.js';
import { useTerminalSize } from './use-terminal-size.js';

/** What the keys do; the dashboard's command wires them to `ao restart`, `ao up`, … */
export interface DashActions {
  attach: (agent: string) => void;
  restart: (agent: string) => void;
  /** `s`: stop a live agent, start one that is not */
  toggle: (agent: string, to: 'stop' | 'start') => void;
  send: (agent: string, text: string) => void;
  /** `p`, once confirmed */
  advance: () => void;
  quit: () => void;
  /** escape: back to the fleet list it was opened from (absent: escape does nothing) */
  back?: () => void;
  /** which agent the preview (or the log) follows */
  focus: (agent: string | null, view: View) => void;
}

export interface DashboardProps {
  store: DashStore;
  actions: DashActions;
  /** false under NO_COLOR */
  color: boolean;
  /** a fixed size; by default the terminal's, following resizes */
  size?: Size;
  /** the agent selected at start (after an attach, the one attached to) */
  initialSelected?: string | null;
}

/** The whole dashboard, fed by `store`. */
export function Dashboard({ store, color, ...props }: DashboardProps): ReactNode {
  return (
    <StoreProvider store={store}>
      <ThemeContext.Provider value={{ color }}>
        <App {...props} />
      </ThemeContext.Provider>
    </StoreProvider>
  );
}

export interface AppProps {
  actions: DashActions;
  size?: Size | undefined;
  initialSelected?: string | null | undefined;
}

const toggleOf = (agent: AgentStatus | undefined): 'stop' | 'start' => (agent && LIVE_STATES.includes(agent.state) ? 'stop' : 'start');

function confirmText(report: StatusReport | null): string {
  if (!report) return 'advance the phase?';
  const { phase } = report;
  if (report.complete) return 'the project is complete; there is no next phase. Try anyway?';
  if (phase.index + 1 >= phase.count) return `leave ${phase.id}, the last phase, and mark the project complete?`;
  return `advance from ${phase.id} [${phase.index + 1}/${phase.count}] to the next phase [${phase.index + 2}/${phase.count}]?`;
}

export function App({ actions, size: fixedSize, initialSelected = null }: AppProps): ReactNode {
  const state = useDashState();
  const size = useTerminalSize(fixedSize);
  const [ui, setUi] = useState<UiState>(() => initialUi(initialSelected));
  // keys that arrive together are handled before React re-renders: each must see the state the last one left
  const latest = useRef(ui);
  const agents = state.report?.agents ?? [];
  const names = agents.map((a) => a.name);
  const selectedName = current(ui, names);
  const selected = agents.find((a) => a.name === selectedName);
  const view: View = ui.mode === 'log' ? 'log' : 'preview';

  useEffect(() => actions.focus(selectedName, view), [actions, selectedName, view]);

  useInput((input, key) => {
    const result = handleKey(latest.current, input, key, names);
    latest.current = result.ui;
    setUi(result.ui);
    if (result.effect) run(result.effect);
  });

  function run(effect: Effect): void {
    switch (effect.type) {
      case 'attach':
        return actions.attach(effect.agent);
      case 'restart':
        return actions.restart(effect.agent);
      case 'toggle':
        return actions.toggle(effect.agent, toggleOf(agents.find((a) => a.name === effect.agent)));
      case 'send':
        return actions.send(effect.agent, effect.text);
      case 'advance':
        return actions.advance();
      case 'back':
        return actions.back?.();
      case 'quit':
        return actions.quit();
    }
  }

  const configError = state.report?.config_error ?? null;
  const layout = computeLayout(size, agents.length, configError ? 1 + configError.split('\n').filter((l) => l.trim()).length : 0);
  return (
    <Box flexDirection="column" width={layout.width} height={layout.height} overflowY="hidden">
      <Header report={state.report} phaseStartedAt={state.phaseStartedAt} now={state.now} width={layout.width} />
      {configError ? <ConfigBanner error={configError} height={layout.banner} width={layout.width} /> : null}
      <AgentTable agents={agents} startedAt={state.startedAt} now={state.now} selected={selectedName} height={layout.table} width={layout.width} />
      {ui.mode === 'help' ? (
        <Help height={layout.middle + layout.events} width={layout.width} />
      ) : (
        <>
          {ui.mode === 'log' ? (
            <Panel
              title={`log: ${selectedName ?? '-'}`}
              note="(l or esc: back to the screen)"
              lines={state.log?.agent === selectedName ? state.log.lines : []}
              height={layout.middle}
              width={layout.width}
              placeholder={`${selectedName ?? 'this agent'} has no log yet`}
            />
          ) : (
            <Box flexDirection="row" width={layout.width} height={layout.middle}>
              <Preview
                agent={selected}
                lines={state.preview?.agent === selectedName ? state.preview.lines : null}
                report={state.report}
                height={layout.middle}
                width={layout.previewWidth - 1}
              />
              <Box width={1} />
              <Coordination
                journal={state.journal}
                review={state.review}
                inbox={state.inbox}
                height={layout.middle}
                width={layout.width - layout.previewWidth}
              />
            </Box>
          )}
          <EventStream events={state.events} height={layout.events} width={layout.width} />
        </>
      )}
      <StatusLine mode={ui.mode} agent={selectedName} draft={ui.draft} confirm={confirmText(state.report)} notice={state.notice} error={state.error} />
      <Footer mode={ui.mode} toggle={toggleOf(selected)} width={layout.width} back={actions.back !== undefined} />
    </Box>
  );
}
