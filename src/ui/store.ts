/**
 * The dashboard's one source of data: the engine sets it, components read it
 * through `useDashState` (useSyncExternalStore), so they never fetch anything.
 * Every string a value holds passes the safe-text rule on its way in (names,
 * reasons, review and journal lines, the pane preview, notices), so no
 * component can draw an escape sequence an agent or a file put there.
 */
import { createContext, createElement, useContext, useSyncExternalStore, type ReactNode } from 'react';
import { safeDeep } from '../text/safe.js';
import type { DashState } from './model.js';

export interface Store<T> {
  get: () => T;
  set: (next: T) => void;
  /** merges a part into the current value */
  update: (change: Partial<T>) => void;
  subscribe: (listener: () => void) => () => void;
}

export function createStore<T extends object>(initial: T): Store<T> {
  let value = safeDeep(initial);
  const listeners = new Set<() => void>();
  const set = (raw: T): void => {
    // a value with nothing to remove comes back as the same object: setting it again changes nothing
    const next = safeDeep(raw);
    if (next === value) return;
    value = next;
    for (const listener of [...listeners]) listener();
  };
  return {
    get: () => value,
    set,
    update: (change) => set({ ...value, ...change }),
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type DashStore = Store<DashState>;

const StoreContext = createContext<Store<object> | null>(null);

export function StoreProvider<T extends object>({ store, children }: { store: Store<T>; children?: ReactNode }): ReactNode {
  return createElement(StoreContext.Provider, { value: store as unknown as Store<object> }, children);
}

/** The store's current value (the dashboard's, the fleet list's); re-renders when a new one is published. */
export function useStoreState<T extends object>(): T {
  const store = useContext(StoreContext) as Store<T> | null;
  if (!store) throw new Error('useStoreState needs a StoreProvider');
  return useSyncExternalStore(store.subscribe, store.get, store.get);
}

/** The dashboard's current state; re-renders when the engine publishes a new one. */
export const useDashState = (): DashState => useStoreState<DashState>();
