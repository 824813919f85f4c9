/**
 * The kickoff template: `{name}` placeholders, `{{` and `}}` for literal braces.
 * Unknown placeholders are config errors, found before anything starts.
 */

export const KICKOFF_PLACEHOLDERS = {
  project: 'the project name',
  agent: "the agent's name",
  role: "the agent's role (its name)",
  model: 'the model in force for this agent and phase',
  role_prompt: "the text of the agent's role prompt (prompts/<role>.md)",
  phase_id: 'the current phase id',
  phase_index: 'the current phase number, from 1',
  phase_count: 'the number of phases',
  plan: "the current phase's plan file name",
  plan_path: "the absolute path of the current phase's plan",
  status: 'the phase status (in progress, not converging, complete)',
  journal: "the absolute path of the phase's journal (JOURNAL-<phase>.md)",
  review: "the absolute path of the phase's review (REVIEW-<phase>.md)",
  inbox: "the absolute path of the agent's inbox",
  state_dir: 'the absolute path of the state folder',
  claim_sha: 'the full SHA of the commit the open claim names, where the builder works in a worktree (empty when no claim is open): the commit to review',
} as const;

export type KickoffVars = Record<keyof typeof KICKOFF_PLACEHOLDERS, string>;

const TOKEN = /\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface UnknownPlaceholder {
  name: string;
  line: number;
  column: number;
}

export function findUnknownPlaceholders(template: string): UnknownPlaceholder[] {
  const unknown: UnknownPlaceholder[] = [];
  const lines = template.split('\n');
  lines.forEach((text, i) => {
    for (const match of text.matchAll(TOKEN)) {
      const name = match[1];
      if (name !== undefined && !Object.hasOwn(KICKOFF_PLACEHOLDERS, name)) {
        unknown.push({ name, line: i + 1, column: (match.index ?? 0) + 1 });
      }
    }
  });
  return unknown;
}

export function renderKickoff(template: string, vars: KickoffVars): string {
  return template.replace(TOKEN, (token, name: string | undefined) => {
    if (token === '{{') return '{';
    if (token === '}}') return '}';
    return name !== undefined && Object.hasOwn(vars, name) ? vars[name as keyof KickoffVars] : token;
  });
}
