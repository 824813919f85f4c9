// bench/web-fleet.ts: what `ao web --fleet` costs, with projects here and on a host over OpenSSH.
//
//   node_modules/.bin/vite-node bench/web-fleet.ts [--runs N] [--pages N] [--seconds N]
//
// Two local projects and two on a loopback "host" (127.0.0.71, an sshd this script
// starts with its own host key, HOME and tmux socket: tests/helpers/sshd.ts), two
// sleeping shell agents apiece, brought up with `ao fleet up`; then one `ao web
// --fleet`. It prints:
//   - the first byte and the size of the fleet's page, /api/fleet, a local project's
//     team page under /p/NAME/, a remote one's team page and its /api/status,
//     interleaved round by round (--runs, 20), median and p90;
//   - a message sent to a remote agent through the page's API (ao send over ssh), wall time;
//   - with --pages (10) clients each reading the fleet's page in a loop for --seconds (10):
//     how many remote reads the server made (ssh calls seen, sampled every 10 ms), the
//     most in flight at once, and the pages answered. The goal: one call in flight per
//     host at most, and no more often than every 2 s, however many pages are open.
// Needs `npm run build` first and /usr/sbin/sshd. Ends its sshd, ssh masters, tmux
// servers, ao web and folders on exit, also on failure. Prints figures and asserts nothing.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { endProcessesWith, killHost, makeClient, makeHost, sshOf, SSHD, startHost, type TestHost } from '../tests/helpers/sshd.js';
import { sleepersFiles, writeProject } from '../tests/helpers/project-files.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const AO = join(ROOT, 'bin', 'ao');
const opts = { runs: 20, pages: 10, seconds: 10 };
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const key = { '--runs': 'runs', '--pages': 'pages', '--seconds': 'seconds' }[argv[i]!] as keyof typeof opts | undefined;
    if (key && Number(argv[i + 1]) > 0) opts[key] = Math.floor(Number(argv[++i]));
    else {
      process.stdout.write('usage: vite-node bench/web-fleet.ts [--runs N] [--pages N] [--seconds N]\n');
      process.exit(argv[i] === '-h' || argv[i] === '--help' ? 0 : 2);
    }
  }
}

const log = (s: string): void => void process.stderr.write(`bench: ${s}\n`);
const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const median = (xs: number[]): number => sorted(xs)[Math.floor(xs.length / 2)]!;
const p90 = (xs: number[]): number => sorted(xs)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))]!;
const ms = (x: number): string => `${x.toFixed(1)} ms`;

const work = mkdtempSync(join(tmpdir(), 'ao-bench-webfleet-'));
// short: ssh's control socket path has a limit of about 100 bytes
const runtime = mkdtempSync('/tmp/aobw-');
const suffix = `${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
const sockets = { env: `ao-bench-wf-env-${suffix}`, l1: `ao-bench-wf-l1-${suffix}`, l2: `ao-bench-wf-l2-${suffix}` };
let host: TestHost | null = null;
let web: ReturnType<typeof spawn> | null = null;

const env = { ...process.env, XDG_RUNTIME_DIR: runtime, AO_TMUX_SOCKET: sockets.env } as NodeJS.ProcessEnv;
delete env.TMUX;
delete env.AO_CONFIG;
delete env.AO_FLEET;

const ao = (args: string[]) => spawnSync(process.execPath, [AO, ...args], { cwd: work, env, encoding: 'utf8', timeout: 120_000 });

const project = (dir: string): string => writeProject(dir, sleepersFiles(['a1', 'a2'], { phases: ['one'], watchdog: null }));

/** The ssh clients of this bench now (not the masters, whose title says [mux]): one per remote call in flight. */
function sshCalls(): number {
  let n = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (cmd.startsWith('ssh\0') && cmd.includes(runtime) && !cmd.includes('[mux]') && !cmd.includes('\0-O\0')) n++;
    } catch {
      // gone
    }
  }
  return n;
}

async function cleanup(): Promise<void> {
  if (web && web.exitCode === null) {
    web.kill('SIGTERM');
    await new Promise((r) => web!.once('exit', r));
  }
  if (host?.process) ao(['fleet', 'down']);
  for (const s of [...Object.values(sockets), host?.socket]) if (s) spawnSync('tmux', ['-L', s, 'kill-server'], { env });
  if (host) await killHost(host);
  endProcessesWith(runtime);
  rmSync(work, { recursive: true, force: true });
  rmSync(runtime, { recursive: true, force: true });
}

async function main(): Promise<void> {
  if (!readdirSync('/usr/sbin').includes('sshd')) throw new Error(`${SSHD} is missing: install openssh-server`);
  const load = loadavg()[0]!.toFixed(2);
  const client = makeClient(work);
  host = await makeHost('b1', '127.0.0.71', work, client, `ao-bench-wf-b1-${suffix}`, {});
  await startHost(host);
  for (const p of ['l1', 'l2']) project(join(work, p));
  for (const p of ['r1', 'r2']) project(join(host.home, p));
  writeFileSync(
    join(work, 'fleet.toml'),
    [
      '[fleet]\ntimeout_s = 10\n',
      `[hosts.b1]\ndestination = "${host.address}"\nssh = ${JSON.stringify(sshOf(host, client))}\nao = ${JSON.stringify(AO)}\n`,
      `[[projects]]\npath = "l1"\ntmux_socket = "${sockets.l1}"\n`,
      `[[projects]]\npath = "l2"\ntmux_socket = "${sockets.l2}"\n`,
      `[[projects]]\npath = "${join(host.home, 'r1')}"\nhost = "b1"\n`,
      `[[projects]]\npath = "${join(host.home, 'r2')}"\nhost = "b1"\n`,
    ].join('\n'),
  );
  const up = ao(['fleet', 'up']);
  if (up.status !== 0) throw new Error(`ao fleet up: ${up.stdout}${up.stderr}`);
  web = spawn(process.execPath, [AO, 'web', '--fleet', '--listen', '127.0.0.1:0', '--json'], { cwd: work, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const first = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`ao web printed nothing in 15 s: ${seen}`)), 15_000);
    web!.stdout!.on('data', (c: Buffer) => {
      seen += c.toString();
      if (seen.includes('\n')) {
        clearTimeout(timer);
        resolve(seen.slice(0, seen.indexOf('\n')));
      }
    });
  });
  const info = JSON.parse(first) as { url: string; open: string };
  const token = new URL(info.open).searchParams.get('token')!;
  const headers = { Authorization: `Bearer ${token}` };
  const get = async (path: string): Promise<{ firstByte: number; bytes: number; status: number }> => {
    const start = performance.now();
    const r = await fetch(new URL(path, info.url), { headers });
    const firstByte = performance.now() - start;
    return { firstByte, bytes: (await r.arrayBuffer()).byteLength, status: r.status };
  };
  log(`load ${load}; warming up (every project read once)`);
  await get('/api/fleet');

  const paths = ['/', '/api/fleet', '/p/l1/', '/p/r1/', '/p/r1/api/status'];
  const times = new Map<string, number[]>(paths.map((p) => [p, []]));
  const sizes = new Map<string, number>();
  for (let run = 0; run < opts.runs; run++)
    for (const path of paths) {
      const r = await get(path);
      if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
      times.get(path)!.push(r.firstByte);
      sizes.set(path, r.bytes);
    }
  const lines = [`ao web --fleet, 2 local + 2 remote projects (1 host), ${opts.runs} runs, load ${load} at the start:`];
  for (const path of paths)
    lines.push(
      `  ${path.padEnd(18)} first byte median ${ms(median(times.get(path)!))}, p90 ${ms(p90(times.get(path)!))}; ${(sizes.get(path)! / 1024).toFixed(1)} KB`,
    );

  const sends: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    const r = await fetch(new URL('/p/r1/api/agents/a1/messages', info.url), {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: `bench ${i}` }),
    });
    if (r.status !== 200) throw new Error(`send: ${r.status} ${await r.text()}`);
    sends.push(performance.now() - start);
  }
  lines.push(`  a message to a remote agent (ao send over ssh): median ${ms(median(sends))}, max ${ms(Math.max(...sends))} (5)`);

  // many pages open: the server's ssh calls, sampled
  let most = 0;
  let calls = 0;
  let before = 0;
  const sampler = setInterval(() => {
    const now = sshCalls();
    if (now > before) calls += now - before;
    before = now;
    most = Math.max(most, now);
  }, 10);
  let answered = 0;
  const end = Date.now() + opts.seconds * 1000;
  await Promise.all(
    Array.from({ length: opts.pages }, async () => {
      while (Date.now() < end) {
        if ((await get('/')).status === 200) answered++;
      }
    }),
  );
  clearInterval(sampler);
  lines.push(
    `  ${opts.pages} pages reading / in a loop for ${opts.seconds} s: ${answered} pages answered; ssh calls seen ${calls} (one per ${((opts.seconds * 1000) / Math.max(1, calls) / 1000).toFixed(1)} s), at most ${most} in flight`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => void cleanup());
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));
