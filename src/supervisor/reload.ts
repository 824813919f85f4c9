/**
 * Live edits of agents.toml while the team runs: a valid change is applied,
 * an invalid one keeps the last good config and is reported.
 */
import { rmSync, statSync } from 'node:fs';
import { rememberProject } from '../config/cache.js';
import { readProject } from '../config/load.js';
import type { Project } from '../config/types.js';
import { ConfigError } from '../errors.js';
import { emptyRecord, type AgentsState } from '../state/agents.js';
import { writeJsonAtomic } from '../state/files.js';
import { readConfigError, writeRunningProject } from '../state/running.js';
import { layout } from '../state/layout.js';
import type { AoEvent } from '../state/event-catalogue.js';

export type ReloadOutcome =
  { ok: true; project: Project; added: string[]; removed: string[]; events: AoEvent[] } | { ok: false; error: string; repeated: boolean };

/**
 * Loads agents.toml again. On success returns the new project and marks
 * added agents to start (if the team is up) and removed ones to stop (the
 * caller kills their sessions); on failure records the error once.
 */
export async function reloadConfig(current: Project, state: AgentsState, env: NodeJS.ProcessEnv): Promise<ReloadOutcome> {
  let next: Project;
  try {
    const loaded = readProject(current.configFile, env);
    next = loaded.project;
    // what agents.toml says now, before the namespace below is kept: what `ao status` would load
    await rememberProject(loaded).catch(() => {});
  } catch (error) {
    const message = error instanceof ConfigError ? error.format(current.dir) : (error as Error).message;
    const previous = readConfigError(current.stateDir);
    if (previous?.message !== message) await writeJsonAtomic(layout.configError(current.stateDir), { at: new Date().toISOString(), message });
    return { ok: false, error: message, repeated: previous?.message === message };
  }
  // the namespace cannot move under running agents: keep socket, prefix and state folder
  const kept = { tmuxSocket: current.tmuxSocket, sessionPrefix: current.sessionPrefix, stateDir: current.stateDir };
  const events: AoEvent[] = [];
  for (const [key, value] of Object.entries(kept)) {
    if (next[key as keyof typeof kept] !== value)
      events.push({ agent: 'config', event: 'config-warning', reason: `${key} changed in agents.toml; it applies after \`ao down\` and \`ao up\`` });
  }
  next = { ...next, ...kept, agents: next.agents.map((a) => ({ ...a, session: `${kept.sessionPrefix}${a.name}` })) };

  const before = new Set(current.agents.map((a) => a.name));
  const after = new Set(next.agents.map((a) => a.name));
  const added = [...after].filter((n) => !before.has(n));
  const removed = [...before].filter((n) => !after.has(n));
  const teamUp = Object.values(state.agents).some((r) => r.up);
  for (const name of added) {
    const agent = next.agents.find((a) => a.name === name)!;
    if (teamUp && agent.enabled && agent.kind !== 'task') {
      state.agents[name] = { ...emptyRecord(), up: true };
      events.push({ agent: name, event: 'agent-added', reason: 'new in agents.toml: starting it' });
    } else events.push({ agent: name, event: 'agent-added', reason: 'new in agents.toml' });
  }
  for (const name of removed) {
    const record = state.agents[name];
    if (record) record.up = false;
    events.push({ agent: name, event: 'agent-removed', reason: 'gone from agents.toml: stopping it' });
  }
  rmSync(layout.configError(current.stateDir), { force: true });
  await writeRunningProject(next);
  return { ok: true, project: next, added, removed, events };
}

/**
 * Whether agents.toml is due to be loaded again: the file watcher says so
 * (the fast path), or its modification time moved since the last look (an
 * edit the watcher missed).
 */
export class ConfigChanges {
  private dirty = false;
  private mtime: number | null;

  /** `configFile` as loaded just now: an edit from here on is a change, even one made before the first sweep */
  constructor(configFile: string) {
    this.mtime = mtimeOf(configFile);
  }

  /** The file watcher saw agents.toml change. */
  changed(): void {
    this.dirty = true;
  }

  /** Whether to reload now; true once per change. */
  due(configFile: string): boolean {
    const mtime = mtimeOf(configFile);
    if (mtime !== this.mtime) {
      this.dirty = true;
      this.mtime = mtime;
    }
    const due = this.dirty;
    this.dirty = false;
    return due;
  }
}

/** The events of a reload that worked, the last one saying what changed. */
export function reloadedEvents(outcome: Extract<ReloadOutcome, { ok: true }>): AoEvent[] {
  return [...outcome.events, { agent: 'config', event: 'config-reloaded', reason: `${outcome.added.length} added, ${outcome.removed.length} removed` }];
}

function mtimeOf(file: string): number | null {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
}
