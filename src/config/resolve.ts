import { renderKickoff, type KickoffVars } from './kickoff.js';
import type { AgentSpec, PhaseSpec, Project } from './types.js';
import { layout } from '../state/layout.js';
import { readProjectText } from '../state/safe-fs.js';

export interface ModelSources {
  /** `[models]`: alias -> model id */
  aliases: Record<string, string>;
  /** `defaults.model` */
  defaultModel: string | null;
}

/**
 * The model of a role: the phase's override, else the agent's model, else the
 * default; an alias from `[models]` is replaced by what it names.
 */
export function resolveModel(sources: ModelSources, phaseModels: Record<string, string> | undefined, role: string, agentModel: string | null): string | null {
  const override = phaseModels && Object.hasOwn(phaseModels, role) ? phaseModels[role] : undefined;
  const chosen = override ?? agentModel ?? sources.defaultModel;
  if (chosen === null || chosen === undefined) return null;
  return Object.hasOwn(sources.aliases, chosen) ? (sources.aliases[chosen] ?? chosen) : chosen;
}

/**
 * The fallback model of a role: the phase's `models_fallback` for it, else the
 * agent's `fallback_model`; an alias from `[models]` is replaced by what it
 * names. Null when it has none, or when it names the model it would replace.
 */
export function resolveFallbackModel(
  sources: ModelSources,
  phaseFallbacks: Record<string, string> | undefined,
  role: string,
  agentFallback: string | null,
  own: string | null,
): string | null {
  const chosen = (phaseFallbacks && Object.hasOwn(phaseFallbacks, role) ? phaseFallbacks[role] : undefined) ?? agentFallback;
  if (chosen === null || chosen === undefined) return null;
  const id = Object.hasOwn(sources.aliases, chosen) ? (sources.aliases[chosen] ?? chosen) : chosen;
  return id === own ? null : id;
}

/** The model an agent moves to while its own is overloaded, in a phase (null: none). */
export function fallbackModelFor(project: Project, agent: AgentSpec, phase: PhaseSpec | null): string | null {
  if (agent.kind === 'service') return null;
  const sources = { aliases: project.models, defaultModel: project.defaultModel };
  return resolveFallbackModel(sources, phase?.modelsFallback, agent.name, agent.fallbackModel ?? null, modelFor(project, agent, phase));
}

/** The model an agent runs with in a phase (null phase: before any phase, or none given). */
export function modelFor(project: Project, agent: AgentSpec, phase: PhaseSpec | null): string | null {
  if (agent.kind === 'service') return null;
  return resolveModel({ aliases: project.models, defaultModel: project.defaultModel }, phase?.models, agent.name, agent.model);
}

/** Where the coordination files of a phase live (DESIGN §6). */
export function coordPaths(project: Project, phaseId: string, agentName: string): { journal: string; review: string; inbox: string } {
  return {
    journal: layout.journal(project.stateDir, phaseId),
    review: layout.review(project.stateDir, phaseId),
    inbox: layout.inbox(project.stateDir, agentName),
  };
}

export interface PhaseView {
  phase: PhaseSpec;
  index: number;
  status: string;
  /** a commit-bound gate: the full SHA the open claim names (absent or null: no claim open) */
  claimSha?: string | null;
}

export function kickoffVars(project: Project, agent: AgentSpec, view: PhaseView): KickoffVars {
  const paths = coordPaths(project, view.phase.id, agent.name);
  return {
    project: project.name,
    agent: agent.name,
    role: agent.name,
    model: modelFor(project, agent, view.phase) ?? '',
    role_prompt: agent.prompt ? readProjectText(agent.prompt).trimEnd() : '',
    phase_id: view.phase.id,
    phase_index: String(view.index + 1),
    phase_count: String(project.phases.length),
    plan: view.phase.plan,
    plan_path: view.phase.planPath,
    status: view.status,
    journal: paths.journal,
    review: paths.review,
    inbox: paths.inbox,
    state_dir: project.stateDir,
    claim_sha: view.claimSha ?? '',
  };
}

/** The kickoff of one start, from the template as it is on disk now (an edit reaches the next start). */
export function buildKickoff(project: Project, agent: AgentSpec, view: PhaseView): string {
  let template = project.kickoffTemplate;
  try {
    template = readProjectText(project.kickoffTemplatePath);
  } catch {
    // gone or unreadable meanwhile: the copy validated at load
  }
  return renderKickoff(template, kickoffVars(project, agent, view));
}
