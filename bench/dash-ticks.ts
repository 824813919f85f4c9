/**
 * What one tick of `ao dash`'s engine costs, without tmux and without
 * rendering (docs/PERFORMANCE.md, "50 agents: what moved the CPU"):
 *
 *   npx vite-node bench/dash-ticks.ts [ticks]
 *
 * A temp project of 50 agents (agents.json with all of them, no inbox, no
 * journal) and a fake tmux whose 51 panes all printed this second and whose
 * first pane shows 50 new dates each tick: the engine's reads of the state
 * folder (through its cache), the report, the preview and the publish.
 * Prints the CPU per tick (process.cpuUsage).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PaneInfo } from '../src/tmux/snapshot.js';
import { Engine, type TmuxPort } from '../src/ui/engine.js';
import { initialDashState } from '../src/ui/model.js';
import { createStore } from '../src/ui/store.js';
import { agent, NOW, pane, project, record } from '../tests/unit/ui/fixtures.js';

const TICKS = Number(process.argv[2] ?? 1000);
const WARMUP = 200;

const dir = mkdtempSync(join(tmpdir(), 'ao-bench-dash-ticks-'));
try {
  const names = Array.from({ length: 50 }, (_, i) => `a${String(i + 1).padStart(2, '0')}`);
  const team = project(
    names.map((n) => agent(n, { kind: 'persistent', backend: 'shell', model: null, heal: 'heal' })),
    { dir, configFile: join(dir, 'agents.toml'), stateDir: join(dir, 'state') },
  );
  writeFileSync(team.configFile, '# bench/dash-ticks\n');
  mkdirSync(team.stateDir, { recursive: true });
  writeFileSync(
    join(team.stateDir, 'agents.json'),
    JSON.stringify({ version: 1, agents: Object.fromEntries([...names, 'watchdog'].map((n) => [n, record()])) }),
  );
  let now = NOW;
  let captures = 0;
  const tmux: TmuxPort = {
    snapshot: async (): Promise<PaneInfo[]> => [...names, 'watchdog'].map((n) => pane(`p-${n}`, { activity: Math.floor(now / 1000) })),
    capture: async (): Promise<string> => {
      captures += 1;
      return `${Array.from({ length: 50 }, (_, k) => `Tue Dec  1 18:${String(k).padStart(2, '0')}:${String(captures % 60).padStart(2, '0')} UTC 2026`).join('\n')}\n`;
    },
  };
  const engine = new Engine({ project: team, tmux, store: createStore(initialDashState(NOW)), now: () => now });
  engine.focus('a01', 'preview');
  const tick = async (): Promise<void> => {
    now += 1000;
    await engine.tick();
  };
  for (let i = 0; i < WARMUP; i++) await tick();
  const before = process.cpuUsage();
  for (let i = 0; i < TICKS; i++) await tick();
  const used = process.cpuUsage(before);
  process.stdout.write(
    `${JSON.stringify({ ticks: TICKS, cpuMsPerTick: Math.round((used.user + used.system) / TICKS) / 1000, published: engine.publishes })}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
