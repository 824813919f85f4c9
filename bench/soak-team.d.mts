import type { BuildOptions } from 'esbuild';

/** How bench/soak bundles the stand-ins and CLI homes (tests/ fixtures) to run them outside vitest. */
export function fixturesBuild(root: string): BuildOptions;
