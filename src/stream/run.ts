/**
 * `ao format-stream`: a one-shot agent's JSON stream in, readable lines out,
 * the raw stream kept (raw.ts). With a command after `--` the formatter is
 * the agent's parent: the agent's stdout is a pipe into it, its stdin and
 * stderr stay the pane's, and the formatter exits with the agent's own
 * status (128+N for signal N), so the launcher records the agent's exit and
 * no shell pipeline (whose status is the last command's in POSIX sh) sits
 * in between. Without a command it formats its stdin.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { claudeFormatter } from './claude.js';
import { codexFormatter } from './codex.js';
import { geminiFormatter } from './gemini.js';
import type { LifeSign, StreamFormatter } from './lines.js';
import { openRaw, RAW_MAX_BYTES, type RawWriter } from './raw.js';
import { appendSignal, retrySignal } from '../state/signals.js';

export const STREAM_BACKENDS = ['claude', 'codex', 'gemini'] as const;
export type StreamBackend = (typeof STREAM_BACKENDS)[number];

export function formatterFor(backend: StreamBackend, onSign?: (sign: LifeSign) => void): StreamFormatter {
  return backend === 'claude' ? claudeFormatter(onSign) : backend === 'codex' ? codexFormatter() : geminiFormatter();
}

export interface FormatStreamOptions {
  backend: StreamBackend;
  /** where the raw stream goes (rotated first), or null */
  raw: string | null;
  /** where the CLI's signs of life go (state/signals/AGENT.jsonl: it retries its provider), or null */
  signals?: string | null;
  maxRawBytes?: number;
  /** the agent's argv; empty: format stdin */
  command: string[];
}

export interface StreamIo {
  stdin: NodeJS.ReadableStream;
  write: (text: string) => void;
}

/** Feeds chunks through the formatter line by line; what comes out is written at once. */
export function lineFeeder(formatter: StreamFormatter, raw: RawWriter | null, write: (text: string) => void): { chunk(b: Buffer): void; end(): void } {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  const emit = (lines: string[]): void => {
    if (lines.length > 0) write(`${lines.join('\n')}\n`);
  };
  return {
    chunk(b: Buffer): void {
      rest += decoder.write(b);
      let nl = rest.indexOf('\n');
      const out: string[] = [];
      while (nl >= 0) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        raw?.line(`${line}\n`);
        out.push(...formatter.line(line));
        nl = rest.indexOf('\n');
      }
      emit(out);
    },
    end(): void {
      rest += decoder.end();
      if (rest !== '') {
        raw?.line(rest);
        emit(formatter.line(rest));
      }
      emit(formatter.end());
      raw?.close();
    },
  };
}

const signalNumber = (signal: NodeJS.Signals): number => constants.signals[signal] ?? 1;

export function formatStream(options: FormatStreamOptions, io: StreamIo): Promise<number> {
  const raw = options.raw === null ? null : openRaw(options.raw, options.maxRawBytes ?? RAW_MAX_BYTES);
  const signals = options.signals ?? null;
  const onSign =
    signals === null
      ? undefined
      : (sign: LifeSign): void => {
          try {
            appendSignal(signals, retrySignal(sign, new Date()));
          } catch {
            // a full disk: the pane's line still shows the retry
          }
        };
  const feed = lineFeeder(formatterFor(options.backend, onSign), raw, io.write);
  const [program, ...args] = options.command;
  if (program === undefined) {
    return new Promise((resolve) => {
      io.stdin.on('data', (b: Buffer) => feed.chunk(b));
      io.stdin.on('end', () => {
        feed.end();
        resolve(0);
      });
    });
  }
  return new Promise((resolve) => {
    const child = spawn(program, args, { stdio: ['inherit', 'pipe', 'inherit'] });
    // Ctrl-C and Ctrl-\ reach the agent (same process group); it decides. A hangup or stop is passed on.
    const ignore = (): void => undefined;
    const pass = (signal: NodeJS.Signals) => (): void => void child.kill(signal);
    const handlers: [NodeJS.Signals, () => void][] = [
      ['SIGINT', ignore],
      ['SIGQUIT', ignore],
      ['SIGTERM', pass('SIGTERM')],
      ['SIGHUP', pass('SIGHUP')],
    ];
    for (const [s, h] of handlers) process.on(s, h);
    child.stdout.on('data', (b: Buffer) => feed.chunk(b));
    let failed: number | null = null;
    child.on('error', (error: NodeJS.ErrnoException) => {
      io.write(`ao format-stream: cannot run ${program}: ${error.message}\n`);
      failed = error.code === 'ENOENT' ? 127 : 126;
    });
    child.on('close', (code, signal) => {
      feed.end();
      for (const [s, h] of handlers) process.off(s, h);
      resolve(failed ?? (signal !== null ? 128 + signalNumber(signal) : (code ?? 1)));
    });
  });
}
