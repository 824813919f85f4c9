/** Colours by meaning; with NO_COLOR every colour is dropped (the text still says the state). */
import { createContext, useContext } from 'react';
import type { AgentState } from '../supervisor/status.js';
import type { NoticeTone } from './model.js';

export interface Theme {
  color: boolean;
}

/** NO_COLOR (https://no-color.org): present and not empty disables colour. */
export function colorEnabled(env: NodeJS.ProcessEnv): boolean {
  return !env.NO_COLOR;
}

export type Colour = 'green' | 'yellow' | 'red' | 'cyan' | 'gray';

const STATE_COLOURS: Record<AgentState, Colour | undefined> = {
  running: 'green',
  waiting: 'yellow',
  backoff: 'yellow',
  paused: 'cyan',
  stalled: 'red',
  dead: 'red',
  failed: 'red',
  stopped: undefined, // shown dim
};

export function stateColor(state: AgentState, theme: Theme): Colour | undefined {
  return theme.color ? STATE_COLOURS[state] : undefined;
}

export function toneColor(tone: NoticeTone, theme: Theme): Colour | undefined {
  if (!theme.color) return undefined;
  return tone === 'error' ? 'red' : tone === 'busy' ? 'yellow' : 'cyan';
}

/** A colour only when colour is on. */
export const paint = (colour: Colour, theme: Theme): Colour | undefined => (theme.color ? colour : undefined);

export const ThemeContext = createContext<Theme>({ color: true });
export const useTheme = (): Theme => useContext(ThemeContext);
