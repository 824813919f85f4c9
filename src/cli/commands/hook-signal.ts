import { appendSignal, signalOf } from '../../state/signals.js';

/** At most this much of a hook's input is read (a Stop hook carries the last message). */
const MAX_INPUT = 4 * 1024 * 1024;

/**
 * `ao hook-signal FILE` (internal): what a CLI hook runs. Reads the hook's JSON
 * on stdin and appends one signal line to FILE. It never fails the hook: a bad
 * input or a full disk is dropped, and it always exits 0.
 */
export async function hookSignal(options: { file: string }, stdin: NodeJS.ReadableStream = process.stdin): Promise<number> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += b.length;
    if (size > MAX_INPUT) break;
    chunks.push(b);
  }
  try {
    const signal = signalOf(Buffer.concat(chunks).toString('utf8'), new Date());
    if (signal) appendSignal(options.file, signal);
  } catch {
    // a hook must never stop the agent
  }
  return 0;
}
