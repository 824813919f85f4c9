/**
 * Valid, fully typed values for unit tests, as changesets' test-utils: each
 * builder takes only what a test means to vary, so a test reads as the fields
 * it is about and a new field of AgentSpec, Project or AgentRecord is added in
 * one place.
 */
import { DEFAULT_WATCHDOG, type AgentSpec, type PhaseSpec, type Project } from '../../src/config/types.js';
import { emptyRecord, type AgentRecord } from '../../src/state/agents.js';
import type { DesiredAgent } from '../../src/supervisor/reconcile.js';

/** An enabled demo loop in /p that heals and is checked for stalls; its session is `p-<name>` unless `over` names one. */
export function agentSpec(over: Partial<AgentSpec> = {}): AgentSpec {
  const name = over.name ?? 'builder';
  return {
    name,
    session: `p-${name}`,
    kind: 'loop',
    backend: 'demo',
    model: null,
    heal: 'heal+stall',
    enabled: true,
    prompt: null,
    command: null,
    args: [],
    env: {},
    cwd: '/p',
    stallMinutes: 10,
    kickoff: 'none',
    readyPattern: null,
    notify: false,
    paceS: null,
    onPhaseAdvance: false,
    ...over,
  };
}

/** A phase whose plan is `/p/phases/<id>.md`. */
export function phaseSpec(id: string, models: Record<string, string> = {}): PhaseSpec {
  return { id, plan: `${id}.md`, planPath: `/p/phases/${id}.md`, models };
}

/** Project `p` in /p (state in /p/state, sessions `p-…`, socket `s`) with no agents, phases `one` and `two`, and the default watchdog. */
export function projectOf(over: Partial<Project> = {}): Project {
  return {
    name: 'p',
    dir: '/p',
    configFile: '/p/agents.toml',
    stateDir: '/p/state',
    sessionPrefix: 'p-',
    tmuxSocket: 's',
    defaultModel: null,
    models: {},
    agents: [],
    phases: [phaseSpec('one'), phaseSpec('two')],
    kickoffTemplate: '',
    kickoffTemplatePath: '/p/prompts/kickoff.md',
    watchdog: { ...DEFAULT_WATCHDOG },
    ...over,
  };
}

/** An agent's record in agents.json: never started (emptyRecord) but for `over`. */
export function record(over: Partial<AgentRecord> = {}): AgentRecord {
  return { ...emptyRecord(), ...over };
}

/** What the reconciler wants of an agent: a persistent one `a`, brought up, healed, checked for stalls after 10 minutes, on no model of its own, in generation 0 with launch key `k`, but for `over`. */
export function desiredAgent(over: Partial<DesiredAgent> = {}): DesiredAgent {
  return { name: 'a', kind: 'persistent', heal: 'heal', up: true, stallMs: 10 * 60_000, model: null, generation: 0, launchKey: 'k', ...over };
}
