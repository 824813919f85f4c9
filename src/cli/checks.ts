/**
 * What `ao check` can know beyond the schema: what `ao up` would refuse
 * (errors, exit 2) and what is valid but almost certainly not meant (warnings).
 */
import { readProjectText } from '../state/safe-fs.js';
import { getBackend } from '../backends/index.js';
import { ConfigError } from '../errors.js';
import { signalFile } from '../state/signals.js';
import { modelFor } from '../config/resolve.js';
import type { AgentSpec, Project } from '../config/types.js';
import { conversationOf } from '../supervisor/launch.js';
import { writesReview } from '../sandbox/bwrap.js';

/**
 * Every command line ao may build for an agent, as a start builds it: each
 * phase's model, and a new and a continued conversation where it keeps one
 * (with the signal file, so a Claude agent's own --settings is read and folded
 * as at a start). Throws what the backend refuses.
 */
export function launchArgvs(project: Project, agent: AgentSpec): string[][] {
  if (agent.kind === 'service') return [[agent.command ?? 'true', ...agent.args]];
  const conversations = conversationOf(agent, null) ? [conversationOf(agent, null), conversationOf(agent, 'a-kept-conversation')] : [null];
  const argvs = new Map<string, string[]>();
  for (const phase of project.phases) {
    for (const conversation of conversations) {
      const argv = getBackend(agent.backend).argv({
        agent,
        model: modelFor(project, agent, phase),
        kickoffFile: 'kickoff.md',
        kickoff: agent.kickoff,
        aoEntry: 'ao',
        conversation,
        signalFile: signalFile(project.stateDir, agent.name),
      });
      argvs.set(JSON.stringify(argv), argv);
    }
  }
  return [...argvs.values()];
}

/** Every agent's command line as `ao up` builds it, in every phase: a backend that refuses it is a config error. */
export function launchProblems(project: Project): ConfigError[] {
  const problems = new Map<string, ConfigError>();
  for (const agent of project.agents) {
    if (agent.kind === 'service') continue;
    try {
      launchArgvs(project, agent);
    } catch (error) {
      const message = `agents.${agent.name}: ao up would refuse it: ${(error as Error).message}`;
      problems.set(message, new ConfigError(project.configFile, message));
    }
  }
  return [...problems.values()];
}

/** Edit distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next.push(Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    row = next;
  }
  return row[b.length]!;
}

function readPrompt(file: string | null): string {
  if (!file) return '';
  try {
    return readProjectText(file);
  } catch {
    return '';
  }
}

/** Valid, but almost surely a mistake. */
export function configWarnings(project: Project): string[] {
  const warnings: string[] = [];
  const aliases = Object.keys(project.models);
  const nearAlias = (where: string, model: string | null): void => {
    if (model === null || aliases.includes(model)) return;
    const near = aliases.find((alias) => editDistance(model, alias) === 1);
    if (near) warnings.push(`${where} = "${model}" is not an alias of [models]; did you mean "${near}"? As written it goes to the CLI as a model id`);
  };
  nearAlias('defaults.model', project.defaultModel);
  for (const agent of project.agents) nearAlias(`agents.${agent.name}.model`, agent.model);
  for (const phase of project.phases) for (const [role, model] of Object.entries(phase.models)) nearAlias(`phase "${phase.id}" models.${role}`, model);

  // what each backend knows of its own CLI's flags
  for (const agent of project.agents) if (agent.enabled) warnings.push(...(getBackend(agent.backend).checks?.(agent) ?? []));

  // the gate passes only on a verdict: some enabled agent must write one (docs/PROTOCOL.md)
  const loops = project.agents.filter((a) => a.enabled && a.kind === 'loop');
  const writesVerdicts = project.agents.some(
    (a) => a.enabled && a.kind !== 'service' && (a.name === 'adversary' || (a.backend !== 'demo' && /VERDICT/i.test(readPrompt(a.prompt)))),
  );
  if (loops.length > 0 && !writesVerdicts) {
    warnings.push(
      `the loops (${loops.map((a) => a.name).join(', ')}) can never pass the gate: no enabled agent writes verdicts (an agent named "adversary", or one whose role prompt asks for "VERDICT: PASS <phase>"), so the team stays in phase "${project.phases[0]?.id ?? '?'}" for ever`,
    );
  }

  // a sandbox lets an agent write only its own coordination files (src/sandbox/bwrap.ts)
  for (const agent of project.agents) {
    if (!agent.enabled || !agent.sandbox || agent.kind === 'service' || writesReview(agent) || !/VERDICT/i.test(readPrompt(agent.prompt))) continue;
    warnings.push(
      `agents.${agent.name}: its role prompt asks for verdicts, but in its sandbox only the agent named "adversary" can write the review (REVIEW-*.md): its verdicts would be refused`,
    );
  }

  // Codex, opencode, aider: no resume by an id ao can know (docs/CLI-VERSIONS.md)
  for (const agent of project.agents) {
    if (agent.resume !== true || agent.kind === 'service' || getBackend(agent.backend).conversations !== undefined) continue;
    warnings.push(
      `agents.${agent.name}.resume = true: the ${agent.backend} backend cannot continue a conversation (docs/CLI-VERSIONS.md says why), so every start begins a new one`,
    );
  }
  return warnings;
}
