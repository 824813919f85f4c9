// bench/soak's plumbing: a log with timestamps, commands run with a deadline and
// ended by pid, /proc lookups, percentiles, and the state folder read back. No
// decisions of the soak here.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const t0 = Date.now();
/** seconds since the soak began, for the log and the records */
export const since = (ms = Date.now()) => (ms - t0) / 1000;

let logSink = null;
/** every line also goes to the run's log file once there is one */
export function logTo(write) {
  logSink = write;
}
export function log(s) {
  const line = `${new Date().toISOString()} +${since().toFixed(1).padStart(7)}s ${s}`;
  process.stderr.write(`soak: ${line}\n`);
  logSink?.(`${line}\n`);
}

/** every process the soak started and has not seen end: ended by pid at cleanup */
export const children = new Set();

/**
 * Runs a command; resolves (never rejects) with its exit code, output and
 * time. Past `timeoutMs` it is killed by pid (SIGKILL) and `timedOut` is set.
 */
export function run(cmd, args, { cwd, env, timeoutMs = 30_000, input } = {}) {
  return new Promise((resolve) => {
    const began = performance.now();
    let child;
    try {
      child = spawn(cmd, args, { cwd, env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    } catch (e) {
      resolve({ code: -1, stdout: '', stderr: String(e), ms: 0, timedOut: false });
      return;
    }
    children.add(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    if (input !== undefined) child.stdin.end(input);
    const timer = setTimeout(() => {
      timedOut = true;
      killPid(child.pid);
    }, timeoutMs);
    const done = (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, stdout, stderr, ms: performance.now() - began, timedOut });
    };
    child.on('error', (e) => ((stderr += String(e)), done(-1)));
    child.on('close', (code, signal) => done(code ?? (signal ? 128 : -1)));
  });
}

export function killPid(pid, signal = 'SIGKILL') {
  if (!pid) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false; // gone
  }
}

let interrupted = null;
/** Ctrl-C and kin end the soak's waits, so that it cleans up; called by the script, not on import. */
export function watchSignals() {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => (interrupted = sig));
}
export const interruptedBy = () => interrupted;

/** Waits `ms`, in short steps so that Ctrl-C or the end of the run is seen at once; false when cut short. */
export async function pause(ms, stop = () => false) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (interrupted || stop()) return false;
    await new Promise((r) => setTimeout(r, Math.min(100, end - Date.now())));
  }
  return !interrupted;
}

/** Polls `probe` every `stepMs` until it returns something truthy or `timeoutMs` passes (then null). */
export async function until(probe, timeoutMs, stepMs = 100) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() >= end || interrupted) return null;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

// ---------------------------------------------------------------- /proc

/** [state, ppid, starttime] of a pid, or null when it is gone */
export function procStat(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: f[0], ppid: Number(f[1]), start: f[19] };
  } catch {
    return null;
  }
}

export const comm = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
};

/** Alive and not a zombie, and (when `start` is given) still the same process, not a reused pid. */
export function alive(pid, start) {
  const s = procStat(pid);
  return s !== null && s.state !== 'Z' && (start === undefined || s.start === start);
}

/** Every live descendant of `root` (one pass over /proc), as { pid, start, comm }. */
export function descendants(root) {
  const kids = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const s = procStat(d);
    if (s === null || s.state === 'Z') continue;
    if (!kids.has(s.ppid)) kids.set(s.ppid, []);
    kids.get(s.ppid).push({ pid: Number(d), start: s.start });
  }
  const out = [];
  const queue = [root];
  while (queue.length > 0 && out.length < 10_000) {
    for (const k of kids.get(queue.shift()) ?? []) {
      out.push({ ...k, comm: comm(k.pid) });
      queue.push(k.pid);
    }
  }
  return out;
}

/** The pids whose environment carries `NAME=value` (a team's processes carry its tmux socket). */
export function pidsWithEnv(mark) {
  const needle = `${mark}\0`;
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid)
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/environ`, 'latin1').includes(needle) && alive(Number(d));
      } catch {
        return false; // gone, or not ours to read
      }
    })
    .map(Number);
}

export function rssKb(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

// ---------------------------------------------------------------- figures

/** median, p95 (nearest rank) and max of a list of numbers */
export function spread(values) {
  const s = [...values].sort((a, b) => a - b);
  const at = (q) => (s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]);
  return { n: s.length, median: at(0.5), p95: at(0.95), max: s.length === 0 ? NaN : s[s.length - 1] };
}

export const ms = (v) => (Number.isFinite(v) ? `${Math.round(v)} ms` : '-');

// ---------------------------------------------------------------- the state folder, read back

/** Every line of a JSON-lines file parsed; the lines that do not parse, by number. */
function jsonLines(file) {
  if (!existsSync(file)) return { rows: [], bad: [] };
  const rows = [];
  const bad = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line === '') return;
      try {
        rows.push(JSON.parse(line));
      } catch {
        bad.push(`${file.split('/').pop()}:${i + 1}`);
      }
    });
  return { rows, bad };
}

/** agents.json and phase.json parsed; every line of events.jsonl (and its rotations) and usage.jsonl; an event's `t` in soak seconds. */
export function stateFiles(stateDir) {
  const bad = [];
  for (const f of ['agents.json', 'phase.json']) {
    try {
      JSON.parse(readFileSync(join(stateDir, f), 'utf8'));
    } catch (e) {
      bad.push(`${f}: ${e.code ?? 'does not parse'}`);
    }
  }
  const events = [];
  for (const f of ['events.jsonl.3', 'events.jsonl.2', 'events.jsonl.1', 'events.jsonl']) {
    const r = jsonLines(join(stateDir, f));
    events.push(...r.rows);
    bad.push(...r.bad);
  }
  const usage = jsonLines(join(stateDir, 'usage.jsonl'));
  bad.push(...usage.bad);
  for (const e of events) e.t = since(Date.parse(e.time));
  events.sort((a, b) => a.t - b.t);
  return { bad, events, usage: usage.rows };
}

/** Every `soak-<run>-<n>` id in the inboxes, with how often it occurs. */
export function inboxIds(stateDir, runId) {
  const counts = new Map();
  const folder = join(stateDir, 'inbox');
  if (!existsSync(folder)) return counts;
  for (const f of readdirSync(folder).filter((n) => n.endsWith('.md'))) {
    for (const m of readFileSync(join(folder, f), 'utf8').matchAll(new RegExp(`soak-${runId}-\\d+\\b`, 'g'))) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
  }
  return counts;
}
