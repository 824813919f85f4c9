import { UsageError } from '../../errors.js';
import { formatStream, STREAM_BACKENDS, type StreamBackend } from '../../stream/run.js';

export interface FormatStreamCliOptions {
  backend: string;
  raw?: string;
  maxRawBytes?: number;
  command: string[];
}

/** `ao format-stream`: what a one-shot agent's pane runs around the CLI (stream/run.ts). */
export async function formatStreamCommand(options: FormatStreamCliOptions): Promise<number> {
  if (!(STREAM_BACKENDS as readonly string[]).includes(options.backend)) throw new UsageError(`--backend must be one of ${STREAM_BACKENDS.join(', ')}, got "${options.backend}"`);
  return formatStream(
    { backend: options.backend as StreamBackend, raw: options.raw ?? null, command: options.command, ...(options.maxRawBytes !== undefined ? { maxRawBytes: options.maxRawBytes } : {}) },
    { stdin: process.stdin, write: (text) => void process.stdout.write(text) },
  );
}
