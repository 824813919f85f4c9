import type { Timings } from '../../src/supervisor/reconcile.js';

const S = 1000;
const MIN = 60 * S;

/** The config defaults (load.ts) as the reconciler takes them: 1 s doubling to 60 s, healthy after 30 s, 5 crashes / 5 min, 10 restarts / 30 min. */
export const DEFAULT_TIMINGS: Readonly<Timings> = {
  backoffInitialMs: S,
  backoffMaxMs: 60 * S,
  healthyAfterMs: 30 * S,
  crashLimit: 5,
  crashWindowMs: 5 * MIN,
  restartLimit: 10,
  restartWindowMs: 30 * MIN,
};
