import { Text } from 'ink';
import type { ReactNode } from 'react';
import type { Mode } from '../keys.js';

export interface FooterProps {
  mode: Mode;
  /** what `s` does to the selected agent */
  toggle: 'stop' | 'start';
  width: number;
  /** opened from the fleet list: escape goes back to it */
  back?: boolean;
}

/** The keys, one row. */
export function Footer({ mode, toggle, width, back = false }: FooterProps): ReactNode {
  const keys =
    mode === 'message'
      ? 'enter send · esc cancel · ctrl-u clear'
      : mode === 'confirm'
        ? 'y advance · any other key cancels'
        : mode === 'help'
          ? 'any key closes the help'
          : width >= 100
            ? `↑↓ select · ⏎/a attach · r restart · s ${toggle} · m message · p phase · l ${mode === 'log' ? 'screen' : 'log'} · ? help${back ? ' · esc fleet' : ''} · q quit`
            : // the fleet's key takes the place of the arrows' (which need no telling) to fit 80 columns
              `${back ? '' : '↑↓ select  '}⏎/a attach  r restart  s ${toggle}  m msg  p phase  l ${mode === 'log' ? 'back' : 'log'}  ? help${back ? '  esc fleet' : ''}  q quit`;
  return (
    <Text wrap="truncate-end" dimColor>
      {keys}
    </Text>
  );
}
