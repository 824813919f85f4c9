// bench/fleet.ts: what `ao fleet status` costs over OpenSSH (issue 26).
//
//   bench/fleet [--runs N] [--timeout-s N] [--ao DIR]
//   (or node_modules/.bin/vite-node bench/fleet.ts with the same options)
//
// Three loopback "hosts" (127.0.0.61-63), each an sshd this script starts with its
// own host key, HOME and tmux socket (tests/helpers/sshd.ts, as the fleet's tests
// use them), and two projects on each (two sleeping shell agents apiece), brought up
// with `ao fleet up`. Then, interleaved round by round (--runs, 15), wall time from
// spawn to exit of:
//   - `ao status` of one local project of the same team (the reference), and
//     `ao fleet status` of a fleet of just that project (what the fleet command adds);
//   - one multiplexed ssh round trip (`ssh HOST true` over the master);
//   - `ao fleet status` with the master connections up (warm): 1 project on 1 host,
//     then 1, 2 and 3 hosts of 2 projects each (2, 4, 6 projects), for flatness;
//   - the same cold: every master ended (`ssh -O exit`) before each run;
// then the cost of a host that hangs: host 3's sshd and sessions frozen with
// SIGSTOP, `ao fleet status` of the 6 projects with `timeout_s` (--timeout-s, 2),
// three runs: it should cost the timeout once, not once per project.
//
// Goal: warm within one multiplexed round trip plus 60 ms of the local `ao status`,
// and flat as hosts are added. Needs `npm run build` first and /usr/sbin/sshd.
// Copies bin/, dist/ and package.json aside first (of --ao DIR: another build, for a
// before/after; default this tree); ends its sshds (SIGCONT first),
// ssh masters, tmux servers and folders on exit, also on failure or Ctrl-C.
// Prints figures and asserts nothing.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  endProcessesWith,
  freezeHost,
  killHost,
  makeClient,
  makeHost,
  sshOf,
  SSHD,
  startHost,
  thaw,
  type SshClient,
  type TestHost,
} from '../tests/helpers/sshd.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const opts = { runs: 15, timeoutS: 2, ao: ROOT };
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs' && Number(argv[i + 1]) > 0) opts.runs = Math.floor(Number(argv[++i]));
    else if (argv[i] === '--timeout-s' && Number(argv[i + 1]) > 0) opts.timeoutS = Number(argv[++i]);
    else if (argv[i] === '--ao' && argv[i + 1]) opts.ao = argv[++i]!;
    else {
      process.stdout.write('usage: bench/fleet [--runs N] [--timeout-s N] [--ao DIR]\n');
      process.exit(argv[i] === '-h' || argv[i] === '--help' ? 0 : 2);
    }
  }
}

const log = (s: string): void => void process.stderr.write(`bench: ${s}\n`);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p90 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))]!;
const ms = (x: number): string => `${x.toFixed(1)} ms`;

const work = mkdtempSync(join(tmpdir(), 'ao-bench-fleet-'));
// short: ssh's control socket path has a limit of about 100 bytes
const runtime = mkdtempSync('/tmp/aobf-');
const snapshot = join(work, 'ao');
const AO = join(snapshot, 'bin', 'ao');
const suffix = `${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
const localSocket = `ao-bench-fleet-local-${suffix}`;
const hosts: TestHost[] = [];
let frozen: number[] = [];

const env = { ...process.env, XDG_RUNTIME_DIR: runtime, AO_TMUX_SOCKET: localSocket } as NodeJS.ProcessEnv;
delete env.TMUX;
delete env.AO_CONFIG;
delete env.AO_FLEET;

/** Runs a program to its end: its wall time and output. */
function timed(argv: string[], cwd = work): { ms: number; code: number; stdout: string; stderr: string } {
  const start = performance.now();
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd, env, encoding: 'utf8', timeout: 120_000 });
  return { ms: performance.now() - start, code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
const ao = (args: string[], cwd = work) => timed([process.execPath, AO, ...args], cwd);

const TEAM = [
  '[defaults]\nbackend = "shell"\n',
  '[agents.a1]\nkind = "persistent"\ncommand = "sleep"\nargs = ["100000"]\n',
  '[agents.a2]\nkind = "persistent"\ncommand = "sleep"\nargs = ["100000"]\n',
  '[[phases]]\nid = "one"\nplan = "one.md"\n',
].join('\n');

function project(dir: string): void {
  mkdirSync(join(dir, 'prompts'), { recursive: true });
  mkdirSync(join(dir, 'phases'), { recursive: true });
  writeFileSync(join(dir, 'agents.toml'), TEAM);
  writeFileSync(join(dir, 'prompts', 'kickoff.md'), 'go\n');
  writeFileSync(join(dir, 'phases', 'one.md'), '# one\n');
}

/** A fleet file of the first `count` hosts, `per` projects on each (1 or 2). */
function fleetFile(name: string, count: number, client: SshClient, timeoutS = 10, per = 2): string {
  const file = join(work, name);
  const text = [`[fleet]\ntimeout_s = ${timeoutS}\n`];
  for (const h of hosts.slice(0, count)) {
    text.push(`[hosts.${h.name}]\ndestination = "${h.address}"\nssh = ${JSON.stringify(sshOf(h, client))}\nao = ${JSON.stringify(AO)}\n`);
    for (const p of ['p1', 'p2'].slice(0, per)) text.push(`[[projects]]\npath = "${join(h.home, p)}"\nname = "${h.name}-${p}"\nhost = "${h.name}"\n`);
  }
  writeFileSync(file, text.join('\n'));
  return file;
}

/** Ends every master connection of the bench (what a cold run starts without). */
function endMasters(client: SshClient): void {
  for (const h of hosts) timed([...sshOf(h, client), '-o', `ControlPath=${join(runtime, 'ao', 'ssh', '%C')}`, '-O', 'exit', h.address]);
}

async function cleanup(): Promise<void> {
  thaw(frozen);
  frozen = [];
  for (const h of hosts) spawnSync('tmux', ['-L', h.socket, 'kill-server'], { env });
  spawnSync('tmux', ['-L', localSocket, 'kill-server'], { env });
  for (const h of hosts) await killHost(h);
  endProcessesWith(runtime);
  rmSync(work, { recursive: true, force: true });
  rmSync(runtime, { recursive: true, force: true });
}

async function main(): Promise<void> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} is missing: install openssh-server`);
  if (!existsSync(join(opts.ao, 'dist', 'ao.js'))) throw new Error(`${opts.ao}/dist/ao.js is missing: run \`npm run build\` first`);
  for (const part of ['bin', 'dist', 'package.json']) cpSync(join(opts.ao, part), join(snapshot, part), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(snapshot, 'node_modules'));
  const load = loadavg()[0]!.toFixed(2);
  const client = makeClient(work);
  for (const [i, name] of ['b1', 'b2', 'b3'].entries())
    hosts.push(await makeHost(name, `127.0.0.6${i + 1}`, work, client, `ao-bench-fleet-${name}-${suffix}`, {}));
  await Promise.all(hosts.map(startHost));
  for (const h of hosts) for (const p of ['p1', 'p2']) project(join(h.home, p));
  const local = join(work, 'local');
  project(local);
  const localFleet = join(work, 'fleet-local.toml');
  writeFileSync(localFleet, `[[projects]]\npath = "${local}"\n`);
  const files = [fleetFile('fleet-1p.toml', 1, client, 10, 1), ...[1, 2, 3].map((n) => fleetFile(`fleet-${n}.toml`, n, client))];
  const up = ao(['fleet', 'up', '-f', files[3]!]);
  if (up.code !== 0) throw new Error(`fleet up failed: ${up.stdout}${up.stderr}`);
  if (ao(['up'], local).code !== 0) throw new Error('ao up of the local project failed');
  log(`3 hosts, 6 remote projects and 1 local up; ${opts.runs} rounds`);

  const series: Record<string, number[]> = { floor: [], local: [], fleetLocal: [], trip: [], warm0: [], warm1: [], warm2: [], warm3: [], cold3: [] };
  const roundTrip = [
    ...sshOf(hosts[0]!, client),
    '-o',
    'ControlMaster=auto',
    '-o',
    `ControlPath=${join(runtime, 'ao', 'ssh', '%C')}`,
    '-o',
    'ControlPersist=300',
    hosts[0]!.address,
    'true',
  ];
  // warm-up: the masters, the page cache
  for (let i = 0; i < 2; i++) for (const f of files) ao(['fleet', 'status', '-f', f]);
  for (let round = 0; round < opts.runs; round++) {
    series.floor!.push(timed([process.execPath, '-e', '0']).ms);
    series.local!.push(ao(['status'], local).ms);
    series.fleetLocal!.push(ao(['fleet', 'status', '-f', localFleet]).ms);
    series.trip!.push(timed(roundTrip).ms);
    for (const [i, f] of files.entries()) {
      const r = ao(['fleet', 'status', '-f', f]);
      if (r.code !== 0) throw new Error(`fleet status exited ${r.code}: ${r.stdout}${r.stderr}`);
      series[`warm${i}`]!.push(r.ms);
    }
    endMasters(client);
    series.cold3!.push(ao(['fleet', 'status', '-f', files[3]!]).ms);
  }

  // a host that hangs: its two projects, one deadline
  const hangFile = fleetFile('fleet-hang.toml', 3, client, opts.timeoutS);
  ao(['fleet', 'status', '-f', hangFile]);
  frozen = freezeHost(hosts[2]!);
  const hang: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = ao(['fleet', 'status', '-f', hangFile]);
    if (r.code !== 3) log(`fleet status with a frozen host exited ${r.code}, not 3`);
    hang.push(r.ms);
  }
  thaw(frozen);
  frozen = [];

  const goal = median(series.trip!) + 60 + median(series.local!);
  const verdict = (x: number, limit: number): string => `${x <= limit ? 'met' : `MISSED by ${ms(x - limit)}`}`;
  const row = (label: string, xs: number[], against: string): string => `| ${label} | ${ms(median(xs))} | ${ms(p90(xs))} | ${against} |`;
  const lines = [
    `bench/fleet: ${opts.ao === ROOT ? 'this tree' : opts.ao}, ${opts.runs} rounds, load ${load} at the start, ${loadavg()[0]!.toFixed(2)} at the end`,
    '',
    '| call | median | p90 | goal or anchor |',
    '| --- | --- | --- | --- |',
    row('`node -e 0` (the floor of any node process here)', series.floor!, 'anchor'),
    row('`ao status`, one local project (2 agents)', series.local!, 'anchor'),
    row('one multiplexed ssh round trip (`ssh HOST true`, master up)', series.trip!, 'anchor'),
    row(
      '`ao fleet status` of that one local project (the fleet command itself)',
      series.fleetLocal!,
      `\`ao status\` + ${ms(median(series.fleetLocal!) - median(series.local!))}`,
    ),
    row(
      '`ao fleet status`, 1 project on 1 host, warm',
      series.warm0!,
      `≤ ${ms(goal)} (round trip + 60 ms + \`ao status\`): ${verdict(median(series.warm0!), goal)}`,
    ),
    row('`ao fleet status`, 2 projects on 1 host, warm', series.warm1!, `≤ ${ms(goal)}: ${verdict(median(series.warm1!), goal)}`),
    row(
      '`ao fleet status`, 4 projects on 2 hosts, warm',
      series.warm2!,
      `flat: ${median(series.warm2!) - median(series.warm1!) >= 0 ? '+' : ''}${ms(median(series.warm2!) - median(series.warm1!))} over 1 host`,
    ),
    row(
      '`ao fleet status`, 6 projects on 3 hosts, warm',
      series.warm3!,
      `flat: ${median(series.warm3!) - median(series.warm1!) >= 0 ? '+' : ''}${ms(median(series.warm3!) - median(series.warm1!))} over 1 host; ≤ ${ms(goal)}: ${verdict(median(series.warm3!), goal)}`,
    ),
    row('`ao fleet status`, 6 projects on 3 hosts, cold (no master)', series.cold3!, 'no goal: the ssh handshakes'),
    row(
      `\`ao fleet status\`, 6 projects, host 3 frozen (timeout_s = ${opts.timeoutS}; 3 runs)`,
      hang,
      `the timeout once (${opts.timeoutS * 1000} ms), not per project (≥ ${opts.timeoutS * 2000} ms)`,
    ),
    '',
    `what a remote status is made of, warm: this machine's node start (floor ${ms(median(series.floor!))}) and its fleet command, one round trip, the host's \`ao status\`; the goal leaves 60 ms for the first`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

let ending = false;
const end = (code: number): void => {
  if (ending) return;
  ending = true;
  void cleanup().finally(() => process.exit(code));
};
process.on('SIGINT', () => end(130));
process.on('SIGTERM', () => end(143));
main().then(
  () => end(0),
  (error: unknown) => {
    log(String(error instanceof Error ? error.message : error));
    end(1);
  },
);
