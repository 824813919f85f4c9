import { RuntimeError, UsageError } from '../../errors.js';
import { bySession } from '../../tmux/snapshot.js';
import { openProject, selectAgents } from '../context.js';
import type { GlobalOptions, Io } from '../io.js';

export interface AttachOptions extends GlobalOptions {
  agent: string;
}

/** `ao attach AGENT`: hand the terminal to the agent's tmux session until detach. */
export async function attach(options: AttachOptions, io: Io): Promise<number> {
  const { project, tmux } = openProject(options, io);
  const [agent] = selectAgents(project, [options.agent], () => false);
  if (!agent) throw new UsageError('ao attach needs an agent name');
  if (!process.stdin.isTTY) throw new UsageError('ao attach needs a terminal; use `ao logs` to read an agent without one');
  if (!bySession(await tmux.snapshot()).has(agent.session)) throw new RuntimeError(`${agent.name} is not running; start it with \`ao up ${agent.name}\``);
  return await tmux.attach(agent.session);
}
