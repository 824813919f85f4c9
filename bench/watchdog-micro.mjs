#!/usr/bin/env node
// Micro-measurements behind the watchdog's heal latency and idle CPU (a helper of
// bench/watchdog; see docs/PERFORMANCE.md):
//  - one tmux snapshot (`list-panes -a`) through execa (as ao does), through
//    child_process.execFile, through spawnSync, and through one long-lived
//    control-mode client (`tmux -C`): wall time and this process's CPU per call;
//  - one liveness poll of N pids as the watchdog does it (readFileSync of
//    /proc/PID/stat, per pid), with an fd kept open per pid and pread into one
//    buffer, and with kill(pid, 0) (which cannot tell a zombie): CPU per poll.
//
//   node bench/watchdog-micro.mjs [--agents N] [--calls N] [--polls N]
//
// Starts its own tmux server on a unique socket with N `sleep` sessions and ends it.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { execa } from 'execa';

const opts = { agents: 20, calls: 60, polls: 2000 };
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, '');
    if (!(k in opts) || !Number.isInteger(Number(argv[i + 1]))) throw new Error('usage: watchdog-micro.mjs [--agents N] [--calls N] [--polls N]');
    opts[k] = Number(argv[i + 1]);
  }
}
const socket = `wdbm-${process.pid}-${randomBytes(3).toString('hex')}`;
// the snapshot's format as src/tmux/snapshot.ts asks for it (a bench cannot load the TypeScript)
const FORMAT = ['session_name', 'pane_id', 'pane_pid', 'pane_dead', 'pane_dead_status', 'pane_dead_signal', 'window_activity', 'session_created', '@ao_project']
  .map((f) => `#{${f}}`)
  .join('\t');
const args = ['-L', socket, 'list-panes', '-a', '-F', FORMAT];
const env = { ...process.env };
delete env.TMUX;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function measure(name, n, fn) {
  for (let i = 0; i < 5; i++) await fn(); // warm-up
  const walls = [];
  const c0 = cpuMs();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const out = await fn();
    walls.push(performance.now() - t);
    if (typeof out === 'string' && out.split('\n').filter(Boolean).length < opts.agents) throw new Error(`${name}: short answer`);
  }
  return { name, wallMedian: median(walls), cpuPerCall: (cpuMs() - c0) / n };
}

/** A control-mode client: one command in, its %begin..%end block out. */
function controlClient() {
  const child = spawn('tmux', ['-L', socket, '-C', 'attach-session', '-t', '=m1'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  let buf = '';
  let waiting = null;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => {
    buf += d;
    if (!waiting) return;
    const m = /%begin [^\n]*\n([\s\S]*?)%(end|error) [^\n]*\n/.exec(buf);
    if (m) {
      buf = buf.slice(m.index + m[0].length);
      const w = waiting;
      waiting = null;
      w(m[1]);
    }
  });
  const ask = (cmd) =>
    new Promise((resolve) => {
      waiting = resolve;
      child.stdin.write(`${cmd}\n`);
    });
  return { child, ask };
}

function pollCosts(pids) {
  const results = [];
  const time = (name, fn) => {
    for (let i = 0; i < 50; i++) fn();
    const c0 = cpuMs();
    const t0 = performance.now();
    for (let i = 0; i < opts.polls; i++) fn();
    results.push({ name, usPerPoll: ((cpuMs() - c0) * 1000) / opts.polls, wallUsPerPoll: ((performance.now() - t0) * 1000) / opts.polls });
  };
  time(`readFileSync /proc/PID/stat x ${pids.length} (as the watchdog)`, () => {
    for (const p of pids) {
      const s = readFileSync(`/proc/${p}/stat`, 'utf8');
      s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3);
    }
  });
  const fds = pids.map((p) => openSync(`/proc/${p}/stat`, 'r'));
  const b = Buffer.alloc(512);
  time(`pread of a kept fd x ${pids.length}`, () => {
    for (const fd of fds) {
      const n = readSync(fd, b, 0, 512, 0);
      b.lastIndexOf(41, n); // ')' then the state byte after it
    }
  });
  for (const fd of fds) closeSync(fd);
  time(`kill(pid, 0) x ${pids.length} (misses zombies)`, () => {
    for (const p of pids) process.kill(p, 0);
  });
  return results;
}

let started = false;
try {
  started = true;
  for (let i = 1; i <= opts.agents; i++) {
    const r = spawnSync('tmux', ['-L', socket, 'new-session', '-d', '-s', `m${i}`, 'sleep', '100000'], { env });
    if (r.status !== 0) throw new Error(`tmux new-session: ${r.stderr}`);
  }
  const pids = spawnSync('tmux', ['-L', socket, 'list-panes', '-a', '-F', '#{pane_pid}'], { env, encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .map(Number);
  const execFileP = promisify(execFile);
  const rows = [];
  rows.push(await measure('execa (as ao)', opts.calls, async () => (await execa('tmux', args, { env, reject: false })).stdout));
  rows.push(await measure('child_process.execFile', opts.calls, async () => (await execFileP('tmux', args, { env })).stdout));
  rows.push(await measure('spawnSync', opts.calls, () => spawnSync('tmux', args, { env, encoding: 'utf8' }).stdout));
  const cc = controlClient();
  await new Promise((r) => setTimeout(r, 300));
  rows.push(await measure('control mode (tmux -C), one client', opts.calls, () => cc.ask(`list-panes -a -F '${FORMAT}'`)));
  cc.child.stdin.end();
  cc.child.kill();
  const polls = pollCosts(pids);
  const out = [
    `watchdog micro: ${opts.agents} panes, node ${process.version}`,
    '',
    '| one tmux snapshot via | wall median ms | this process CPU ms per call |',
    '| --- | ---: | ---: |',
  ];
  for (const r of rows) out.push(`| ${r.name} | ${r.wallMedian.toFixed(2)} | ${r.cpuPerCall.toFixed(2)} |`);
  out.push('', '| one liveness poll | CPU µs per poll | CPU % of a core at 10 polls/s | at 50 polls/s |', '| --- | ---: | ---: | ---: |');
  for (const p of polls)
    out.push(`| ${p.name} | ${p.usPerPoll.toFixed(1)} | ${((p.usPerPoll * 10) / 1e4).toFixed(3)} | ${((p.usPerPoll * 50) / 1e4).toFixed(3)} |`);
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  if (started) {
    spawnSync('tmux', ['-L', socket, 'kill-server'], { env, stdio: 'ignore' });
    rmSync(join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid()}`, socket), { force: true });
  }
}
