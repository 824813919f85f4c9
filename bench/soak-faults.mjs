// bench/soak's faults: each one a function of the soak's state `S` (see bench/soak),
// bounded in time, logged with a timestamp, and recorded in S.records for the checker.
// Faults that act on the team's processes (kills, ao restart, kill-server) take
// S.exclusive, so one heal is measured at a time.
import { unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alive, comm, descendants, killPid, log, pause, procStat, run, since, until } from './soak-lib.mjs';
import { ADDED_AGENT, moodReplies } from './soak-team.mjs';

const HEAL_TIMEOUT_MS = 60_000;
const KILL_ORDER = ['builder', 'claude', 'orchestrator', 'codex', 'adversary', 'helper'];
/** how long a kill waits for its turn's agent to be running before it takes any running one */
const TARGET_WAIT_MS = 40_000;

/** The live pane of each session on the soak's own socket: session -> { pid, dead }. */
export async function panes(S) {
  const r = await run('tmux', ['-L', S.socket, 'list-panes', '-a', '-F', '#{session_name}\t#{pane_pid}\t#{pane_dead}'], { env: S.tmuxEnv, timeoutMs: 10_000 });
  const out = new Map();
  if (r.code !== 0) return out;
  for (const line of r.stdout.split('\n')) {
    const [session, pid, dead] = line.split('\t');
    if (session) out.set(session, { pid: Number(pid), dead: dead === '1' });
  }
  return out;
}

/** A new live pane process for the session, other than `oldPid`: the time it took, or null. */
async function newPane(S, session, oldPid, timeoutMs) {
  const t = performance.now();
  const seen = await until(
    async () => {
      const p = (await panes(S)).get(session);
      return p && !p.dead && p.pid !== oldPid && alive(p.pid) ? p : null;
    },
    timeoutMs,
    50,
  );
  return seen ? { pid: seen.pid, ms: performance.now() - t } : null;
}

/** kill -9 of one running agent's own process (the launcher's child; the pane's process if it has none). */
export function killAgent(S, why = 'scheduled') {
  return S.exclusive(() => killOne(S, why, null));
}

/** killAgent without taking S.exclusive (the full disk holds it throughout). */
async function killOne(S, why, healAfter) {
  const present = KILL_ORDER.filter((n) => S.agents.includes(n));
  const turn = present[S.killTurn++ % present.length];
  const runningOf = (s) => s?.agents.filter((a) => a.name !== 'watchdog' && a.state === 'running' && a.pid && alive(a.pid)) ?? [];
  // a loop waiting out min_iteration_s has no process: wait a while for this turn's agent to run
  // (not during a full disk: that kill must land while the disk is full, after one status call)
  let status = await S.status();
  let target = runningOf(status).find((a) => a.name === turn);
  if (!target && !healAfter) target = await until(async () => runningOf((status = await S.status())).find((a) => a.name === turn), TARGET_WAIT_MS, 1000);
  target ??= runningOf(status)[0];
  const rec = { at: since(), why, agent: target?.name ?? null, pid: null, comm: null, healed: false, ms: null, healBy: null };
  S.records.kills.push(rec);
  if (!target) {
    log(`kill (${why}): no running agent to kill`);
    return rec;
  }
  const victim = descendants(target.pid).find((d) => procStat(d.pid)?.ppid === target.pid) ?? { pid: target.pid, comm: comm(target.pid) };
  Object.assign(rec, { pid: victim.pid, comm: victim.comm });
  log(`kill (${why}): kill -9 ${victim.pid} (${victim.comm}) of ${target.name}`);
  killPid(victim.pid);
  // the heal is due HEAL_TIMEOUT_MS after the kill, or after `healAfter()` (a full disk's end) when that is later
  const dueMs = Math.max(0, (healAfter?.() ?? 0) - Date.now()) + HEAL_TIMEOUT_MS;
  rec.healBy = rec.at + dueMs / 1000;
  const healed = await newPane(S, target.session, target.pid, dueMs);
  Object.assign(rec, { healed: healed !== null, ms: healed?.ms ?? null });
  log(healed ? `kill: ${target.name} healed in ${Math.round(healed.ms)} ms` : `kill: ${target.name} NOT healed within ${Math.round(dueMs / 1000)} s`);
  return rec;
}

/** kill -9 of the pid `ao status --json` shows for the watchdog, then how long until a new one runs. */
export function killWatchdog(S) {
  return S.exclusive(async () => {
    const status = await S.status();
    const dog = status?.agents.find((a) => a.name === 'watchdog');
    const rec = { at: since(), pid: dog?.pid ?? null, comm: dog?.pid ? comm(dog.pid) : null, back: false, ms: null, byHand: false };
    S.records.watchdog.push(rec);
    if (!dog?.pid) {
      log('watchdog kill: status shows no watchdog pid');
      return;
    }
    log(`watchdog kill: kill -9 ${dog.pid} (${rec.comm})`);
    killPid(dog.pid);
    // under --wait, `ao up --wait` exiting 1 and being started again after --restart-sec is the boot unit's way back
    const back = await newPane(S, dog.session, dog.pid, HEAL_TIMEOUT_MS + (S.opts.wait ? S.opts.restartSec * 1000 : 0));
    Object.assign(rec, { back: back !== null, ms: back?.ms ?? null });
    if (back) log(`watchdog kill: a new watchdog (pid ${back.pid}) after ${Math.round(back.ms)} ms`);
    else if (!S.opts.wait) {
      log('watchdog kill: no watchdog came back; `ao up` by hand so the soak goes on');
      rec.byHand = true;
      await S.ao(['up'], 120_000);
    } else log('watchdog kill: no watchdog came back');
  });
}

const healthy = (a) => ['running', 'waiting', 'paused', 'backoff'].includes(a.state);

/** tmux kill-server of the soak's own socket; `ao up --wait`, started again as a boot unit would, must bring the team back in its phase. */
export function killServer(S) {
  return S.exclusive(async () => {
    const before = await S.status();
    const rec = { at: since(), back: false, ms: null, phaseBefore: before?.phase?.index ?? null, phaseAfter: null, iterationsBefore: {}, iterationsAfter: {} };
    for (const a of before?.agents ?? []) if (a.kind === 'loop') rec.iterationsBefore[a.name] = a.iteration;
    S.records.killServer.push(rec);
    log(`kill-server: tmux -L ${S.socket} kill-server`);
    const t = performance.now();
    await run('tmux', ['-L', S.socket, 'kill-server'], { env: S.tmuxEnv, timeoutMs: 10_000 });
    // the team as it ran: a complete project's loops are stopped before and after
    const ran = new Set((before?.agents ?? []).filter((a) => a.enabled && healthy(a)).map((a) => a.name));
    const back = await until(
      async () => {
        const s = await S.status();
        const agents = s?.agents.filter((a) => a.enabled && (ran.size === 0 || ran.has(a.name))) ?? [];
        return s?.server && agents.length > 0 && agents.every(healthy) ? s : null;
      },
      S.opts.restartSec * 1000 + 120_000,
      1000,
    );
    rec.back = back !== null;
    rec.ms = back ? performance.now() - t : null;
    if (back) {
      rec.phaseAfter = back.phase?.index ?? null;
      for (const a of back.agents) if (a.kind === 'loop') rec.iterationsAfter[a.name] = a.iteration;
    }
    log(
      back
        ? `kill-server: the team is back after ${Math.round(rec.ms)} ms, phase ${rec.phaseBefore} -> ${rec.phaseAfter}`
        : 'kill-server: the team did NOT come back',
    );
  });
}

/** The stand-ins switched to a usage limit, an overload or hanging requests for `seconds`, then back to answering. */
export async function provider(S, mood, seconds) {
  if (!S.standins.anthropic && !S.standins.openai) return;
  const untilS = Math.floor(Date.now() / 1000 + seconds);
  const rec = { mood, from: since(), to: null };
  S.records.provider.push(rec);
  const apply = (m) => {
    const r = moodReplies(m, untilS);
    S.standins.anthropic?.fallback(r.anthropic);
    S.standins.openai?.fallback(r.openai);
  };
  log(`provider: ${mood} for ${seconds} s`);
  apply(mood);
  const end = Date.now() + seconds * 1000;
  // a hang's length is set per request: renew it so none outlasts the mood
  while (Date.now() < end && !S.stopping) {
    await pause(Math.min(5000, end - Date.now()), () => S.stopping);
    if (mood === 'hang' && Date.now() < end) apply(mood);
  }
  apply('ok');
  rec.to = since();
  log(`provider: ${mood} over, answering again`);
}

/** agents.toml broken for `seconds`, then restored: the error must be reported and cleared. */
export function brokenToml(S, seconds) {
  // on a steady team: `ao up --wait` started again while the file is broken exits 2 until it is whole
  return S.exclusive(() => breakToml(S, seconds));
}

async function breakToml(S, seconds) {
  const rec = { from: since(), to: null, reportedMs: null, clearedMs: null };
  S.records.toml.push(rec);
  log(`agents.toml: broken for ${seconds} s`);
  let restored;
  S.tomlBroken = new Promise((r) => (restored = r));
  let t = performance.now();
  writeFileSync(S.configFile, `${S.tomlText}\n[agents.broken\nkind = \n`);
  const reported = await until(async () => (await S.status())?.config_error != null, 30_000, 500);
  rec.reportedMs = reported ? performance.now() - t : null;
  await pause(seconds * 1000, () => S.stopping);
  writeFileSync(S.configFile, S.tomlText);
  S.tomlBroken = null;
  restored();
  rec.to = since();
  t = performance.now();
  const cleared = await until(async () => (await S.status())?.config_error === null, 30_000, 500);
  rec.clearedMs = cleared ? performance.now() - t : null;
  log(
    `agents.toml: restored (error reported after ${rec.reportedMs === null ? 'never' : `${Math.round(rec.reportedMs)} ms`}, cleared after ${rec.clearedMs === null ? 'never' : `${Math.round(rec.clearedMs)} ms`})`,
  );
}

/** An agent added to agents.toml while the team runs: how long until it runs. */
export async function addAgent(S) {
  await S.tomlBroken;
  // on a steady team: not while a killed watchdog or tmux server is being brought back
  await S.exclusive(() => addOne(S));
}

async function addOne(S) {
  const rec = { at: since(), agent: 'helper', ms: null };
  S.records.added.push(rec);
  S.tomlText += ADDED_AGENT;
  S.agents.push('helper');
  log('agents.toml: agent helper added');
  const t = performance.now();
  writeFileSync(S.configFile, S.tomlText);
  const up = await until(async () => (await S.status())?.agents.find((a) => a.name === 'helper' && a.state === 'running'), 60_000, 500);
  rec.ms = up ? performance.now() - t : null;
  log(up ? `agents.toml: helper runs after ${Math.round(rec.ms)} ms` : 'agents.toml: helper did NOT start within 60 s');
}

/** `ao restart AGENT`: it must run again, and no death may be logged for it. */
export async function restartAgent(S, agent) {
  // ao refuses to start anything on a broken agents.toml (exit 2): restart once it is whole again
  if (S.tomlBroken) log(`ao restart ${agent}: waits for agents.toml to be restored`);
  await S.tomlBroken;
  return S.exclusive(async () => {
    const rec = { at: since(), agent, code: null, ms: null, runs: false };
    S.records.restarts.push(rec);
    log(`ao restart ${agent}`);
    const r = await S.ao(['restart', agent], 60_000);
    Object.assign(rec, { code: r.code, ms: r.ms, output: (r.stderr || r.stdout).trim().split('\n').slice(-2).join(' | ') });
    rec.runs = Boolean(await until(async () => (await S.status())?.agents.find((a) => a.name === agent && healthy(a)), 30_000, 500));
    log(`ao restart ${agent}: exit ${r.code} after ${Math.round(r.ms)} ms; ${rec.runs ? 'runs' : 'does NOT run'}`);
  });
}

/**
 * The state folder's tmpfs filled for `seconds` (with a kill during it), then
 * freed (and a kill after). It holds S.exclusive throughout, so that its kills
 * land when they should and no other heal is measured meanwhile.
 */
export async function fullDisk(S, seconds) {
  const rec = { from: null, to: null, skipped: null, availKb: null };
  if (!S.tmpfs) {
    S.records.disk.push({ ...rec, skipped: S.tmpfsWhyNot });
    log(`full disk: skipped (${S.tmpfsWhyNot})`);
    return;
  }
  await S.exclusive(async () => {
    S.records.disk.push(rec);
    const fill = join(S.stateDir, '.soak-fill');
    log('full disk: filling the tmpfs');
    rec.from = since();
    await run('dd', ['if=/dev/zero', `of=${fill}`, 'bs=1M', `count=${S.opts.tmpfsMb}`], { timeoutMs: 30_000 });
    const df = await run('df', ['-k', '--output=avail', S.stateDir], { timeoutMs: 10_000 });
    rec.availKb = Number(df.stdout.trim().split('\n').pop());
    log(`full disk: full (${rec.availKb} kB left)`);
    const end = Date.now() + seconds * 1000;
    await pause(5000, () => S.stopping);
    // not awaited here: a watchdog that cannot write should not start anything, so the heal may wait for the space
    const during = S.stopping ? null : killOne(S, 'during the full disk', () => end);
    await pause(end - Date.now(), () => S.stopping);
    try {
      unlinkSync(fill);
    } catch {
      // already gone
    }
    rec.to = since();
    log('full disk: space freed');
    await during;
    await pause(3000, () => S.stopping);
    if (!S.stopping) await killOne(S, 'after the full disk', null);
  });
}

/** `ao send` to every agent, one unique id per message. */
export async function sendAll(S) {
  for (const agent of [...S.agents]) {
    if (S.stopping) break;
    S.sendCount += 1;
    const id = `soak-${S.runId}-${S.sendCount}`;
    const r = await S.ao(['send', agent, '--', `soak message ${id}`], 30_000);
    S.records.sends.push({ at: since(), agent, id, code: r.code, error: r.code === 0 ? null : (r.stderr || r.stdout).trim().split('\n')[0] });
  }
  const failed = S.records.sends.filter((s) => s.code !== 0).length;
  log(`ao send to ${S.agents.length} agents (${S.records.sends.length} sent so far, ${failed} refused)`);
}
