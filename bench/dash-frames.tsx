/**
 * What one frame of `ao dash` costs React and ink, without tmux or the engine
 * (docs/PERFORMANCE.md, "50 agents: what moved the CPU"):
 *
 *   NODE_ENV=production npx vite-node bench/dash-frames.tsx [frames] [--long]
 *
 * The dashboard of 50 printing agents (the state the engine publishes, built
 * with the unit tests' fixtures) rendered into a fake 120×40 terminal, one
 * frame per published state, two states taking turns (the preview's clock
 * moves, as bench/dash's first agent's does). Prints the CPU per frame
 * (process.cpuUsage), the bytes written per frame, and a hash of all of
 * them, so that two builds can be shown to draw the same bytes. --long:
 * preview lines and event reasons wider than their panels, with wide
 * characters, which ink truncates on every frame.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { render } from 'ink';
import { Dashboard } from '../src/ui/App.js';
import type { DashState } from '../src/ui/model.js';
import { createStore } from '../src/ui/store.js';
import { agent, NOW, observed, pane, project, record, stateFor } from '../tests/unit/ui/fixtures.js';

const FRAMES = Number(process.argv[2] ?? 300);
const LONG = process.argv.includes('--long');
const WARMUP = 50;

const names = Array.from({ length: 50 }, (_, i) => `a${String(i + 1).padStart(2, '0')}`);
const team = project(names.map((n) => agent(n, { kind: 'persistent', backend: 'shell', model: null, heal: 'heal' })));
const records = Object.fromEntries([...names, 'watchdog'].map((n) => [n, record()]));
const two = (n: number): string => String(n % 60).padStart(2, '0');

/** The state of tick `i`: every agent printed this second, the first one's screen shows the dates it printed. */
function state(i: number): DashState {
  const now = NOW + i * 1000;
  const panes = [...names, 'watchdog'].map((n) => pane(`p-${n}`, { activity: Math.floor(now / 1000) }));
  const wide = (k: number): string => (LONG && k % 3 ? ' wide 漢字 🙂 and long'.repeat(8) : '');
  const lines = Array.from({ length: 50 }, (_, k) => `Tue Dec  1 18:${two(Math.floor((i * 20 + k) / 60))}:${two(i * 20 + k)} UTC 2026${wide(k)}`);
  const events = Array.from({ length: 40 }, (_, k) => ({
    time: new Date(NOW - k * 60_000).toISOString(),
    agent: names[k % 50]!,
    event: 'started' as const,
    reason: `pid ${1000 + k}${LONG ? ' a long reason é 漢'.repeat(10) : ''}`,
  }));
  return stateFor(team, observed({ panes, server: true, agents: { version: 1, agents: records }, now }), {
    now,
    preview: { agent: 'a01', lines },
    events,
    journal: { name: 'JOURNAL-one.md', exists: true, lines: ['## attempt 1', 'printed the date'] },
    review: { name: 'REVIEW-one.md', exists: false, lines: [] },
  });
}

class Terminal extends EventEmitter {
  columns = 120;
  rows = 40;
  isTTY = true;
  bytes = 0;
  counting = false;
  private readonly hash = createHash('sha1');
  write(text: string): boolean {
    if (this.counting) {
      this.bytes += text.length;
      this.hash.update(text);
    }
    return true;
  }
  digest(): string {
    this.counting = false;
    return this.hash.digest('hex').slice(0, 12);
  }
}
class Keyboard extends EventEmitter {
  isTTY = true;
  setRawMode(): void {}
  setEncoding(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
  read(): null {
    return null;
  }
}

const store = createStore(state(0));
const terminal = new Terminal();
let drawn: () => void = () => {};
const noop = (): void => {};
const instance = render(
  <Dashboard store={store} color={true} actions={{ attach: noop, restart: noop, toggle: noop, send: noop, advance: noop, quit: noop, focus: noop }} />,
  {
    stdout: terminal as unknown as NodeJS.WriteStream,
    stdin: new Keyboard() as unknown as NodeJS.ReadStream,
    exitOnCtrlC: false,
    patchConsole: false,
    // every state drawn: the frames are what is measured, not ink's throttle
    maxFps: 1000,
    incrementalRendering: false,
    onRender: () => drawn(),
  },
);
const turns = [state(WARMUP + 1), state(WARMUP + 2)];
async function frame(next: DashState): Promise<void> {
  const done = new Promise<void>((resolve) => (drawn = resolve));
  store.set({ ...next });
  await done;
  // let ink's throttle settle, as a second between ticks does
  await new Promise((resolve) => setTimeout(resolve, 2));
}
for (let i = 1; i <= WARMUP; i++) await frame(state(i));
terminal.counting = true;
const before = process.cpuUsage();
for (let i = 0; i < FRAMES; i++) await frame(turns[i % 2]!);
const used = process.cpuUsage(before);
const result = {
  frames: FRAMES,
  long: LONG,
  cpuMsPerFrame: Math.round((used.user + used.system) / FRAMES) / 1000,
  bytesPerFrame: Math.round(terminal.bytes / FRAMES),
  hash: terminal.digest(),
};
instance.unmount();
process.stdout.write(`${JSON.stringify(result)}\n`);
