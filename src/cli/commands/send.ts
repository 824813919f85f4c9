import { appendMessage, MESSAGE_CAP, sanitizeMessage } from '../../coord/inbox.js';
import { writeOutbox } from '../../coord/outbox.js';
import { UsageError } from '../../errors.js';
import { callerName, findCaller, sandboxedAgent } from '../caller.js';
import { openProjectOrRunning, selectAgents } from '../context.js';
import type { GlobalOptions, Io } from '../io.js';
import { jsonText } from '../../text/safe.js';

export interface SendOptions extends GlobalOptions {
  agent: string;
  /** the words of the message; none, or just `-`, reads it from stdin */
  message: string[];
  json?: boolean;
}

export { MESSAGE_CAP };

/**
 * `ao send AGENT [MESSAGE...]`: appends a message to the agent's inbox. Works
 * whether or not the team runs (the watchdog tells the recipient there is
 * mail). Its only question to tmux is who sends: a message sent from an agent's
 * pane is from that agent, whatever AO_AGENT says (src/cli/caller.ts).
 */
export async function send(options: SendOptions, io: Io): Promise<number> {
  const { project, tmux } = openProjectOrRunning(options, io);
  const [agent] = selectAgents(project, [options.agent], () => false);
  if (!agent) throw new UsageError('ao send needs an agent name');
  const fromStdin = options.message.length === 0 || (options.message.length === 1 && options.message[0] === '-');
  const given = fromStdin ? await readCapped(io, MESSAGE_CAP) : Buffer.from(options.message.join(' '), 'utf8');
  if (given.length > MESSAGE_CAP) {
    throw new UsageError(`the message is ${fromStdin ? `over ${MESSAGE_CAP}` : given.length} bytes; ao send takes at most ${MESSAGE_CAP} (1 MB): nothing sent`);
  }
  const text = given.toString('utf8');
  if (sanitizeMessage(text) === '') {
    throw new UsageError(`no message for ${agent.name}: give it as arguments or on stdin`);
  }
  const sandboxed = sandboxedAgent(io.env);
  if (sandboxed !== null) {
    // inside a sandbox no inbox can be written: its own outbox, which the watchdog delivers from it (coord/outbox.ts)
    const file = writeOutbox(project.stateDir, sandboxed, agent.name, text);
    io.out(
      options.json
        ? `${jsonText({ outbox: file, to: agent.name, from: sandboxed })}\n`
        : `left for ${agent.name} in ${sandboxed}'s outbox: the watchdog delivers it\n`,
    );
    return 0;
  }
  const caller = await findCaller(project, tmux, io.env);
  // AO_AGENT names the sender only outside every agent's pane (a script of the maintainer's may set it)
  const from = caller.kind === 'agent' ? callerName(caller) : io.env.AO_AGENT?.trim() || 'maintainer';
  const message = await appendMessage(project.stateDir, agent.name, from, text);
  io.out(options.json ? `${jsonText(message)}\n` : `sent ${message.id} to ${agent.name}\n`);
  return 0;
}

/** stdin up to `cap` bytes and one more (so that more is seen), never the rest of an endless stream. */
async function readCapped(io: Io, cap: number): Promise<Buffer> {
  const input = io.stdin;
  if (!input) throw new UsageError('no message given and no stdin to read it from');
  if ('isTTY' in input && input.isTTY) io.err('type the message, then Ctrl-D on a line of its own\n');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const kept = (typeof chunk === 'string' ? Buffer.from(chunk) : chunk).subarray(0, cap + 1 - size);
    chunks.push(kept);
    size += kept.length;
    if (size > cap) break; // leaving the loop ends the stream: the rest is never read
  }
  return Buffer.concat(chunks);
}
