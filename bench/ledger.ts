// bench/ledger.ts: what the hash-chained ledger costs (see docs/RECORD.md).
//
//   node_modules/.bin/vite-node bench/ledger.ts [--events N] [--verify N] [--no-demo]
//
// 1. append rate: N (20,000) events of a typical size appended one by one into a
//    temp state folder, with the append before the chain (open, read the last
//    byte, one write, close: reproduced here as it was) and with ao's appendEvent
//    now (the events lock, the head, one write, ledger-head.json), and once more
//    with the head read from ledger-head.json at every append (what a command does,
//    or the watchdog after another process appended);
// 2. `ao verify` of a ledger of --verify (100,000) events: verifyStateDir in this
//    process, and bin/ao verify as a user runs it (wall time, one run each);
// 3. unless --no-demo: `ao bundle` of the demo team (ao init, ao up, run to
//    complete, bundle while it runs): wall time and size. Its own tmux socket,
//    ended at the end.
// Prints figures; asserts nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, mkdtempSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { appendWhole } from '../src/state/append.js';
import { appendEvent, forgetHeads, type EventRecord } from '../src/state/events.js';
import { verifyStateDir } from '../src/state/ledger-read.js';
import { ensureDir, openAppend } from '../src/state/safe-fs.js';

const opts = { events: 20_000, verify: 100_000, demo: true };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--no-demo') opts.demo = false;
  else if (argv[i] === '--events') opts.events = Number(argv[++i]);
  else if (argv[i] === '--verify') opts.verify = Number(argv[++i]);
  else throw new Error('usage: bench/ledger.ts [--events N] [--verify N] [--no-demo]');
}
const ROOT = join(import.meta.dirname, '..');
const temps: string[] = [];
const temp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'ao-bench-ledger-'));
  temps.push(d);
  return d;
};
process.on('exit', () => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

const record = (n: number): EventRecord =>
  ({
    time: new Date().toISOString(),
    agent: 'builder',
    event: 'iteration-done',
    reason: `exit 0 after iteration ${n}`,
    details: { iteration: n, lived_ms: 1833 },
  }) as EventRecord;

/** The append as it was before the chain. */
function appendPlain(stateDir: string, r: EventRecord): void {
  ensureDir(stateDir);
  const fd = openAppend(join(stateDir, 'events.jsonl'), { read: true });
  try {
    const size = fstatSync(fd).size;
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    appendWhole(fd, size, `${prefix}${JSON.stringify(r)}\n`);
  } finally {
    closeSync(fd);
  }
}

function rate(name: string, append: (dir: string, n: number) => void): void {
  const dir = temp();
  for (let n = 0; n < 200; n++) append(dir, n); // warm up
  const start = performance.now();
  for (let n = 0; n < opts.events; n++) append(dir, n);
  const ms = performance.now() - start;
  console.log(`${name.padEnd(44)} ${Math.round(opts.events / (ms / 1000)).toLocaleString('en')} events/s (${((ms * 1000) / opts.events).toFixed(1)} µs each)`);
}

console.log(`node ${process.version}, ${opts.events} appends each`);
rate('append before the chain', (dir, n) => appendPlain(dir, record(n)));
rate('appendEvent, chained (head in memory)', (dir, n) => appendEvent(dir, record(n), 1 << 30));
// as a command appends (or the watchdog after another process did): nothing in memory, the head read from ledger-head.json
rate('appendEvent, chained (head from its file)', (dir, n) => {
  forgetHeads();
  appendEvent(dir, record(n), 1 << 30);
});

// 2. verify
{
  const project = temp();
  writeFileSync(
    join(project, 'agents.toml'),
    '[defaults]\nbackend = "shell"\n\n[agents.a]\nkind = "persistent"\ncommand = "sleep"\nargs = ["1000"]\n\n[[phases]]\nid = "one"\nplan = "one.md"\n',
  );
  mkdirSync(join(project, 'phases'));
  mkdirSync(join(project, 'prompts'));
  writeFileSync(join(project, 'phases', 'one.md'), '# one\n');
  writeFileSync(join(project, 'prompts', 'kickoff.md'), 'go\n');
  const state = join(project, 'state');
  for (let n = 0; n < opts.verify; n++) appendEvent(state, record(n), 1 << 30);
  const bytes = statSync(join(state, 'events.jsonl')).size;
  let start = performance.now();
  const result = verifyStateDir(state);
  const inProcess = performance.now() - start;
  start = performance.now();
  const cli = spawnSync(process.execPath, [join(ROOT, 'bin', 'ao'), 'verify'], { cwd: project, encoding: 'utf8', env: { ...process.env, AO_CONFIG: '' } });
  const wall = performance.now() - start;
  console.log(
    `verify of ${opts.verify.toLocaleString('en')} events (${(bytes / 1e6).toFixed(1)} MB): in process ${Math.round(inProcess)} ms (intact: ${result.intact}); bin/ao verify ${Math.round(wall)} ms, exit ${cli.status}`,
  );
}

// 3. bundle of the demo team
if (opts.demo) {
  const project = temp();
  const socket = `ao-bench-ledger-${process.pid}`;
  const env = { ...process.env, AO_TMUX_SOCKET: socket, AO_CONFIG: '', TMUX: '', AO_DEMO_PACE_S: '0.1' };
  const ao = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin', 'ao'), ...args], { cwd: project, encoding: 'utf8', env });
  try {
    ao('init');
    ao('up');
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && !(JSON.parse(ao('status', '--json').stdout || '{}') as { complete?: boolean }).complete) spawnSync('sleep', ['0.5']);
    const start = performance.now();
    const made = ao('bundle', '--json', '--streams');
    const wall = performance.now() - start;
    const out = JSON.parse(made.stdout) as { path: string; bytes: number; files: number; ms: number };
    console.log(
      `ao bundle of the demo team (complete, running): ${Math.round(wall)} ms wall (${out.ms} ms inside), ${(out.bytes / 1024).toFixed(1)} KB, ${out.files} files`,
    );
  } finally {
    ao('down');
    try {
      execFileSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}
