/**
 * Captures the real TUIs' screens for the detector fixtures (not a test):
 *
 *   npx vite-node tests/helpers/capture-screens.ts <claude|codex|gemini|opencode> <out-dir>
 *
 * Each scenario runs the installed CLI in a pane of a private tmux server
 * (`tmux -L ao-capture-<pid>`, killed at the end) against its loopback
 * stand-in, and writes timed frames (`<scenario>-<ms>.txt`) to <out-dir>.
 * A maintainer picks the frames that go under tests/fixtures/screens/.
 */
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAnthropic } from '../fixtures/standins/anthropic.js';
import type { Reply, StandIn } from '../fixtures/standins/common.js';
import { startGemini } from '../fixtures/standins/gemini.js';
import { startOpenAI } from '../fixtures/standins/openai.js';
import { ensureCli, type CliName } from './clis.js';
import { cliHome } from './standin-env.js';

interface Scenario {
  name: string;
  trusted: boolean;
  approveKey?: boolean;
  /** what the stand-in answers to the typed prompt */
  reply?: Reply;
  /** what it answers from then on (a provider that stays overloaded) */
  fallback?: Reply;
  /** typed once the TUI is up (after `typeAfterMs`) */
  prompt?: string;
  typeAfterMs?: number;
  /** when to capture, in ms after start */
  frames: number[];
}

/** every 250 ms for the first 6 s: some TUIs draw their input box before the trust dialog */
const EARLY = [...Array.from({ length: 24 }, (_, i) => (i + 1) * 250), 8000];
const ONLY = process.env.AO_CAPTURE_ONLY;
const SCENARIOS_ALL: Scenario[] = [
  { name: 'trust', trusted: false, frames: EARLY },
  { name: 'apikey', trusted: true, approveKey: false, frames: [3000, 6000] },
  { name: 'ready', trusted: true, frames: [4000, 8000] },
  {
    name: 'busy',
    trusted: true,
    reply: { kind: 'hang', hangMs: 30_000 },
    prompt: 'say hello',
    typeAfterMs: 8000,
    frames: Array.from({ length: 40 }, (_, i) => 9000 + i * 250),
  },
  {
    name: 'permission',
    trusted: true,
    reply: { kind: 'tool', command: 'touch made-by-tool.txt' },
    prompt: 'make the file',
    typeAfterMs: 8000,
    frames: [12_000, 16_000],
  },
  {
    // the TUI retrying an overloaded API itself: its retry line
    name: 'retry',
    trusted: true,
    fallback: { kind: 'error', status: 529 },
    prompt: 'say hello',
    typeAfterMs: 8000,
    frames: Array.from({ length: 16 }, (_, i) => 9000 + i * 1500),
  },
];
const SCENARIOS = SCENARIOS_ALL.filter((s) => !ONLY || ONLY.split(',').includes(s.name));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function standIn(cli: CliName): Promise<StandIn> {
  if (cli === 'codex') return startOpenAI();
  if (cli === 'gemini') return startGemini();
  return startAnthropic();
}

async function main(): Promise<void> {
  const [cli, out] = process.argv.slice(2) as [CliName, string];
  if (!cli || !out) throw new Error('usage: capture-screens <cli> <out-dir>');
  const installed = await ensureCli(cli);
  if (!installed.ok) throw new Error(installed.reason);
  mkdirSync(out, { recursive: true });
  const socket = `ao-capture-${process.pid}`;
  const tmux = (args: string[]) => execa('tmux', ['-L', socket, ...args], { reject: false, env: { TMUX: '' } });
  try {
    for (const s of SCENARIOS) {
      if (s.name === 'apikey' && cli !== 'claude') continue;
      const server = await standIn(cli);
      server.fallback({ kind: 'text', text: 'Hello from the stand-in.' });
      const project = realpathSync(mkdtempSync(join(tmpdir(), `ao-capture-${cli}-`)));
      // codex asks about trust only in a git repository
      if (!s.trusted) await execa('git', ['init', '-q', project], { reject: false });
      const home = cliHome(cli, {
        url: server.url,
        trusted: s.trusted ? [project] : [],
        approveKey: s.approveKey ?? true,
        askTools: s.name === 'permission',
        codexApproval: 'on-request',
      });
      const env = Object.entries({ PATH: process.env.PATH ?? '/usr/bin:/bin', ...home.env }).map(([k, v]) => `${k}=${v}`);
      const session = `cap-${s.name}`;
      const started = Date.now();
      await tmux(['new-session', '-d', '-s', session, '-x', '120', '-y', '40', '-c', project, 'env', '-i', ...env, installed.bin]);
      let typed = false;
      for (const at of s.frames) {
        if (s.prompt !== undefined && !typed && s.typeAfterMs !== undefined && at > s.typeAfterMs) {
          await sleep(Math.max(0, started + s.typeAfterMs - Date.now()));
          if (s.reply) server.script(s.reply);
          if (s.fallback) server.fallback(s.fallback);
          await tmux(['send-keys', '-t', session, '-l', s.prompt]);
          await sleep(300);
          await tmux(['send-keys', '-t', session, 'Enter']);
          typed = true;
        }
        await sleep(Math.max(0, started + at - Date.now()));
        const cap = await tmux(['capture-pane', '-p', '-t', session]);
        writeFileSync(join(out, `${s.name}-${String(at).padStart(5, '0')}.txt`), `${String(cap.stdout)}\n`);
      }
      const pid = (await tmux(['display-message', '-p', '-t', session, '#{pane_pid}'])).stdout.trim();
      await tmux(['kill-session', '-t', session]);
      // Gemini's TUI ignores SIGHUP: end it by the pid we started
      if (/^\d+$/.test(pid)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await server.close();
      if (process.env.AO_CAPTURE_DUMP) writeFileSync(join(out, `${s.name}-requests.json`), JSON.stringify(server.requests, null, 1));
      home.remove();
      rmSync(project, { recursive: true, force: true });
      process.stdout.write(`${cli} ${s.name}: ${s.frames.length} frames, ${server.requests.length} requests\n`);
    }
  } finally {
    await tmux(['kill-server']);
  }
}

await main();
