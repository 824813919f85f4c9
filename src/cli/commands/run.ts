import { UsageError } from '../../errors.js';
import { refuseInSandbox } from '../caller.js';
import { openProject, selectAgents } from '../context.js';
import type { GlobalOptions, Io } from '../io.js';
import { up } from './up.js';

export interface RunOptions extends GlobalOptions {
  task: string;
}

/** `ao run TASK`: start a task agent now; it is done when it exits 0. */
export async function run(options: RunOptions, io: Io): Promise<number> {
  refuseInSandbox(io.env, 'ao run');
  const { project } = openProject(options, io);
  const [agent] = selectAgents(project, [options.task], () => false);
  if (!agent) throw new UsageError('ao run needs a task name');
  if (agent.kind !== 'task') {
    const tasks = project.agents.filter((a) => a.kind === 'task').map((a) => a.name);
    throw new UsageError(`${agent.name} is a ${agent.kind}, not a task (use \`ao up ${agent.name}\`); tasks: ${tasks.join(', ') || 'none'}`);
  }
  return up({ ...options, agents: [agent.name] }, io);
}
