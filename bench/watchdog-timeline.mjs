#!/usr/bin/env node
// Where a heal's time goes (a helper of bench/watchdog; see docs/PERFORMANCE.md).
// Runs one watchdog by hand under an --import hook that timestamps, in the
// watchdog itself, the SIGUSR2 of tmux's pane-died hook, each child process it
// spawns (tmux list-panes, respawn-pane, …) and when it exits, and the lock and
// fsync calls of the state writes; then kills agent a1 K times and lines the
// marks up against the kill (of a1's `sleep`, the child of ao's launcher) and
// the moment a new `sleep` is alive:
//
//   node bench/watchdog-timeline.mjs [--agents N] [--kills K] [--no-hook]
//
// --no-hook removes a1's pane-died hook first: every death is then found by the
// watchdog's /proc poll (the lost-hook case). Starts its own tmux server (unique
// socket) and ends it; ends what it started by pid; removes its temp folder.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const opts = { agents: 20, kills: 20, hook: true };
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--agents') opts.agents = Number(argv[++i]);
    else if (argv[i] === '--kills') opts.kills = Number(argv[++i]);
    else if (argv[i] === '--no-hook') opts.hook = false;
    else throw new Error('usage: watchdog-timeline.mjs [--agents N] [--kills K] [--no-hook]');
  }
}

const HOOK = `import cp from 'node:child_process';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { performance } from 'node:perf_hooks';
const file = process.env.WDB_TIMELINE;
const now = () => performance.timeOrigin + performance.now();
const rec = (e) => fs.appendFileSync(file, JSON.stringify({ t: now(), ...e }) + '\\n');
process.on('SIGUSR2', () => rec({ ev: 'sigusr2' }));
const origSpawn = cp.spawn;
cp.spawn = function (cmd, args, ...rest) {
  const tag = (Array.isArray(args) && args.find((a) => /^[a-z]+-[a-z]+$/.test(a))) || String(cmd);
  rec({ ev: 'spawn', tag });
  const child = origSpawn.call(this, cmd, args, ...rest);
  rec({ ev: 'spawned', tag });
  child.on('exit', () => rec({ ev: 'exit', tag }));
  return child;
};
for (const name of ['fsync', 'mkdir', 'rmdir', 'rename']) {
  const orig = fs[name];
  fs[name] = function (...a) {
    const cb = a.at(-1);
    if (typeof cb !== 'function') return orig.apply(this, a);
    const t = now();
    const target = typeof a[0] === 'string' ? a[0].split('/').slice(-2).join('/') : '';
    return orig.apply(this, [...a.slice(0, -1), (...r) => { rec({ ev: name, target, dur: now() - t }); cb(...r); }]);
  };
}
syncBuiltinESMExports();
`;

const now = () => performance.timeOrigin + performance.now();
const sab = new Int32Array(new SharedArrayBuffer(4));
const sleepSync = (ms) => Atomics.wait(sab, 0, 0, ms);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const stateOf = (pid) => {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s[s.lastIndexOf(')') + 2];
  } catch {
    return null;
  }
};
const tasks = (pid) => {
  try {
    return readdirSync(`/proc/${pid}/task`);
  } catch {
    return []; // ended meanwhile
  }
};
const children = (pid) =>
  tasks(pid).flatMap((t) => {
    try {
      return readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
const comm = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
};

const work = mkdtempSync(join(tmpdir(), 'wdbt-'));
const socket = `wdbt-${process.pid}-${randomBytes(3).toString('hex')}`;
const env = { ...process.env, AO_TMUX_SOCKET: socket };
delete env.TMUX;
delete env.AO_CONFIG;
const snap = join(work, 'ao');
const AO = join(snap, 'bin', 'ao');
const config = join(work, 'p', 'agents.toml');
const timeline = join(work, 'timeline.jsonl');
let dog = null;
let up = false;

try {
  mkdirSync(snap, { recursive: true });
  for (const d of ['bin', 'dist']) cpSync(join(ROOT, d), join(snap, d), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(snap, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(snap, 'node_modules'));
  mkdirSync(join(work, 'p', 'prompts'), { recursive: true });
  mkdirSync(join(work, 'p', 'phases'), { recursive: true });
  let toml = `[defaults]\nbackend = "shell"\nsession_prefix = "wdb-"\n\n[watchdog]\nhealthy_after_s = 0.5\nrestart_limit = 1000\n\n[[phases]]\nid = "one"\nplan = "one.md"\n`;
  for (let i = 1; i <= opts.agents; i++) toml += `\n[agents.a${i}]\nkind = "persistent"\ncommand = "sleep"\nargs = ["100000"]\n`;
  writeFileSync(config, toml);
  writeFileSync(join(work, 'p', 'prompts', 'kickoff.md'), 'You are {agent}.\n');
  writeFileSync(join(work, 'p', 'phases', 'one.md'), '# one\n');
  writeFileSync(join(work, 'hook.mjs'), HOOK);
  writeFileSync(timeline, '');
  const r = spawnSync(AO, ['up', '--no-watchdog', '-c', config], { env, encoding: 'utf8' });
  up = true;
  if (r.status !== 0) throw new Error(`ao up: ${r.stderr}${r.stdout}`);
  if (!opts.hook) spawnSync('tmux', ['-L', socket, 'set-hook', '-u', '-t', '=wdb-a1:', 'pane-died'], { env });
  dog = spawn(process.execPath, ['--import', pathToFileURL(join(work, 'hook.mjs')).href, AO, 'watchdog', '-c', config], {
    env: { ...env, WDB_TIMELINE: timeline },
    cwd: join(work, 'p'),
    stdio: 'ignore',
  });
  await sleep(3000);
  const server = Number(spawnSync('tmux', ['-L', socket, 'display', '-p', '#{pid}'], { env, encoding: 'utf8' }).stdout.trim());
  const trials = [];
  for (let k = 0; k < opts.kills; k++) {
    const pid = Number(spawnSync('tmux', ['-L', socket, 'list-panes', '-t', '=wdb-a1:', '-F', '#{pane_pid}'], { env, encoding: 'utf8' }).stdout.trim());
    // the agent is the child of ao's launcher (the pane's program), which records its exit
    const victim = children(pid).find((c) => comm(c) === 'sleep') ?? pid;
    const before = new Set([...children(server), ...children(server).flatMap(children)]);
    const t0 = now();
    process.kill(victim, 'SIGKILL');
    let reaped = null;
    let alive = null;
    while (now() - t0 < 5000) {
      if (reaped === null && stateOf(victim) === null) reaped = now() - t0;
      const fresh = [...children(server), ...children(server).flatMap(children)].find((c) => !before.has(c) && c !== victim && comm(c) === 'sleep');
      if (fresh) {
        alive = now() - t0;
        break;
      }
      sleepSync(1);
    }
    trials.push({ t0, reaped, alive });
    // a random pause: a fixed one locks the kills to the phase of the watchdog's 100 ms poll
    await sleep(1000 + Math.random() * 250);
  }
  await sleep(500);
  const marks = readFileSync(timeline, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const phases = new Map();
  const add = (k, v) => phases.set(k, [...(phases.get(k) ?? []), v]);
  const out = [`heal timeline: ${opts.agents} agents, ${opts.kills} kills of a1, pane-died hook ${opts.hook ? 'kept' : 'removed'}; ms after the kill`, ''];
  out.push(
    '| kill | reaped by tmux | SIGUSR2 | list-panes spawned | list-panes exited | lock mkdir done | kickoff fsync done | respawn-pane spawned | new sleep alive | respawn-pane exited |',
  );
  out.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [i, tr] of trials.entries()) {
    const end = tr.t0 + 1000; // marks of this kill: the next comes at least 1 s later
    const m = marks.filter((x) => x.t >= tr.t0 && x.t < end);
    const at = (pred) => {
      const x = m.find(pred);
      return x ? x.t - tr.t0 : null;
    };
    const row = {
      reaped: tr.reaped,
      usr2: at((x) => x.ev === 'sigusr2'),
      lsSpawn: at((x) => x.ev === 'spawned' && x.tag === 'list-panes'),
      lsExit: at((x) => x.ev === 'exit' && x.tag === 'list-panes'),
      lock: at((x) => x.ev === 'mkdir' && x.target.endsWith('.lock')),
      fsync: at((x) => x.ev === 'fsync'),
      rpSpawn: at((x) => x.ev === 'spawned' && x.tag === 'respawn-pane'),
      alive: tr.alive,
      rpExit: at((x) => x.ev === 'exit' && x.tag === 'respawn-pane'),
    };
    for (const [k, v] of Object.entries(row)) if (v !== null) add(k, v);
    if (row.usr2 !== null) for (const [k, v] of Object.entries(row)) if (v !== null) add(`hooked:${k}`, v);
    const f = (x) => (x === null ? '-' : x.toFixed(1));
    out.push(`| ${i + 1} | ${Object.values(row).map(f).join(' | ')} |`);
  }
  const med = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
  };
  const KEYS = ['reaped', 'usr2', 'lsSpawn', 'lsExit', 'lock', 'fsync', 'rpSpawn', 'alive', 'rpExit'];
  out.push(`| median, all | ${KEYS.map((k) => (phases.has(k) ? med(phases.get(k)).toFixed(1) : '-')).join(' | ')} |`);
  const hooked = phases.get('hooked:usr2')?.length ?? 0;
  if (hooked)
    out.push(
      `| median, the ${hooked} the hook woke | ${KEYS.map((k) => (phases.has(`hooked:${k}`) ? med(phases.get(`hooked:${k}`)).toFixed(1) : '-')).join(' | ')} |`,
    );
  const fs = marks.filter((x) => x.ev === 'fsync');
  out.push(
    '',
    `fsync calls during the run: ${fs.length}, median ${med(fs.map((x) => x.dur)).toFixed(2)} ms, max ${Math.max(...fs.map((x) => x.dur)).toFixed(2)} ms`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  if (dog && dog.exitCode === null && dog.signalCode === null) {
    dog.kill('SIGTERM');
    await Promise.race([new Promise((r) => dog.on('exit', r)), sleep(5000)]);
    if (dog.exitCode === null && dog.signalCode === null) dog.kill('SIGKILL');
  }
  if (up) {
    spawnSync(AO, ['down', '-c', config], { env, stdio: 'ignore' });
    spawnSync('tmux', ['-L', socket, 'kill-server'], { env, stdio: 'ignore' });
    rmSync(join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid()}`, socket), { force: true });
  }
  if (existsSync(work)) rmSync(work, { recursive: true, force: true });
}
