/** The fleet list's keys, as a pure function: a test walks them without a terminal. */
import type { Key } from 'ink';

export type FleetEffect = { type: 'open'; project: string } | { type: 'quit' };

export interface FleetKeyResult {
  selected: string | null;
  effect?: FleetEffect;
}

/** The selected project, or the first when the selection is gone. */
export function currentProject(selected: string | null, names: readonly string[]): string | null {
  return selected !== null && names.includes(selected) ? selected : (names[0] ?? null);
}

export function handleFleetKey(selected: string | null, input: string, key: Key, names: readonly string[]): FleetKeyResult {
  const at = currentProject(selected, names);
  if ((key.ctrl && input === 'c') || input === 'q') return { selected: at, effect: { type: 'quit' } };
  const index = at === null ? -1 : names.indexOf(at);
  const to = (i: number): string | null => names[Math.min(names.length - 1, Math.max(0, i))] ?? null;
  if (key.upArrow || input === 'k') return { selected: to(index - 1) };
  if (key.downArrow || input === 'j') return { selected: to(index + 1) };
  if (key.home) return { selected: to(0) };
  if (key.end) return { selected: to(names.length - 1) };
  if (key.return && at !== null) return { selected: at, effect: { type: 'open', project: at } };
  return { selected: at };
}
