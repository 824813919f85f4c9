import type { Command } from 'commander';
import { findFleet, loadFleet } from '../../config/fleet.js';
import { UsageError } from '../../errors.js';
import { openProject } from '../context.js';
import type { GlobalOptions, Io } from '../io.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;

/**
 * `ao completion bash|zsh|fish`: a script for the shell's rc file. It asks
 * `ao __complete` at each TAB, so agent names are the current project's.
 */
export function completionScript(shell: string): string {
  if (shell === 'bash' || shell === 'zsh') {
    return [
      '# ao completion: add to ~/.bashrc (or ~/.zshrc):  source <(ao completion ' + shell + ')',
      ...(shell === 'zsh' ? ['autoload -U +X bashcompinit && bashcompinit'] : []),
      '_ao() {',
      '  local cur=${COMP_WORDS[COMP_CWORD]}',
      '  COMPREPLY=( $(compgen -W "$(ao __complete "${COMP_WORDS[@]:1:COMP_CWORD-1}" 2>/dev/null)" -- "$cur") )',
      '}',
      'complete -F _ao ao',
      '',
    ].join('\n');
  }
  if (shell === 'fish') {
    return [
      '# ao completion: ao completion fish > ~/.config/fish/completions/ao.fish',
      "complete -c ao -f -a '(ao __complete (commandline -opc)[2..-1] 2>/dev/null)'",
      '',
    ].join('\n');
  }
  throw new UsageError(`ao completion: no script for "${shell}" (one of: ${SHELLS.join(', ')})`);
}

/** The commands whose first argument is one of a few words. */
const ACTIONS: Readonly<Record<string, readonly string[]>> = {
  completion: SHELLS,
  service: ['install', 'uninstall', 'status'],
  notify: ['test'],
};

/** The commands whose arguments are agent names. */
const TAKES_AGENTS = new Set(['up', 'down', 'restart', 'logs', 'attach', 'send', 'inbox', 'events', 'explain', 'run']);
/** The `ao fleet` subcommands whose arguments are project names. */
const TAKES_PROJECTS = new Set(['up', 'down', 'status', 'run']);

/** What may come next after `words` (the words typed after `ao`): commands, then a command's options and the project's agents. */
export function completions(program: Command, words: readonly string[], options: GlobalOptions, io: Io): string[] {
  const visible = program.commands.filter((c) => !(c as Command & { _hidden?: boolean })._hidden);
  const flags = (c: Command): string[] =>
    c.options.flatMap((o) => [o.long, o.short]).filter((f): f is string => typeof f === 'string' && !f.startsWith('--no-'));
  const name = words.find((w) => visible.some((c) => c.name() === w));
  if (name === undefined) return [...visible.map((c) => c.name()), ...flags(program)];
  const command = visible.find((c) => c.name() === name)!;
  // the first argument of a command that takes one of a few words: those words; after it, its options
  const actions = ACTIONS[name];
  if (actions && !words.slice(words.indexOf(name) + 1).some((w) => actions.includes(w))) return [...actions];
  if (name === 'completion') return [];
  if (command.commands.length > 0) return subcommandCompletions(command, words.slice(words.indexOf(name) + 1), io, flags);
  let agents: string[] = [];
  if (TAKES_AGENTS.has(name)) {
    try {
      agents = openProject(options, io).project.agents.map((a) => a.name);
    } catch {
      // no project here, or a broken one: no agent names
    }
  }
  return [...agents, ...flags(command), '--help'];
}

/** After a command with subcommands (`ao fleet`): its subcommands, then one's options and the fleet's project names. */
function subcommandCompletions(command: Command, words: readonly string[], io: Io, flags: (c: Command) => string[]): string[] {
  const sub = command.commands.find((c) => words.includes(c.name()));
  if (!sub) return [...command.commands.map((c) => c.name()), '--help'];
  let projects: string[] = [];
  if (TAKES_PROJECTS.has(sub.name())) {
    try {
      const at = words.indexOf('-f') >= 0 ? words[words.indexOf('-f') + 1] : undefined;
      projects = loadFleet(findFleet({ file: at, cwd: io.cwd, env: io.env })).projects.map((p) => p.name);
    } catch {
      // no fleet here, or a broken one: no project names
    }
  }
  return [...projects, ...flags(sub), '--help'];
}
