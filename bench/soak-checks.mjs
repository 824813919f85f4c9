// bench/soak's checker: from what the soak recorded (S.records), the state folder
// and the event log, one row per figure: { figure, value, expect, ok } with ok
// true, false, or null for a figure shown without a verdict.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inboxIds, ms, since, spread, stateFiles } from './soak-lib.mjs';

const HUNG_MS = 5000;
const WATCHDOG_BACK_MS = 5000;
const HEAL_MS = 60_000;

const STARTS = new Set(['started', 'restart', 'next-iteration']);
const within = (t, from, to) => t >= from && t <= to;
const list = (xs, n = 4) => (xs.length === 0 ? 'none' : `${xs.slice(0, n).join('; ')}${xs.length > n ? `; +${xs.length - n} more` : ''}`);

/** Loops started sooner than their min_iteration_s after their last start, and iteration numbers started twice. */
function pacing(S, events) {
  const fast = [];
  const twice = [];
  for (const [agent, min] of Object.entries(S.loopMins)) {
    if (min === null) continue;
    const starts = events.filter((e) => e.agent === agent && STARTS.has(e.event));
    const next = starts.filter((e) => e.event === 'next-iteration');
    for (let i = 1; i < next.length; i++) {
      const gap = next[i].t - next[i - 1].t;
      if (gap < min - 0.5) fast.push(`${agent} +${next[i].t.toFixed(0)}s (${gap.toFixed(1)} s)`);
    }
    const seen = new Map();
    for (const e of starts) {
      const n = e.details?.iteration;
      if (n === undefined) continue;
      if (seen.has(n)) twice.push(`${agent} #${n} (${seen.get(n)} +${seen.get(`t${n}`).toFixed(0)}s, ${e.event} +${e.t.toFixed(0)}s)`);
      else seen.set(n, e.event).set(`t${n}`, e.t);
    }
  }
  return { fast, twice };
}

/** A `died` of an agent after a `died` of it with no start between: one death decided (and logged) again. */
function deathsTwice(events) {
  const dead = new Set();
  const again = [];
  for (const e of events) {
    if (STARTS.has(e.event)) dead.delete(e.agent);
    else if (e.event === 'died') {
      if (dead.has(e.agent)) again.push(`${e.agent} +${e.t.toFixed(0)}s`);
      dead.add(e.agent);
    }
  }
  return again;
}

/** The longest time within [from, to] in which `agent` was not started. */
function longestQuiet(events, agent, from, to) {
  const starts = [from, ...events.filter((e) => e.agent === agent && STARTS.has(e.event) && within(e.t, from, to)).map((e) => e.t), to];
  return Math.max(...starts.slice(1).map((t, i) => t - starts[i]));
}

export function check(S) {
  const rows = [];
  const row = (figure, value, expect, ok) => rows.push({ figure, value: String(value), expect, ok });
  const { bad, events, usage } = stateFiles(S.stateDir);
  const cliAgents = S.agents.filter((a) => a === 'claude' || a === 'codex');

  for (const k of S.records.kills) {
    const late = k.healBy !== null && k.healBy - k.at > HEAL_MS / 1000 + 1;
    const expect = late ? `healed ≤ ${HEAL_MS / 1000} s after the space returns` : `healed ≤ ${HEAL_MS / 1000} s`;
    row(
      `kill -9 ${k.agent ?? '-'} (${k.comm ?? '-'}) +${k.at.toFixed(0)}s ${k.why}`,
      k.agent ? (k.healed ? `healed in ${ms(k.ms)}` : 'NOT healed') : 'no running agent',
      expect,
      k.healed,
    );
  }
  const healed = S.records.kills.filter((k) => k.healed);
  row(
    'kills healed',
    `${healed.length}/${S.records.kills.length}, median ${ms(spread(healed.map((k) => k.ms)).median)}`,
    'all',
    healed.length === S.records.kills.length && healed.length > 0,
  );
  for (const w of S.records.watchdog) {
    const value = w.back ? `back in ${ms(w.ms)}` : w.byHand ? 'not back (ao up by hand)' : 'not back';
    row(
      `watchdog kill -9 ${w.pid ?? '-'} (${w.comm ?? '-'}) +${w.at.toFixed(0)}s`,
      value,
      `back ≤ ${WATCHDOG_BACK_MS / 1000} s`,
      w.back && w.ms <= WATCHDOG_BACK_MS,
    );
  }
  for (const k of S.records.killServer) {
    row(
      `tmux kill-server +${k.at.toFixed(0)}s: team back`,
      k.back ? `in ${(k.ms / 1000).toFixed(1)} s` : 'NOT back',
      `back ≤ restart-sec + 60 s`,
      k.back && k.ms <= (S.opts.restartSec + 60) * 1000,
    );
    const lost = Object.entries(k.iterationsBefore).filter(([a, n]) => (k.iterationsAfter[a] ?? 0) < n);
    row(
      '  … in its phase, iterations kept',
      `phase ${k.phaseBefore} -> ${k.phaseAfter}; ${lost.length ? `lost: ${lost.map(([a]) => a).join(', ')}` : 'kept'}`,
      'same phase or later, no count reset',
      k.back && k.phaseAfter >= k.phaseBefore && lost.length === 0,
    );
  }

  const st = S.records.status;
  const lat = spread(st.map((s) => s.ms));
  const hung = st.filter((s) => s.ms > HUNG_MS || s.timedOut);
  row(
    'ao status --json calls',
    `${st.length}: median ${ms(lat.median)}, p95 ${ms(lat.p95)}, max ${ms(lat.max)}`,
    `none hung (> ${HUNG_MS / 1000} s)`,
    st.length > 0 && hung.length === 0,
  );
  const unparsed = st.filter((s) => !s.parsed);
  row(
    'ao status --json output',
    unparsed.length
      ? `${unparsed.length} not JSON: ${list(
          unparsed.map((s) => `+${s.at.toFixed(0)}s ${s.error ?? ''}`),
          2,
        )}`
      : 'always JSON',
    'always JSON',
    unparsed.length === 0,
  );

  const ids = inboxIds(S.stateDir, S.runId);
  const sent = S.records.sends.filter((s) => s.code === 0);
  const refused = S.records.sends.filter((s) => s.code !== 0);
  const missing = sent.filter((s) => !ids.has(s.id));
  const twice = [...ids].filter(([, n]) => n > 1);
  row(
    'messages sent / arrived once',
    `${sent.length} sent, ${sent.length - missing.length} arrived, ${missing.length} missing, ${twice.length} more than once`,
    'every one exactly once',
    sent.length > 0 && missing.length === 0 && twice.length === 0,
  );
  if (refused.length)
    row(
      '  … sends refused by ao send',
      `${refused.length}: ${list(
        refused.map((s) => `+${s.at.toFixed(0)}s ${s.error}`),
        2,
      )}`,
      '(shown)',
      null,
    );
  const ghosts = refused.filter((s) => ids.has(s.id));
  if (ghosts.length) row('  … refused yet delivered', ghosts.length, 'none', false);

  row(
    'state files parse',
    bad.length ? list(bad) : `agents.json, phase.json, ${events.length} events, ${usage.length} usage lines`,
    'every file and line',
    bad.length === 0,
  );

  const failedDuring = new Map();
  for (const s of st)
    for (const f of s.failed ?? []) if (!failedDuring.has(f.name)) failedDuring.set(f.name, `${f.name} +${s.at.toFixed(0)}s: ${f.detail ?? ''}`);
  for (const e of events.filter((e) => e.event === 'failed'))
    if (!failedDuring.has(e.agent)) failedDuring.set(e.agent, `${e.agent} +${e.t.toFixed(0)}s: ${e.reason}`);
  row('agents FAILED during the run', list([...failedDuring.values()], 3), 'none', failedDuring.size === 0);
  const failedEnd = (S.final?.agents ?? []).filter((a) => a.state === 'failed');
  row('agents FAILED at the end', list(failedEnd.map((a) => `${a.name}: ${a.detail ?? ''}`)), 'none', S.final ? failedEnd.length === 0 : false);

  const { fast, twice: reused } = pacing(S, events);
  row('loop starts sooner than min_iteration_s', `${fast.length}: ${list(fast, 3)}`, 'none', fast.length === 0);
  row('iteration numbers started twice', `${reused.length}: ${list(reused, 2)}`, 'none', reused.length === 0);
  const again = deathsTwice(events);
  row('deaths logged twice (no start between)', `${again.length}: ${list(again, 3)}`, 'none', again.length === 0);

  for (const r of S.records.restarts) {
    const died = events.filter((e) => e.agent === r.agent && e.event === 'died' && within(e.t, r.at - 1, r.at + r.ms / 1000 + 3));
    row(`ao restart ${r.agent} +${r.at.toFixed(0)}s`, `exit ${r.code}, ${r.runs ? 'runs' : 'does NOT run'}`, 'exit 0, runs again', r.code === 0 && r.runs);
    row('  … no death logged for it', died.length ? died.map((e) => `died lived_ms ${e.details?.lived_ms}`).join('; ') : 'none', 'none', died.length === 0);
  }
  for (const t of S.records.toml) {
    row(
      `broken agents.toml +${t.from.toFixed(0)}s`,
      `reported after ${ms(t.reportedMs)}, cleared ${ms(t.clearedMs)} after the fix`,
      'both within 30 s',
      t.reportedMs !== null && t.clearedMs !== null,
    );
  }
  for (const a of S.records.added)
    row(`agent ${a.agent} added live`, a.ms === null ? 'never ran' : `runs after ${ms(a.ms)}`, 'runs within 60 s', a.ms !== null);

  for (const p of S.records.provider) {
    const to = p.to ?? since();
    const seen = (name, from, until) => st.filter((s) => within(s.at, from, until)).map((s) => s.states?.[name]);
    for (const a of cliAgents) {
      if (p.mood === 'limit') {
        // the event too: a poll every few seconds can miss a short pause
        const said = (name, until) => events.filter((e) => e.agent === a && e.event === name && within(e.t, p.from, until)).map((e) => e.reason);
        const paused = seen(a, p.from, to + 15).includes('paused') || said('paused', to + 15).length > 0;
        const failed = seen(a, p.from, to + 60).includes('failed') || said('failed', to + 60).length > 0;
        const deaths = said('died', to + 15);
        row(
          `usage limit +${p.from.toFixed(0)}s: ${a}`,
          `${paused ? 'paused' : 'never paused'}${failed ? ', FAILED' : ''}; states seen ${[...new Set(seen(a, p.from, to + 15))].join(',')}${deaths.length ? `; died: ${list(deaths, 2)}` : ''}`,
          'paused, never failed',
          paused && !failed,
        );
      }
      if (p.mood === 'overload') {
        const stalls = events.filter((e) => e.agent === a && e.event === 'stall-restart' && within(e.t, p.from, to));
        const states = seen(a, p.from, to + 60);
        row(
          `overload +${p.from.toFixed(0)}s (${Math.round(to - p.from)} s): ${a}`,
          `${states.includes('failed') ? 'FAILED' : 'never failed'}, ${stalls.length} stall restarts (at most ${Math.round(longestQuiet(events, a, p.from, to))} s without a start)`,
          'never failed, no stall restart',
          !states.includes('failed') && stalls.length === 0,
        );
      }
      if (p.mood === 'hang') {
        const caught =
          seen(a, p.from, to + 30).includes('stalled') ||
          events.some((e) => e.agent === a && ['stall-restart', 'nudge'].includes(e.event) && within(e.t, p.from, to + 30));
        // a loop started again (a new phase's kickoff) sooner than its stall time each time cannot be seen stalled
        const quiet = longestQuiet(events, a, p.from, to);
        const testable = caught || quiet >= S.stallS + 10;
        const value = caught
          ? 'caught as a stall'
          : testable
            ? `not caught (${Math.round(quiet)} s without a start)`
            : `not testable: started again every ≤ ${Math.round(quiet)} s`;
        row(`hang +${p.from.toFixed(0)}s (${Math.round(to - p.from)} s): ${a}`, value, 'caught as a stall', testable ? caught : null);
      }
    }
  }

  for (const d of S.records.disk) {
    if (d.skipped) {
      row('full disk (25 s)', `skipped: ${d.skipped}`, '(needs root and mount)', null);
      continue;
    }
    if (d.from === null) {
      row('full disk (25 s)', 'did not run: the soak ended first', '(shown)', null);
      continue;
    }
    const to = d.to ?? since();
    for (const [agent, min] of Object.entries(S.loopMins).filter(([, m]) => m !== null)) {
      const starts = events.filter((e) => e.agent === agent && STARTS.has(e.event) && within(e.t, d.from, to + 10));
      const allowed = Math.ceil((to + 10 - d.from) / min) + 1;
      row(
        `full disk +${d.from.toFixed(0)}s: ${agent} starts`,
        `${starts.length} in ${Math.round(to + 10 - d.from)} s`,
        `≤ ${allowed} (min_iteration_s ${min})`,
        starts.length <= allowed,
      );
    }
    // one notice per new message at the most: a notice pasted again is a sweep repeated after a failed write
    for (const agent of S.agents) {
      const notices = events.filter((e) => e.agent === agent && e.event === 'mail-notice' && within(e.t, d.from, to + 10)).length;
      const mail = S.records.sends.filter((m) => m.agent === agent && m.code === 0 && within(m.at, d.from - 60, to + 10)).length;
      if (notices > 0) row(`  … mail notices to ${agent} during it`, `${notices} (${mail} new messages)`, `≤ ${mail + 1}`, notices <= mail + 1);
    }
  }

  const phases = st.filter((s) => s.parsed).map((s) => s.phase);
  const back = phases.some((p, i) => i > 0 && p < phases[i - 1]);
  const final = S.final?.phase;
  row(
    'phase reached',
    S.final?.complete ? `complete (${final?.count} phases)` : `${final?.id ?? '?'} (${(final?.index ?? 0) + 1} of ${final?.count ?? '?'})`,
    'advanced, never back',
    !back && ((final?.index ?? 0) > 0 || S.final?.complete === true),
  );

  const byAgent = new Map();
  for (const u of usage) byAgent.set(u.agent, (byAgent.get(u.agent) ?? 0) + 1);
  const answered = Object.values(S.standins).reduce((n, s) => n + (s?.requests.filter((r) => r.model).length ?? 0), 0);
  row(
    'cost lines per agent',
    byAgent.size ? [...byAgent].map(([a, n]) => `${a} ${n}`).join(', ') : 'none',
    cliAgents.length ? `one per CLI loop at least (${cliAgents.join(', ')})` : '(demo agents report none)',
    cliAgents.every((a) => byAgent.has(a)),
  );
  if (cliAgents.length) row('  … model calls the stand-ins received', answered, '(shown)', null);

  const wait = S.records.upWait.filter((u) => !u.plain);
  if (wait.length) {
    const log = existsSync(join(S.dir, '..', 'up-wait.log')) ? readFileSync(join(S.dir, '..', 'up-wait.log'), 'utf8') : '';
    const rss = wait.flatMap((u) => u.rssKb.filter(Number.isFinite));
    row('ao up --wait runs (exits)', wait.map((u) => u.code ?? 'running').join(', '), 'exit 1 only after a kill; 0 at ao down', wait.at(-1).code === 0);
    row('  … MaxListenersExceededWarning', (log.match(/MaxListenersExceededWarning/g) ?? []).length, 'none', !/MaxListenersExceededWarning/.test(log));
    if (rss.length)
      row('  … its RSS first -> last', `${(rss[0] / 1024).toFixed(1)} -> ${(rss.at(-1) / 1024).toFixed(1)} MB`, '(shown; flat over a week)', null);
  }
  const load = spread(st.map((s) => s.load).filter(Number.isFinite));
  row(
    'load average (1 min) during the run',
    `median ${load.median.toFixed(1)}, max ${load.max.toFixed(1)} on ${S.cpus} CPUs`,
    '(shown: latencies depend on it)',
    null,
  );
  row('ao down', `exit ${S.records.down?.code ?? '-'}`, 'exit 0', S.records.down?.code === 0);
  row(
    'processes left after ao down',
    `${S.leftovers?.length ?? '?'}: ${list(S.leftovers ?? [])} (of ${S.seenPids.size} seen)`,
    'none',
    S.leftovers?.length === 0,
  );
  return { ok: rows.every((r) => r.ok !== false), rows };
}

export function printTable(rows) {
  const w = [0, 0, 0];
  for (const r of rows) [r.figure, r.value, r.expect].forEach((s, i) => (w[i] = Math.min(Math.max(w[i], s.length), [52, 70, 40][i])));
  const cut = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s.padEnd(n));
  const out = [`${cut('figure', w[0])}  ${cut('value', w[1])}  ${cut('expectation', w[2])}  verdict`];
  for (const r of rows) out.push(`${cut(r.figure, w[0])}  ${r.value.padEnd(w[1])}  ${cut(r.expect, w[2])}  ${r.ok === null ? '-' : r.ok ? 'OK' : 'FAIL'}`);
  const fails = rows.filter((r) => r.ok === false).length;
  out.push('', fails ? `${fails} check${fails === 1 ? '' : 's'} FAILED` : 'every check holds');
  process.stdout.write(`${out.join('\n')}\n`);
}
