/**
 * What a key does, as a pure function of the dashboard's mode: the App keeps
 * the mode and runs the effect. Keeping this apart keeps the App small and lets
 * a test walk every binding without a terminal.
 */
import type { Key } from 'ink';

export type Mode = 'normal' | 'help' | 'log' | 'message' | 'confirm';

export interface UiState {
  mode: Mode;
  /** the selected agent's name */
  selected: string | null;
  /** the message being typed (mode message) */
  draft: string;
}

export type Effect =
  | { type: 'attach'; agent: string }
  | { type: 'restart'; agent: string }
  | { type: 'toggle'; agent: string }
  | { type: 'send'; agent: string; text: string }
  | { type: 'advance' }
  | { type: 'back' }
  | { type: 'quit' };

export interface KeyResult {
  ui: UiState;
  effect?: Effect;
}

/** The keys, as the footer and the help show them. */
export const KEY_HELP: readonly (readonly [string, string])[] = [
  ['↑/↓', 'select an agent (also k/j)'],
  ['enter, a', "attach to the agent's session (detach with C-b d to come back)"],
  ['r', 'restart the agent'],
  ['s', 'stop the agent, or start it if it is not running'],
  ['m', 'send the agent a message (its inbox)'],
  ['p', 'advance the team to the next phase (asks first)'],
  ['l', "the agent's log instead of its screen (l or esc to go back)"],
  ['?', 'this help (any key closes it)'],
  ['esc', 'back to the fleet list (when opened from ao dash --fleet)'],
  ['q', 'quit (the team keeps running)'],
];

export const initialUi = (selected: string | null = null): UiState => ({ mode: 'normal', selected, draft: '' });

function move(names: readonly string[], selected: string | null, by: number): string | null {
  if (names.length === 0) return null;
  const at = selected === null ? -1 : names.indexOf(selected);
  const next = at < 0 ? 0 : Math.min(names.length - 1, Math.max(0, at + by));
  return names[next] ?? null;
}

/** The selected agent, or the first when the selection is gone (an agent removed from the config). */
export function current(ui: UiState, names: readonly string[]): string | null {
  return ui.selected !== null && names.includes(ui.selected) ? ui.selected : (names[0] ?? null);
}

export function handleKey(ui: UiState, input: string, key: Key, names: readonly string[]): KeyResult {
  const agent = current(ui, names);
  const ctrlC = key.ctrl && input === 'c';

  if (ui.mode === 'message') {
    if (ctrlC || key.escape) return { ui: { ...ui, mode: 'normal', draft: '' } };
    if (key.return) {
      const text = ui.draft.trim();
      const done = { ...ui, mode: 'normal' as const, draft: '' };
      return text && agent ? { ui: done, effect: { type: 'send', agent, text } } : { ui: done };
    }
    if (key.backspace || key.delete) return { ui: { ...ui, draft: [...ui.draft].slice(0, -1).join('') } };
    if (key.ctrl && input === 'u') return { ui: { ...ui, draft: '' } };
    if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow) return { ui };
    // a paste arrives as one input; line breaks in it become spaces, other controls are dropped
    // eslint-disable-next-line no-control-regex
    const typed = input.replace(/\r\n?|\n/g, ' ').replace(/[\x00-\x1f\x7f]/g, '');
    return { ui: { ...ui, draft: ui.draft + typed } };
  }

  if (ui.mode === 'confirm') {
    if (input === 'y' || input === 'Y') return { ui: { ...ui, mode: 'normal' }, effect: { type: 'advance' } };
    return { ui: { ...ui, mode: 'normal' } };
  }

  if (ui.mode === 'help') return { ui: { ...ui, mode: 'normal' } };

  if (ctrlC || input === 'q') return { ui, effect: { type: 'quit' } };
  if (key.upArrow || input === 'k') return { ui: { ...ui, selected: move(names, agent, -1) } };
  if (key.downArrow || input === 'j') return { ui: { ...ui, selected: move(names, agent, 1) } };
  if (key.home) return { ui: { ...ui, selected: names[0] ?? null } };
  if (key.end) return { ui: { ...ui, selected: names.at(-1) ?? null } };
  if (input === '?') return { ui: { ...ui, mode: 'help' } };
  if (input === 'p') return { ui: { ...ui, mode: 'confirm' } };
  if (input === 'l') return { ui: { ...ui, mode: ui.mode === 'log' ? 'normal' : 'log' } };
  if (key.escape && ui.mode === 'log') return { ui: { ...ui, mode: 'normal' } };
  // opened from the fleet list: back to it
  if (key.escape) return { ui, effect: { type: 'back' } };
  if (!agent) return { ui };
  if (key.return || input === 'a') return { ui, effect: { type: 'attach', agent } };
  if (input === 'r') return { ui, effect: { type: 'restart', agent } };
  if (input === 's') return { ui, effect: { type: 'toggle', agent } };
  if (input === 'm') return { ui: { ...ui, mode: 'message', draft: '' } };
  return { ui };
}
