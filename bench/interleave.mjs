#!/usr/bin/env node
// bench/interleave.mjs: commands timed side by side, interleaved (each round runs
// every command once, 2 warm-up rounds dropped), for an A/B of two builds on one team:
//
//   node bench/interleave.mjs RUNS 'label=command arg ...' ...
//   e.g. (in a project whose team runs)
//   node bench/interleave.mjs 30 'floor=node -e 0' 'before=/tmp/ao-before/bin/ao status' 'now=bin/ao status'
//
// Prints per command the wall median and minimum (spawn to exit, stdout discarded)
// and the CPU time per run of it and its reaped children (cutime+cstime of this
// process from /proc/self/stat), which a loaded machine disturbs less than wall time.
// Arguments are split on spaces (no quoting). Exit codes 0 and 3 count as success.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const runs = Number(process.argv[2]);
const cmds = process.argv.slice(3).map((s) => {
  const i = s.indexOf('=');
  return { label: s.slice(0, i), argv: s.slice(i + 1).split(' ') };
});
if (!Number.isInteger(runs) || runs < 1 || cmds.length === 0 || cmds.some((c) => !c.label || !c.argv[0])) {
  process.stderr.write("usage: node bench/interleave.mjs RUNS 'label=command arg ...' ...\n");
  process.exit(2);
}
const childMs = () => {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[13]) + Number(f[14])) * 10; // USER_HZ 100
};
const res = new Map(cmds.map((c) => [c.label, { wall: [], cpu: 0 }]));
for (let r = 0; r < runs + 2; r++) {
  for (const c of cmds) {
    const c0 = childMs();
    const t0 = process.hrtime.bigint();
    const x = spawnSync(c.argv[0], c.argv.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] });
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    if (x.error || (x.status !== 0 && x.status !== 3)) process.stderr.write(`${c.label}: exit ${x.status ?? x.error?.message}\n`);
    if (r >= 2) {
      res.get(c.label).wall.push(wall);
      res.get(c.label).cpu += childMs() - c0;
    }
  }
}
for (const [label, s] of res) {
  s.wall.sort((a, b) => a - b);
  const n = s.wall.length;
  const median = n % 2 ? s.wall[(n - 1) / 2] : (s.wall[n / 2 - 1] + s.wall[n / 2]) / 2;
  process.stdout.write(`${label.padEnd(20)} wall median ${median.toFixed(1)} ms, min ${s.wall[0].toFixed(1)} ms, cpu/run ${(s.cpu / runs).toFixed(1)} ms\n`);
}
