import { describe, expect, it } from 'vitest';
import { exposureChecks, type ExposureFacts } from '../../../src/cli/doctor-exposure.js';

const facts = (over: Partial<ExposureFacts> = {}): ExposureFacts => ({
  stateDir: '/p/state',
  folderMode: 0o40700,
  exposed: [],
  scanned: 12,
  truncated: false,
  unitEnv: null,
  ...over,
});

describe("ao doctor: who else can read the state folder and the unit's keys", () => {
  it.each<[string, Partial<ExposureFacts>, string[], RegExp]>([
    ['a 0700 folder with nothing exposed', {}, ['ok'], /0700, 12 entries/],
    ['a folder not made yet', { folderMode: null }, ['ok'], /not made yet/],
    ['a 0755 folder', { folderMode: 0o40755 }, ['warn'], /\/p\/state is 0755/],
    ['a 0711 folder (others may open what they can name)', { folderMode: 0o40711 }, ['warn'], /0711/],
    ['a 0644 file in it', { exposed: [{ path: 'agents.json', mode: 0o100644 }] }, ['warn'], /1 of its entries .*agents\.json 0644/],
    [
      'many, shown by the first three',
      { exposed: ['a', 'b', 'c', 'd'].map((p) => ({ path: p, mode: 0o100666 })), truncated: true },
      ['warn'],
      /4\+ of its entries .*a 0666, b 0666, c 0666, …/,
    ],
    ['a 0600 unit env file', { unitEnv: { path: '/h/.config/ao/x.env', mode: 0o100600 } }, ['ok', 'ok'], /0700/],
    ['a 0644 unit env file', { unitEnv: { path: '/h/.config/ao/x.env', mode: 0o100644 } }, ['ok', 'warn'], /x\.env is 0644/],
    ['a 0620 unit env file (group may write)', { unitEnv: { path: '/h/.config/ao/x.env', mode: 0o100620 } }, ['ok', 'warn'], /0620/],
  ])('%s', (_, over, statuses, detail) => {
    const checks = exposureChecks(facts(over));
    expect(checks.map((c) => c.status)).toEqual(statuses);
    expect(checks.map((c) => c.detail).join('\n')).toMatch(detail);
    for (const c of checks) expect(c.fix === null).toBe(c.status === 'ok');
  });

  it('says how to fix it', () => {
    const [state, env] = exposureChecks(facts({ folderMode: 0o40755, unitEnv: { path: '/h/x.env', mode: 0o100644 } }));
    expect(state?.fix).toBe('chmod -R go-rwx /p/state');
    expect(env?.fix).toBe('chmod 600 /h/x.env');
  });
});
