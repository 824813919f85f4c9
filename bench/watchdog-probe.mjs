#!/usr/bin/env node
// Where the watchdog's idle CPU and memory go (a helper of bench/watchdog; see
// docs/PERFORMANCE.md). Runs several watchdogs side by side, each by hand
// (`node [FLAGS] bin/ao watchdog`) against its own copy of a project of N
// `sleep` agents brought up with `ao up --no-watchdog` on its own tmux socket:
// a few seconds fresh, then --kills kills of agent a1 one second apart, then
// --seconds of idle, sampling VmRSS every second and utime+stime at both ends.
//
//   node bench/watchdog-probe.mjs [--agents N] [--seconds N] [--kills N] [--fresh N] VARIANT...
//
// A VARIANT may be named more than once (replicas). VARIANT is one of:
//   default   as `ao up` runs it (NODE_EXTRA_CA_CERTS as in this environment)
//   no-ca     NODE_EXTRA_CA_CERTS removed
//   semi1     --max-semi-space-size=1 (a 1 MB young generation)
//   opt-size  --optimize-for-size
//   memlog    logs process.memoryUsage() every second (heap, external, rss) via --import
//   memlog-gc the same with --expose-gc and a full GC every 5 s: heapUsed after it is the live set
//   prof      --cpu-prof: prints where the CPU time went, by function (its CPU % is not representative)
//   bare      a bare node with one setInterval(100 ms), for reference
//   bare-fs   a bare node that reads N /proc/PID/stat files every 100 ms (the watchdog's poll, alone)
//   bare-pread the same poll with one fd kept open per pid, read with pread into one buffer
//   (bare, bare-fs and bare-pread take @MS for another interval: bare-pread@40)
//
// Starts its own tmux servers (unique sockets) and ends them, and the processes it
// started, by pid; removes its temp folders. Touches no other tmux server.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const opts = { agents: 20, seconds: 60, kills: 20, fresh: 5, variants: [] };
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const int = () => {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${a} needs a number`);
      return n;
    };
    if (a === '--agents') opts.agents = int();
    else if (a === '--seconds') opts.seconds = int();
    else if (a === '--kills') opts.kills = int();
    else if (a === '--fresh') opts.fresh = int();
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else opts.variants.push(a);
  }
  if (opts.variants.length === 0) opts.variants = ['default', 'no-ca', 'semi1', 'memlog'];
}
const KNOWN = ['default', 'no-ca', 'semi1', 'opt-size', 'memlog', 'memlog-gc', 'prof', 'bare', 'bare-fs', 'bare-pread'];
for (const v of opts.variants) if (!KNOWN.includes(v.replace(/@\d+$/, ''))) throw new Error(`unknown variant ${v}; known: ${KNOWN.join(', ')}`);

const log = (s) => process.stderr.write(`probe: ${s}\n`);
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const statFields = (pid) => {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
};
const ticks = (pid) => {
  const f = statFields(pid);
  return f ? Number(f[11]) + Number(f[12]) : null;
};
const rssMb = (pid) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  } catch {
    return null;
  }
};
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

const work = mkdtempSync(join(tmpdir(), 'wdbp-'));
const snap = join(work, 'ao');
const AO = join(snap, 'bin', 'ao');
const baseEnv = { ...process.env };
delete baseEnv.TMUX;
delete baseEnv.AO_CONFIG;
delete baseEnv.AO_TMUX_SOCKET;
const runs = [];
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => (interrupted = true));

function snapshotAo() {
  mkdirSync(snap, { recursive: true });
  cpSync(join(ROOT, 'bin'), join(snap, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'dist'), join(snap, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(snap, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(snap, 'node_modules'));
}

function writeProject(dir) {
  mkdirSync(join(dir, 'prompts'), { recursive: true });
  mkdirSync(join(dir, 'phases'), { recursive: true });
  let toml = `[defaults]\nbackend = "shell"\nsession_prefix = "wdb-"\n\n[watchdog]\nhealthy_after_s = 0.5\nrestart_limit = 1000\n\n[[phases]]\nid = "one"\nplan = "one.md"\n`;
  for (let i = 1; i <= opts.agents; i++) toml += `\n[agents.a${i}]\nkind = "persistent"\ncommand = "sleep"\nargs = ["100000"]\n`;
  writeFileSync(join(dir, 'agents.toml'), toml);
  writeFileSync(join(dir, 'prompts', 'kickoff.md'), 'You are {agent}.\n');
  writeFileSync(join(dir, 'phases', 'one.md'), '# one\n');
  return join(dir, 'agents.toml');
}

const MEMLOG = `import { appendFileSync } from 'node:fs';
const file = process.env.WDB_MEMLOG;
let n = 0;
// memlog-gc: a full GC every 5 s first, so heapUsed is the live set (a leak shows as growth)
const t = setInterval(() => { if (globalThis.gc && ++n % 5 === 0) globalThis.gc(); const m = process.memoryUsage(); appendFileSync(file, JSON.stringify({ t: Date.now(), gc: Boolean(globalThis.gc && n % 5 === 0), ...m }) + '\\n'); }, 1000);
t.unref();
`;

function startVariant(variant) {
  const dir = join(work, `${variant}-${runs.length}`);
  const socket = `wdbp-${process.pid}-${randomBytes(3).toString('hex')}-${runs.length}`;
  const env = { ...baseEnv, AO_TMUX_SOCKET: socket };
  const run = { variant, dir, socket, env, pid: null, child: null };
  runs.push(run);
  if (variant.startsWith('bare')) {
    const [kind, every = '100'] = variant.split('@');
    const code =
      kind === 'bare'
        ? `setInterval(() => {}, ${every})`
        : kind === 'bare-fs'
          ? `const fs = require('node:fs'); const pids = process.env.WDB_PIDS.split(',').map(Number); setInterval(() => { for (const p of pids) { try { const s = fs.readFileSync('/proc/' + p + '/stat', 'utf8'); s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3); } catch {} } }, ${every})`
          : `const fs = require('node:fs'); const fds = process.env.WDB_PIDS.split(',').map((p) => fs.openSync('/proc/' + p + '/stat', 'r')); const b = Buffer.alloc(512); setInterval(() => { for (const fd of fds) { try { const n = fs.readSync(fd, b, 0, 512, 0); b[b.lastIndexOf(41, n) + 2]; } catch {} } }, ${every})`;
    let pidsEnv = {};
    if (kind !== 'bare') {
      // the same number of live pids to read as the watchdog has: sleeps of our own
      run.sleeps = Array.from({ length: opts.agents }, () => spawn('sleep', ['100000'], { stdio: 'ignore' }));
      pidsEnv = { WDB_PIDS: run.sleeps.map((k) => k.pid).join(',') };
    }
    run.child = spawn(process.execPath, ['-e', code], { env: { ...baseEnv, ...pidsEnv }, stdio: 'ignore' });
    run.pid = run.child.pid;
    return run;
  }
  const config = writeProject(dir);
  run.config = config;
  const up = spawnSync(AO, ['up', '--no-watchdog', '-c', config], { env, encoding: 'utf8' });
  if (up.status !== 0) throw new Error(`${variant}: ao up failed: ${up.stderr}${up.stdout}`);
  run.tmuxUp = true;
  const flags = [];
  const extraEnv = {};
  if (variant === 'no-ca') delete env.NODE_EXTRA_CA_CERTS;
  if (variant === 'semi1') flags.push('--max-semi-space-size=1');
  if (variant === 'opt-size') flags.push('--optimize-for-size');
  if (variant === 'memlog-gc') flags.push('--expose-gc');
  if (variant.startsWith('memlog')) {
    writeFileSync(join(work, 'memlog.mjs'), MEMLOG);
    flags.push('--import', pathToFileURL(join(work, 'memlog.mjs')).href);
    run.memlog = join(work, `memlog-${runs.length}.jsonl`);
    extraEnv.WDB_MEMLOG = run.memlog;
  }
  if (variant === 'prof') {
    run.profDir = join(work, `prof-${runs.length}`);
    flags.push('--cpu-prof', `--cpu-prof-dir=${run.profDir}`);
  }
  run.child = spawn(process.execPath, [...flags, AO, 'watchdog', '-c', config], { env: { ...env, ...extraEnv }, cwd: dir, stdio: 'ignore' });
  run.pid = run.child.pid;
  run.exited = new Promise((r) => run.child.on('exit', r));
  return run;
}

function paneOf(run, session) {
  const out = spawnSync('tmux', ['-L', run.socket, 'list-panes', '-t', `=${session}:`, '-F', '#{pane_pid} #{pane_dead}'], { encoding: 'utf8' }).stdout.trim();
  const [pid, dead] = out.split(' ');
  return { pid: Number(pid), dead: dead === '1' };
}

function summarizeProfile(dir) {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return 'no profile written';
  const prof = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // time per sample from timeDeltas
  const self = new Map();
  const total = (prof.endTime - prof.startTime) / 1000;
  const samples = prof.samples;
  const dt = prof.timeDeltas;
  const label = (n) =>
    `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url ? `${basename(n.callFrame.url)}:${n.callFrame.lineNumber + 1}` : ''}`.trim();
  const inclusive = new Map();
  const WATCH = [
    'processAlive',
    'zombieExit',
    'tick',
    'snapshot',
    'withLock',
    'capLogs',
    'writeJsonAtomic',
    'appendEvent',
    'execa',
    'readAgentsState',
    'currentPhase',
    'reconcile',
    'spawn',
    'readFileSync',
  ];
  let busy = 0;
  for (let i = 0; i < samples.length; i++) {
    const ms = (dt[i + 1] ?? dt[i] ?? 0) / 1000;
    const node = byId.get(samples[i]);
    const name = node.callFrame.functionName;
    if (name === '(idle)') continue;
    busy += ms;
    const l = label(node);
    self.set(l, (self.get(l) ?? 0) + ms);
    const seen = new Set();
    for (let id = samples[i]; id !== undefined; id = parent.get(id)) {
      const fn = byId.get(id).callFrame.functionName;
      if (WATCH.includes(fn) && !seen.has(fn)) {
        seen.add(fn);
        inclusive.set(fn, (inclusive.get(fn) ?? 0) + ms);
      }
    }
  }
  const lines = [
    `profile ${file}: ${(total / 1000).toFixed(1)} s, ${busy.toFixed(0)} ms not idle (${((busy / total) * 100).toFixed(2)}% of one core, sampling overhead included)`,
  ];
  lines.push('  top self time:');
  for (const [l, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20)) lines.push(`    ${ms.toFixed(1).padStart(7)} ms  ${l}`);
  lines.push('  inclusive time of selected functions:');
  for (const [fn, ms] of [...inclusive].sort((a, b) => b[1] - a[1])) lines.push(`    ${ms.toFixed(1).padStart(7)} ms  ${fn}`);
  return lines.join('\n');
}

async function main() {
  if (!existsSync(join(ROOT, 'dist', 'ao.js'))) throw new Error('run `npm run build` first');
  snapshotAo();
  for (const v of opts.variants) startVariant(v);
  log(`started ${runs.map((r) => `${r.variant} (pid ${r.pid})`).join(', ')}`);
  await sleep(opts.fresh * 1000);
  for (const r of runs) r.fresh = rssMb(r.pid);
  // kills: a1 of every project, once a second
  for (let k = 0; k < opts.kills && !interrupted; k++) {
    for (const r of runs) {
      if (!r.config) continue;
      const p = paneOf(r, 'wdb-a1');
      if (!p.dead && p.pid) process.kill(p.pid, 'SIGKILL');
    }
    await sleep(1000);
  }
  await sleep(3000);
  log(`idle for ${opts.seconds} s`);
  for (const r of runs) {
    r.c0 = ticks(r.pid);
    r.rss = [rssMb(r.pid)];
  }
  const t0 = Date.now();
  for (let s = 1; s <= opts.seconds && !interrupted; s++) {
    await sleep(t0 + s * 1000 - Date.now());
    for (const r of runs) r.rss.push(rssMb(r.pid));
  }
  const wall = (Date.now() - t0) / 1000;
  const out = [
    '',
    `watchdog probe: ${opts.agents} agents, ${opts.kills} kills of a1, then ${wall.toFixed(0)} s idle; node ${process.version}; NODE_EXTRA_CA_CERTS ${process.env.NODE_EXTRA_CA_CERTS ? 'set' : 'not set'}`,
    '',
  ];
  out.push('| variant | CPU % idle | RSS fresh MB | RSS idle mean MB | RSS idle max MB |');
  out.push('| --- | ---: | ---: | ---: | ---: |');
  for (const r of runs) {
    const c1 = ticks(r.pid);
    const rss = r.rss.filter((x) => x !== null);
    r.cpu = ((c1 - r.c0) / CLK_TCK / wall) * 100;
    out.push(`| ${r.variant} | ${r.cpu.toFixed(2)} | ${r.fresh?.toFixed(1)} | ${mean(rss).toFixed(1)} | ${Math.max(...rss).toFixed(1)} |`);
  }
  for (const r of runs) {
    if (r.memlog && existsSync(r.memlog)) {
      const rows = readFileSync(r.memlog, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
      const mb = (x) => (x / 1048576).toFixed(1);
      const first = rows[opts.fresh - 1] ?? rows[0];
      const last = rows.at(-1);
      out.push('');
      out.push(
        `memlog (process.memoryUsage, MB): fresh rss ${mb(first.rss)} heapTotal ${mb(first.heapTotal)} heapUsed ${mb(first.heapUsed)} external ${mb(first.external)} arrayBuffers ${mb(first.arrayBuffers)}`,
      );
      out.push(
        `                                   last  rss ${mb(last.rss)} heapTotal ${mb(last.heapTotal)} heapUsed ${mb(last.heapUsed)} external ${mb(last.external)} arrayBuffers ${mb(last.arrayBuffers)}`,
      );
      out.push(
        `                                   max heapTotal ${mb(Math.max(...rows.map((x) => x.heapTotal)))}, max rss ${mb(Math.max(...rows.map((x) => x.rss)))}`,
      );
      const gcs = rows.filter((x) => x.gc);
      if (gcs.length) out.push(`                                   heapUsed right after each forced GC: ${gcs.map((x) => mb(x.heapUsed)).join(' ')}`);
    }
  }
  // stop the watchdogs gracefully (the profile is written at exit)
  for (const r of runs) if (r.config) process.kill(r.pid, 'SIGTERM');
  await Promise.race([Promise.all(runs.filter((r) => r.exited).map((r) => r.exited)), sleep(10_000)]);
  for (const r of runs) if (r.profDir) out.push('', summarizeProfile(r.profDir));
  process.stdout.write(`${out.join('\n')}\n`);
}

let code = 1;
try {
  await main();
  code = 0;
} catch (e) {
  process.stderr.write(`watchdog-probe: ${e.stack ?? e}\n`);
} finally {
  for (const r of runs) {
    // only our own children that have not exited (by their ChildProcess, so never a reused pid)
    for (const child of [r.child, ...(r.sleeps ?? [])]) {
      if (!child || child.exitCode !== null || child.signalCode !== null) continue;
      try {
        child.kill('SIGKILL');
      } catch {
        // gone
      }
    }
    if (r.tmuxUp) {
      spawnSync(AO, ['down', '-c', r.config], { env: r.env, stdio: 'ignore' });
      spawnSync('tmux', ['-L', r.socket, 'kill-server'], { stdio: 'ignore' });
      rmSync(join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid()}`, r.socket), { force: true });
    }
  }
  rmSync(work, { recursive: true, force: true });
}
process.exit(code);
