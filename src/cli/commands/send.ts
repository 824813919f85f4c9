import { appendMessage, sanitizeMessage } from '../../coord/inbox.js';
import { UsageError } from '../../errors.js';
import { openProjectOrRunning, selectAgents } from '../context.js';
import type { GlobalOptions, Io } from '../io.js';
import { jsonText } from '../../text/safe.js';

export interface SendOptions extends GlobalOptions {
  agent: string;
  /** the words of the message; none, or just `-`, reads it from stdin */
  message: string[];
  json?: boolean;
}

/**
 * `ao send AGENT [MESSAGE...]`: appends a message to the agent's inbox. Works
 * whether or not the team runs; it never talks to tmux (the watchdog tells the
 * recipient there is mail).
 */
export async function send(options: SendOptions, io: Io): Promise<number> {
  const { project } = openProjectOrRunning(options, io);
  const [agent] = selectAgents(project, [options.agent], () => false);
  if (!agent) throw new UsageError('ao send needs an agent name');
  const fromStdin = options.message.length === 0 || (options.message.length === 1 && options.message[0] === '-');
  const text = fromStdin ? await readAll(io) : options.message.join(' ');
  if (sanitizeMessage(text) === '') {
    throw new UsageError(`no message for ${agent.name}: give it as arguments or on stdin`);
  }
  const from = io.env.AO_AGENT?.trim() || 'maintainer';
  const message = await appendMessage(project.stateDir, agent.name, from, text);
  io.out(options.json ? `${jsonText(message)}\n` : `sent ${message.id} to ${agent.name}\n`);
  return 0;
}

async function readAll(io: Io): Promise<string> {
  const input = io.stdin;
  if (!input) throw new UsageError('no message given and no stdin to read it from');
  if ('isTTY' in input && input.isTTY) io.err('type the message, then Ctrl-D on a line of its own\n');
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
