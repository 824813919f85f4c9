import { readInbox, type Message } from '../../coord/inbox.js';
import { UsageError } from '../../errors.js';
import { openProjectOrRunning, selectAgents } from '../context.js';
import type { GlobalOptions, Io } from '../io.js';
import { layout } from '../../state/layout.js';
import { jsonText } from '../../text/safe.js';

export interface InboxOptions extends GlobalOptions {
  agent: string;
  json?: boolean;
  /** show only the latest this many messages (default: all) */
  last?: number;
}

/** `ao inbox AGENT [--json] [-n N]`: an agent's messages, oldest first. Read-only. */
export async function inbox(options: InboxOptions, io: Io): Promise<number> {
  const { project } = openProjectOrRunning(options, io);
  const [agent] = selectAgents(project, [options.agent], () => false);
  if (!agent) throw new UsageError('ao inbox needs an agent name');
  const last = options.last;
  if (last !== undefined && (!Number.isInteger(last) || last < 0)) throw new UsageError(`-n expects a whole number, got ${last}`);
  const all = readInbox(project.stateDir, agent.name);
  const shown = last === undefined ? all : all.slice(all.length - Math.min(last, all.length));
  if (all.length === 0) io.err(`${agent.name} has no messages (${layout.inbox(project.stateDir, agent.name)})\n`);
  // an empty JSON array rather than nothing, so that scripts can always parse the output
  if (options.json) io.out(`${jsonText(shown, 2)}\n`);
  else if (shown.length > 0) io.out(shown.map(formatMessage).join('\n'));
  return 0;
}

/** `<time>  from <sender>  <id>`, then the text indented. */
export function formatMessage(message: Message): string {
  const text = message.text
    .split('\n')
    .map((line) => (line === '' ? '' : `  ${line}`))
    .join('\n');
  return `${message.time}  from ${message.from}  ${message.id}\n${text}\n`;
}
