import { relative } from 'node:path';
import { configWarnings, launchProblems } from '../checks.js';
import { fallbackModelFor, modelFor } from '../../config/resolve.js';
import { ConfigError } from '../../errors.js';
import { aoEntry, openProject } from '../context.js';
import { getBackend } from '../../backends/index.js';
import type { AgentSpec, KickoffMode, NotifySpec, Project } from '../../config/types.js';
import { shownEnv } from '../../state/secrets.js';
import { shellQuote } from '../../tmux/client.js';
import { table } from '../format.js';
import { webhookLabel } from '../../config/notify.js';
import type { GlobalOptions, Io } from '../io.js';
import { jsonText } from '../../text/safe.js';
import { problemLines, workspaceProblems, worktreeAgents } from '../../workspace/worktree.js';
import { commitGateOf } from '../../phases/commit-gate.js';
import { bwrapArgv } from '../../sandbox/bwrap.js';
import { bwrapProblem, findBwrap, nestedSandboxWorks, sandboxFacts } from '../../sandbox/host.js';

export interface CheckOptions extends GlobalOptions {
  json?: boolean;
}

/** `ao check`: validate only, and show the team each phase resolves to. Writes nothing. */
export async function check(options: CheckOptions, io: Io): Promise<number> {
  const { project } = openProject(options, io);
  // what `ao up` would refuse is a config error here too
  const problems = launchProblems(project);
  // an agent's worktree that cannot be had: refused as `ao up` refuses it (src/workspace/)
  const enabled = project.agents.filter((a) => a.enabled);
  problems.push(...problemLines(await workspaceProblems(project, enabled)).map((line) => new ConfigError(project.configFile, line)));
  if (problems.length > 0) throw ConfigError.all(problems);
  const warnings = configWarnings(project);
  // a sandboxed agent is never started unsandboxed: say now what `ao up` would refuse
  const sandboxed = enabled.filter((a) => a.sandbox);
  const sandboxProblem = sandboxed.length > 0 ? bwrapProblem(io.env) : null;
  if (sandboxProblem)
    warnings.push(
      `${sandboxed.map((a) => a.name).join(', ')}: sandbox = "bwrap", and no sandbox can be made here: ${sandboxProblem}; ao up refuses to start them`,
    );
  for (const warning of warnings) io.err(`warning: ${warning}\n`);
  const phases = project.phases.map((phase, index) => ({
    id: phase.id,
    index,
    plan: phase.plan,
    agents: project.agents.map((a) => ({
      name: a.name,
      kind: a.kind,
      backend: a.kind === 'service' ? null : a.backend,
      model: modelFor(project, a, phase),
      heal: a.heal,
      enabled: a.enabled,
      kickoff: a.kickoff,
    })),
  }));
  // the webhook by its host only: the path of a Slack or ntfy address is its secret
  const notify = project.notify
    ? {
        webhook: project.notify.webhook ? webhookLabel(project.notify.webhook) : null,
        command: project.notify.command?.[0] ?? null,
        events: project.notify.events,
        timeout_s: project.notify.timeoutS,
      }
    : null;
  // env values are the agent's secrets: that they are set, never what they are
  const launch = project.agents.map((a) => ({
    name: a.name,
    argv: launchLine(project, a, a.sandbox ? outerSandboxArgs(a, io.env).length > 0 : false),
    kickoff: a.kickoff,
    env: shownEnv(a.env),
    pass_env: a.passEnv ?? [],
    // what a start runs it in: bubblewrap's own command line, the agent's after `--`
    sandbox: a.sandbox ? sandboxLine(project, a, io.env) : null,
    outer_sandbox: a.sandbox ? outerSandboxArgs(a, io.env) : [],
  }));
  const gate = commitGateOf(project);
  const workspaces = {
    worktrees: worktreeAgents(project.agents).map((a) => ({ agent: a.name, path: relative(project.dir, a.worktree.path), branch: a.worktree.branch })),
    gate: gate ? { commits: true, builder: gate.builder, branch: gate.branch, target: gate.target } : { commits: false },
  };
  if (options.json) {
    io.out(
      `${jsonText({ ok: true, warnings, config: project.configFile, project: project.name, socket: project.tmuxSocket, session_prefix: project.sessionPrefix, state_dir: project.stateDir, phases, launch, notify, workspaces }, 2)}\n`,
    );
    return 0;
  }
  io.out(
    `${relative(io.cwd, project.configFile) || project.configFile}: ok (${project.agents.length} agents, ${project.phases.length} phases, socket ${project.tmuxSocket}, prefix ${project.sessionPrefix})\n`,
  );
  for (const phase of phases) {
    io.out(`\nphase ${phase.id} [${phase.index + 1}/${phases.length}] plan=${phase.plan}\n`);
    const rows = [['NAME', 'KIND', 'BACKEND', 'MODEL', 'HEAL', 'KICKOFF', 'ENABLED']];
    for (const a of phase.agents) rows.push([a.name, a.kind, a.backend ?? '-', a.model ?? '-', a.heal, a.kickoff, a.enabled ? 'yes' : 'no']);
    io.out(table(rows));
  }
  io.out(`\nhow each agent is started (phase ${project.phases[0]?.id ?? '-'}; \`ao up --dry-run\` shows the tmux commands):\n`);
  for (const l of launch) {
    io.out(`  ${l.name}: ${l.argv.map(shellQuote).join(' ')}${KICKOFF_NOTE[l.kickoff]}\n`);
    const env = [...Object.entries(l.env).map(([k, v]) => `${k}=${v}`), ...l.pass_env.map((name) => `${name} (passed)`)];
    if (env.length > 0) io.out(`    env: ${env.join(' ')}\n`);
    if (l.sandbox) io.out(`    sandbox: ${l.sandbox.map(shellQuote).join(' ')} …\n`);
    if (l.outer_sandbox.length > 0)
      io.out(
        `    its CLI's own sandbox cannot be made inside bubblewrap here: ao passes ${l.outer_sandbox.join(' ')}, and its bubblewrap sandbox confines it\n`,
      );
  }
  io.out(workspaceLines(project));
  io.out(
    project.notify
      ? `\nnotify (\`ao notify test\` sends one):\n${describeNotify(project.notify)
          .map((l) => `  ${l}\n`)
          .join('')}`
      : '\nnotify: off (no [notify] table)\n',
  );
  return 0;
}

/** Where the worktree agents work, and which gate the team has: explained before `ao up` touches the repository. */
function workspaceLines(project: Project): string {
  const agents = worktreeAgents(project.agents);
  if (agents.length === 0) return '';
  const gate = commitGateOf(project);
  return [
    '\nworkspaces (git worktrees of their own, made at the first start, kept until `ao workspaces remove`):',
    ...agents.map((a) => `  ${a.name}: ${relative(project.dir, a.worktree.path)} on branch ${a.worktree.branch}`),
    gate
      ? `gate: bound to commits: ${gate.builder} claims a commit on ${gate.branch}, the verdict names it, and a pass lands it on ${gate.target} (fast-forward only)`
      : 'gate: the classic lines (the builder works in the project folder)',
  ]
    .map((l) => `${l}\n`)
    .join('');
}

const KICKOFF_NOTE: Record<KickoffMode, string> = {
  arg: ' <kickoff>',
  stdin: ' < <kickoff>',
  paste: '   (the kickoff is pasted once its screen is steadily ready)',
  none: '',
};

/** The program and arguments ao runs for an agent (the model of the first phase), before the kickoff. */
function launchLine(project: Project, agent: AgentSpec, outerSandbox: boolean): string[] {
  if (agent.kind === 'service') return [agent.command ?? 'true', ...agent.args];
  const phase = project.phases[0] ?? null;
  const model = phase ? modelFor(project, agent, phase) : null;
  const fallbackModel = phase ? fallbackModelFor(project, agent, phase) : null;
  return getBackend(agent.backend).argv({ agent, outerSandbox, model, fallbackModel, kickoffFile: '<kickoff file>', kickoff: agent.kickoff, aoEntry: 'ao' });
}

/** A sandboxed agent's bubblewrap command line up to `--` (bubblewrap looked up as a start does; a start refuses where it is missing). */
function sandboxLine(project: Project, agent: AgentSpec, env: NodeJS.ProcessEnv): string[] {
  return bwrapArgv(project, agent, sandboxFacts(project, agent, env, findBwrap(env) ?? 'bwrap', aoEntry()), []);
}

/** What a sandboxed agent's command line gains where its CLI's own sandbox cannot be made inside ao's (Backend.outerSandbox). */
function outerSandboxArgs(agent: AgentSpec, env: NodeJS.ProcessEnv): string[] {
  const bwrap = findBwrap(env);
  if (agent.kind === 'service' || bwrap === null || nestedSandboxWorks(bwrap)) return [];
  return getBackend(agent.backend).outerSandbox?.(agent) ?? [];
}

/** What [notify] sends and where, for `ao check` and `ao notify`: a webhook shown by its host only (its path is a secret). */
function describeNotify(spec: NotifySpec): string[] {
  return [
    ...(spec.webhook ? [`webhook ${webhookLabel(spec.webhook)} (POST, JSON)`] : []),
    ...(spec.command ? [`command ${spec.command[0] ?? ''} (JSON on stdin)`] : []),
    `events: ${spec.events.join(', ')}`,
    `timeout ${spec.timeoutS} s; at most one per agent and event a minute, a summary of what the limits hold back`,
  ];
}
