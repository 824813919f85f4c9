/**
 * bench/soak bundles the stand-ins and the CLI homes (test fixtures) and runs
 * them outside vitest, where importing vitest throws ("Vitest failed to access
 * its internal state"): nothing the bundle holds may import it, which a move of
 * a test helper into the wrong file once did.
 */
import { buildSync } from 'esbuild';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesBuild } from '../../../bench/soak-team.mjs';

const ROOT = join(import.meta.dirname, '..', '..', '..');

describe('the soak’s fixtures bundle', () => {
  it('builds, and imports no vitest (nor any test helper that does)', () => {
    const result = buildSync({ ...fixturesBuild(ROOT), write: false, metafile: true, outfile: 'soak-fixtures.mjs' });
    const outputs = Object.values(result.metafile.outputs);
    const imports = outputs.flatMap((o) => o.imports.map((i) => i.path));
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((i) => i.endsWith('standins/anthropic.ts'))).toBe(true);
    expect(imports.filter((i) => i === 'vitest' || i.startsWith('vitest/'))).toEqual([]);
    expect(inputs.filter((i) => i.endsWith('helpers/ao.ts'))).toEqual([]);
  });
});
