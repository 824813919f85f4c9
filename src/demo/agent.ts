/**
 * The demo agent program (`ao demo-agent ...`): a scripted agent that follows
 * docs/PROTOCOL.md for real, so a team runs with no agent CLI and no API key.
 * Its role is its name: `builder` and `adversary` run one loop iteration
 * (demo-builder.ts, demo-adversary.ts) and end; any other agent idles at a
 * prompt, echoes what it is sent, shows its newest inbox message and prints
 * a heartbeat. Streams, clock and sleep are injected so tests run it in-process.
 */
import { readBytesCapped, TEXT_CAP } from '../state/safe-fs.js';
import { createInterface } from 'node:readline';
import { DEMO_PROMPT } from '../backends/demo.js';
import { runAdversary } from './adversary.js';
import { runBuilder } from './builder.js';
import { errorMessage, phaseFiles, readText, type LoopContext } from './loop.js';
import { sleepFor } from '../sleep.js';

export interface DemoAgentOptions {
  name: string;
  kind: string;
  kickoffFile: string;
  model?: string;
  paceS?: number;
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  /** defaults to process.env; AO_DEMO_PACE_S overrides paceS */
  env?: NodeJS.ProcessEnv;
  /** stops the agent like SIGTERM does; without it SIGTERM on this process is watched */
  signal?: AbortSignal;
  /** the clock of journal and review headings */
  now?: () => Date;
  /** waits `ms`, or less when `signal` aborts */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** the shortest loop iteration: ao takes a loop that ends within a second for a failed start */
  minIterationMs?: number;
}

export const DEFAULT_PACE_S = 5;
export const DEFAULT_MIN_ITERATION_MS = 1200;
const LOOP_ROLES: Readonly<Record<string, (ctx: LoopContext) => Promise<number>>> = { builder: runBuilder, adversary: runAdversary };

/** The heartbeat period in seconds: env beats the option, a bad value is ignored. */
export function resolvePace(paceS: number | undefined, env: NodeJS.ProcessEnv): number {
  const fromEnv = Number(env['AO_DEMO_PACE_S']);
  if (env['AO_DEMO_PACE_S'] !== undefined && Number.isFinite(fromEnv) && fromEnv > 0) return fromEnv;
  if (paceS !== undefined && Number.isFinite(paceS) && paceS > 0) return paceS;
  return DEFAULT_PACE_S;
}

/** The newest message of an inbox: its last `## ` section (the whole text when it has none). */
export function lastSection(text: string): string | null {
  const lines = text.split(/\r?\n/);
  const start = lines.findLastIndex((line) => line.startsWith('## '));
  const section = (start < 0 ? lines : lines.slice(start)).join('\n').trim();
  return section === '' ? null : section;
}

async function describeKickoff(file: string): Promise<string[]> {
  try {
    const bytes = readBytesCapped(file, TEXT_CAP);
    if (bytes === null) throw new Error('ENOENT: no such file');
    const firstLine = bytes.toString('utf8').split(/\r?\n/, 1)[0] ?? '';
    return [firstLine, `kickoff: ${bytes.length} bytes`];
  } catch (err) {
    // Keep the pane alive and say why: a crash loop would hide the message.
    return [`kickoff: cannot read ${file}: ${errorMessage(err)}`];
  }
}

/** Resolves to the exit code: a loop role after one iteration, any other at end of stdin or when stopped. */
export async function runDemoAgent(opts: DemoAgentOptions): Promise<number> {
  const tag = `[demo ${opts.name}]`;
  const write = (text: string): void => {
    opts.stdout.write(text);
  };
  const env = opts.env ?? process.env;
  const paceMs = resolvePace(opts.paceS, env) * 1000;
  const stop = new AbortController();
  const abort = (): void => stop.abort();
  if (opts.signal !== undefined) {
    if (opts.signal.aborted) abort();
    else opts.signal.addEventListener('abort', abort, { once: true });
  } else process.once('SIGTERM', abort);

  try {
    write(`${tag} kind=${opts.kind} model=${opts.model ?? '-'}\n`);
    for (const line of await describeKickoff(opts.kickoffFile)) write(`${line}\n`);
    const role = Object.hasOwn(LOOP_ROLES, opts.name) ? LOOP_ROLES[opts.name] : undefined;
    if (role === undefined) return await runIdle(opts, tag, paceMs, env, stop.signal);

    const sleep = opts.sleep ?? sleepFor;
    const files = phaseFiles(env);
    if ('missing' in files) {
      write(`${tag} cannot work: ao did not set ${files.missing.join(', ')}\n`);
      await sleep(paceMs, stop.signal);
      return 1;
    }
    const started = Date.now();
    const ctx: LoopContext = {
      files,
      say: (text) => write(`${tag} ${text}\n`),
      step: async () => {
        await sleep(paceMs, stop.signal);
        return !stop.signal.aborted;
      },
      now: opts.now ?? (() => new Date()),
    };
    let code: number;
    try {
      code = await role(ctx);
    } catch (err) {
      ctx.say(`stopped on an error: ${errorMessage(err)}`);
      code = 1;
    }
    if (stop.signal.aborted) return 0;
    ctx.say(`iteration done (exit ${code})`);
    await sleep((opts.minIterationMs ?? DEFAULT_MIN_ITERATION_MS) - (Date.now() - started), stop.signal);
    return stop.signal.aborted ? 0 : code;
  } finally {
    process.removeListener('SIGTERM', abort);
    opts.signal?.removeEventListener('abort', abort);
  }
}

/** The persistent (orchestrator) behaviour: a prompt, echoes, the newest mail, a heartbeat. */
function runIdle(opts: DemoAgentOptions, tag: string, paceMs: number, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<number> {
  const write = (text: string): void => {
    opts.stdout.write(text);
  };
  write(DEMO_PROMPT);
  return new Promise<number>((resolve) => {
    const lines = createInterface({ input: opts.stdin, crlfDelay: Infinity, terminal: false });
    let step = 0;
    const heartbeat = setInterval(() => {
      step += 1;
      // The prompt has no newline after it: start the heartbeat on a line of its own.
      write(`\n${tag} working… step ${step}\n${DEMO_PROMPT}`);
    }, paceMs);

    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearInterval(heartbeat);
      signal.removeEventListener('abort', finish);
      lines.close();
      resolve(0);
    };

    // ao types a short mail notice, never the message: show the message itself
    const inbox = env['AO_INBOX'];
    let shown = Promise.resolve();
    lines.on('line', (line) => {
      if (!inbox) return write(`${tag} received: ${line}\n${DEMO_PROMPT}`);
      shown = shown.then(async () => {
        const newest = lastSection(await readText(inbox).catch(() => ''));
        const mail = newest === null ? '' : `${tag} newest message in ${inbox}:\n${newest.replace(/^(?=.)/gm, '  ')}\n`;
        if (!done) write(`${tag} received: ${line}\n${mail}${DEMO_PROMPT}`);
      });
    });
    lines.on('close', finish);
    if (signal.aborted) finish();
    else signal.addEventListener('abort', finish, { once: true });
  });
}
