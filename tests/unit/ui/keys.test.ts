import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { handleKey, initialUi, type UiState } from '../../../src/ui/keys.js';

const none: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
} as Key;
const k = (over: Partial<Key>): Key => ({ ...none, ...over });
const names = ['orchestrator', 'builder', 'adversary', 'watchdog'];

function press(ui: UiState, ...keys: Array<string | Partial<Key>>): { ui: UiState; effects: unknown[] } {
  const effects: unknown[] = [];
  for (const key of keys) {
    const result = typeof key === 'string' ? handleKey(ui, key, none, names) : handleKey(ui, '', k(key), names);
    ui = result.ui;
    if (result.effect) effects.push(result.effect);
  }
  return { ui, effects };
}

describe('handleKey', () => {
  it('up and down move the selection within the list', () => {
    expect(press(initialUi(), { downArrow: true }).ui.selected).toBe('builder');
    expect(press(initialUi(), { downArrow: true }, { downArrow: true }, { downArrow: true }, { downArrow: true }).ui.selected).toBe('watchdog');
    expect(press(initialUi(), { upArrow: true }).ui.selected).toBe('orchestrator');
    expect(press(initialUi('adversary'), 'k').ui.selected).toBe('builder');
  });

  it('a selection that left the config falls back to the first agent', () => {
    expect(press(initialUi('gone'), 'r').effects).toEqual([{ type: 'restart', agent: 'orchestrator' }]);
  });

  it('enter and a attach, r restarts, s toggles, q quits', () => {
    const ui = initialUi('builder');
    expect(press(ui, { return: true }, 'a', 'r', 's', 'q').effects).toEqual([
      { type: 'attach', agent: 'builder' },
      { type: 'attach', agent: 'builder' },
      { type: 'restart', agent: 'builder' },
      { type: 'toggle', agent: 'builder' },
      { type: 'quit' },
    ]);
    expect(press(ui, { ctrl: true }).effects).toEqual([]);
    expect(handleKey(ui, 'c', k({ ctrl: true }), names).effect).toEqual({ type: 'quit' });
  });

  it('m opens a text input: typing, backspace, a paste, enter sends; keys are text while typing', () => {
    const { ui, effects } = press(initialUi('builder'), 'm', 'h', 'i', 'x', { backspace: true }, ' there', 'q', 'r', { return: true });
    expect(effects).toEqual([{ type: 'send', agent: 'builder', text: 'hi thereqr' }]);
    expect(ui.mode).toBe('normal');
    expect(ui.draft).toBe('');
  });

  it('esc cancels a message; an empty message is not sent', () => {
    expect(press(initialUi(), 'm', 'x', { escape: true }).effects).toEqual([]);
    expect(press(initialUi(), 'm', '   ', { return: true }).effects).toEqual([]);
  });

  it('line breaks and controls in a paste do not reach the message', () => {
    const { ui } = press(initialUi(), 'm', 'one\ntwo\x1b[31m');
    expect(ui.draft).toBe('one two[31m');
  });

  it('p asks first: y advances, anything else cancels', () => {
    expect(press(initialUi(), 'p').ui.mode).toBe('confirm');
    expect(press(initialUi(), 'p', 'y').effects).toEqual([{ type: 'advance' }]);
    expect(press(initialUi(), 'p', 'n').effects).toEqual([]);
    expect(press(initialUi(), 'p', { return: true }).effects).toEqual([]);
    expect(press(initialUi(), 'p', 'q').effects).toEqual([]);
  });

  it('? opens the help and any key closes it without acting', () => {
    expect(press(initialUi(), '?').ui.mode).toBe('help');
    const { ui, effects } = press(initialUi(), '?', 'q');
    expect(ui.mode).toBe('normal');
    expect(effects).toEqual([]);
  });

  it('l toggles the log; esc leaves it; actions still work there', () => {
    expect(press(initialUi(), 'l').ui.mode).toBe('log');
    expect(press(initialUi(), 'l', 'l').ui.mode).toBe('normal');
    expect(press(initialUi(), 'l', { escape: true }).ui.mode).toBe('normal');
    expect(press(initialUi('builder'), 'l', 'r').effects).toEqual([{ type: 'restart', agent: 'builder' }]);
  });

  it('esc in the table asks to go back (to the fleet list, when it was opened from one); esc in a mode only leaves the mode', () => {
    expect(press(initialUi(), { escape: true }).effects).toEqual([{ type: 'back' }]);
    expect(press(initialUi(), 'l', { escape: true }).effects).toEqual([]);
    expect(press(initialUi(), 'p', { escape: true }).effects).toEqual([]);
  });
});
