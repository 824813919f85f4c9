/**
 * What `ao format-stream` costs a Claude loop iteration (docs/PERFORMANCE.md):
 *
 *   npm run build && npx vite-node bench/format-stream.ts [runs]
 *
 * 1. Real Claude Code 2.1.332 iterations against the Anthropic stand-in (a
 *    tool call, then an answer), run as ao's loop argv does, with and without
 *    the formatter as its parent: the formatter's own CPU (it reports
 *    process.cpuUsage() at exit through AO_FORMAT_STREAM_STATS) and the
 *    iteration's wall time.
 * 2. A stand-in that streams quickly: a replay of Claude's captured stream
 *    (tests/fixtures/output/claude/tool.json) with 400 tool calls and
 *    results and 400 texts, written as fast as the pipe takes them, each
 *    text stamped with the time it was written; the reader (standing in for
 *    the pane) notes when each arrives, through the formatter and straight.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAnthropic } from '../tests/fixtures/standins/anthropic.js';
import { ensureCli } from '../tests/helpers/clis.js';
import { cliHome } from '../tests/helpers/standin-env.js';

const REPO = join(import.meta.dirname, '..');
const AO = join(REPO, 'bin', 'ao');
const RUNS = Number(process.argv[2] ?? 5);
const CLAUDE_ARGS = ['-p', '--output-format', 'stream-json', '--verbose', '--allowedTools', 'Bash(echo:*)', '--', 'Run the check and report.'];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))] ?? NaN;
};

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, onOut?: (b: Buffer) => void): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.on('data', (b: Buffer) => onOut?.(b));
    child.on('close', (code) => resolve(code ?? -1));
  });
}

async function realClaude(): Promise<void> {
  const installed = await ensureCli('claude');
  if (!installed.ok) throw new Error(installed.reason);
  const server = await startAnthropic();
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'ao-bench-fmt-')));
  const home = cliHome('claude', { url: server.url, trusted: [dir] });
  const stats = join(dir, 'stats.jsonl');
  const env = { PATH: process.env.PATH, ...home.env, AO_FORMAT_STREAM_STATS: stats };
  const wall = { direct: [] as number[], formatted: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    for (const mode of ['direct', 'formatted'] as const) {
      server.script({ kind: 'tool', command: 'echo tool-output-line' }, { kind: 'text', text: 'Done.' });
      const t0 = performance.now();
      const argv =
        mode === 'direct'
          ? [installed.bin, ...CLAUDE_ARGS]
          : [process.execPath, AO, 'format-stream', '--backend', 'claude', '--raw', join(dir, 'raw.jsonl'), '--', installed.bin, ...CLAUDE_ARGS];
      const code = await run(argv[0]!, argv.slice(1), { ...env });
      if (code !== 0) throw new Error(`${mode} run exited ${code}`);
      wall[mode].push(performance.now() - t0);
    }
  }
  const own = readFileSync(stats, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { user_us: number; system_us: number; max_rss_kb: number; uptime_ms: number });
  const cpu = own.map((s) => (s.user_us + s.system_us) / 1000);
  process.stdout.write(
    [
      `real Claude iterations (${RUNS} each way, a tool call and an answer):`,
      `  wall per iteration: direct ${median(wall.direct).toFixed(0)} ms, through the formatter ${median(wall.formatted).toFixed(0)} ms (medians)`,
      `  formatter CPU per iteration: median ${median(cpu).toFixed(0)} ms (min ${Math.min(...cpu).toFixed(0)}, max ${Math.max(...cpu).toFixed(0)}), max RSS ${median(own.map((s) => s.max_rss_kb / 1024)).toFixed(0)} MB`,
      '',
    ].join('\n'),
  );
  await server.close();
  home.remove();
  rmSync(dir, { recursive: true, force: true });
}

/** A node script that replays Claude's stream quickly, each text stamped with when it was written. */
function streamerScript(): string {
  const captured = JSON.parse(readFileSync(join(REPO, 'tests', 'fixtures', 'output', 'claude', 'tool.json'), 'utf8')) as { stdout: string };
  const lines = captured.stdout.split('\n');
  const [init, toolUse, toolResult, , result] = lines;
  return `
const [init, toolUse, toolResult, result] = ${JSON.stringify([init, toolUse, toolResult, result])};
const big = 'x'.repeat(2000);
const out = [init];
const N = 400;
let i = 0;
function next() {
  // a burst of tool call, its 2 KB result and a stamped text, then yield to the event loop
  if (i === N) { process.stdout.write(result + '\\n'); return; }
  const text = JSON.stringify({ type: 'assistant', message: { content: [{ type: 'text', text: 'seq=' + i + ' t=' + (performance.timeOrigin + performance.now()).toFixed(3) }] } });
  const res = toolResult.replace('tool-output-line', 'tool-output-line\\\\n' + big);
  process.stdout.write(toolUse + '\\n' + res + '\\n' + text + '\\n', () => { i++; setImmediate(next); });
}
process.stdout.write(out.join('\\n') + '\\n', next);
`;
}

async function fastStream(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ao-bench-fmt-'));
  const script = join(dir, 'streamer.mjs');
  writeFileSync(script, streamerScript());
  const stats = join(dir, 'stats.jsonl');
  const results: Record<string, { lat: number[]; wall: number[]; bytes: number }> = {
    direct: { lat: [], wall: [], bytes: 0 },
    formatted: { lat: [], wall: [], bytes: 0 },
  };
  for (let r = 0; r < RUNS; r++) {
    for (const mode of ['direct', 'formatted'] as const) {
      const res = results[mode]!;
      let buf = '';
      const t0 = performance.now();
      const onOut = (b: Buffer): void => {
        const now = performance.timeOrigin + performance.now();
        res.bytes += b.length;
        buf += b.toString('utf8');
        let nl = buf.indexOf('\n');
        while (nl >= 0) {
          const m = /seq=\d+ t=(\d+\.\d+)/.exec(buf.slice(0, nl));
          if (m?.[1] !== undefined) res.lat.push(now - Number(m[1]));
          buf = buf.slice(nl + 1);
          nl = buf.indexOf('\n');
        }
      };
      const argv =
        mode === 'direct'
          ? [process.execPath, script]
          : [process.execPath, AO, 'format-stream', '--backend', 'claude', '--raw', join(dir, 'raw.jsonl'), '--', process.execPath, script];
      await run(argv[0]!, argv.slice(1), { PATH: process.env.PATH, AO_FORMAT_STREAM_STATS: stats }, onOut);
      res.wall.push(performance.now() - t0);
    }
  }
  const own = readFileSync(stats, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { user_us: number; system_us: number });
  const cpu = own.map((s) => (s.user_us + s.system_us) / 1000);
  const rawSize = readFileSync(join(dir, 'raw.jsonl')).length;
  const d = results.direct!;
  const f = results.formatted!;
  process.stdout.write(
    [
      `fast stream (${RUNS} runs, 400 tool calls + 2 KB results + 400 texts, ${(rawSize / 1e6).toFixed(2)} MB raw per run):`,
      `  formatter CPU per run: median ${median(cpu).toFixed(0)} ms (${(median(cpu) / (rawSize / 1e6)).toFixed(0)} ms per MB of stream, node start included)`,
      `  bytes reaching the pane per run: direct ${(d.bytes / RUNS / 1e6).toFixed(2)} MB, formatted ${(f.bytes / RUNS / 1e6).toFixed(3)} MB`,
      `  latency write -> reader: direct median ${median(d.lat).toFixed(2)} ms p99 ${pct(d.lat, 99).toFixed(2)} ms; formatted median ${median(f.lat).toFixed(2)} ms p99 ${pct(f.lat, 99).toFixed(2)} ms`,
      `  wall per run: direct ${median(d.wall).toFixed(0)} ms, formatted ${median(f.wall).toFixed(0)} ms`,
      '',
    ].join('\n'),
  );
  rmSync(dir, { recursive: true, force: true });
}

await realClaude();
await fastStream();
