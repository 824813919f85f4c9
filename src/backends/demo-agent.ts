/**
 * The demo agent program (`ao demo-agent ...`). For now it only proves the
 * plumbing: it shows what it was launched with, echoes what it is sent and
 * prints a heartbeat, so the watchdog, the detectors and the dashboard have
 * a live pane to work on without any agent CLI. Streams are injected so tests
 * drive it with PassThrough streams.
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { DEMO_PROMPT } from './demo.js';

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
}

export const DEFAULT_PACE_S = 5;

/** The heartbeat period in seconds: env beats the option, a bad value is ignored. */
export function resolvePace(paceS: number | undefined, env: NodeJS.ProcessEnv): number {
  const fromEnv = Number(env['AO_DEMO_PACE_S']);
  if (env['AO_DEMO_PACE_S'] !== undefined && Number.isFinite(fromEnv) && fromEnv > 0) return fromEnv;
  if (paceS !== undefined && Number.isFinite(paceS) && paceS > 0) return paceS;
  return DEFAULT_PACE_S;
}

async function describeKickoff(file: string): Promise<string[]> {
  try {
    const bytes = await readFile(file);
    const firstLine = bytes.toString('utf8').split(/\r?\n/, 1)[0] ?? '';
    return [firstLine, `kickoff: ${bytes.length} bytes`];
  } catch (err) {
    // Keep the pane alive and say why: a crash loop would hide the message.
    const reason = err instanceof Error ? err.message : String(err);
    return [`kickoff: cannot read ${file}: ${reason}`];
  }
}

/** Runs until stdin ends or SIGTERM (or the signal aborts); resolves to the exit code. */
export async function runDemoAgent(opts: DemoAgentOptions): Promise<number> {
  const tag = `[demo ${opts.name}]`;
  const write = (text: string): void => {
    opts.stdout.write(text);
  };
  const paceMs = resolvePace(opts.paceS, opts.env ?? process.env) * 1000;

  write(`${tag} kind=${opts.kind} model=${opts.model ?? '-'}\n`);
  for (const line of await describeKickoff(opts.kickoffFile)) write(`${line}\n`);
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
      process.removeListener('SIGTERM', finish);
      opts.signal?.removeEventListener('abort', finish);
      lines.close();
      resolve(0);
    };

    lines.on('line', (line) => write(`${tag} received: ${line}\n${DEMO_PROMPT}`));
    lines.on('close', finish);
    if (opts.signal !== undefined) {
      if (opts.signal.aborted) finish();
      else opts.signal.addEventListener('abort', finish, { once: true });
    } else {
      process.once('SIGTERM', finish);
    }
  });
}
