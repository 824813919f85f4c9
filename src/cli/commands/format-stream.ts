import { appendText } from '../../state/safe-fs.js';
import { UsageError } from '../../errors.js';
import { formatStream, STREAM_BACKENDS, type StreamBackend } from '../../stream/run.js';

export interface FormatStreamCliOptions {
  backend: string;
  raw?: string;
  signals?: string;
  maxRawBytes?: number;
  command: string[];
}

/** `ao format-stream`: what a one-shot agent's pane runs around the CLI (stream/run.ts). */
export async function formatStreamCommand(options: FormatStreamCliOptions): Promise<number> {
  if (!(STREAM_BACKENDS as readonly string[]).includes(options.backend))
    throw new UsageError(`--backend must be one of ${STREAM_BACKENDS.join(', ')}, got "${options.backend}"`);
  const code = await formatStream(
    {
      backend: options.backend as StreamBackend,
      raw: options.raw ?? null,
      signals: options.signals ?? null,
      command: options.command,
      ...(options.maxRawBytes !== undefined ? { maxRawBytes: options.maxRawBytes } : {}),
    },
    { stdin: process.stdin, write: (text) => void process.stdout.write(text) },
  );
  // bench/format-stream.ts reads what the formatter itself cost
  const stats = process.env.AO_FORMAT_STREAM_STATS;
  if (stats !== undefined && stats !== '') {
    const cpu = process.cpuUsage();
    appendText(
      stats,
      `${JSON.stringify({ user_us: cpu.user, system_us: cpu.system, max_rss_kb: process.resourceUsage().maxRSS, uptime_ms: Math.round(process.uptime() * 1000) })}\n`,
    );
  }
  return code;
}
