/**
 * fleet.toml: many projects from one file. Each `[[projects]]` names a project
 * folder (relative to the fleet file, or absolute), optionally a name, whether
 * `ao fleet up` starts it, and the tmux socket and session prefix it runs on.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import * as z from 'zod/mini';
import { ConfigError, UsageError } from '../errors.js';
import { CONFIG_FILE, lexists } from './find.js';
import { readToml } from './toml.js';
import { errorAt, validateToml, type Shapes } from './validate.js';

export const FLEET_FILE = 'fleet.toml';

const NAME = /^[A-Za-z0-9_.-]+$/;

export const fleetProjectSchema = z.strictObject({
  path: z.string().check(z.minLength(1)),
  name: z.optional(z.string().check(z.regex(NAME, 'letters, digits, ".", "_" and "-" only'))),
  enabled: z.optional(z.boolean()),
  tmux_socket: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, ".", "_" and "-" only'))),
  // not empty: a blank AO_SESSION_PREFIX means none, as a blank AO_TMUX_SOCKET does
  session_prefix: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "_" and "-" only, not empty'))),
});

export const fleetSchema = z.strictObject({
  projects: z.optional(z.array(fleetProjectSchema)),
});

const SHAPES: Shapes = [
  [/^$/, Object.keys(fleetSchema.shape)],
  [/^projects\.\d+$/, Object.keys(fleetProjectSchema.shape)],
];

export interface FleetProject {
  name: string;
  /** the project folder, absolute */
  dir: string;
  /** its agents.toml */
  configFile: string;
  enabled: boolean;
  /** overrides of the project's own socket and prefix, or null */
  tmuxSocket: string | null;
  sessionPrefix: string | null;
  /** its index in the file's [[projects]], for errors at its keys */
  index: number;
}

export interface Fleet {
  file: string;
  dir: string;
  source: string;
  projects: FleetProject[];
}

/** `-f FILE`, else AO_FLEET, else the nearest fleet.toml walking up from cwd. */
export function findFleet({ file, cwd, env }: { file?: string | undefined; cwd: string; env: NodeJS.ProcessEnv }): string {
  const given = file ?? env.AO_FLEET;
  if (given) {
    const path = resolve(cwd, given);
    if (!lexists(path)) throw new UsageError(`fleet file not found: ${path}${file ? '' : ' (from AO_FLEET)'}`);
    return path;
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (lexists(join(dir, FLEET_FILE))) return join(dir, FLEET_FILE);
    if (dirname(dir) === dir) break;
  }
  throw new UsageError(`no ${FLEET_FILE} found in ${resolve(cwd)} or any folder above it (pass -f FILE, or set AO_FLEET)`);
}

/** Reads and validates a fleet file: its schema, then that every path is a project and no name or folder comes twice. */
export function loadFleet(file: string): Fleet {
  const { source, data } = readToml(file);
  return parseFleet(validateToml(fleetSchema, SHAPES, data, file, source), file, source);
}

function parseFleet(raw: z.infer<typeof fleetSchema>, file: string, source: string): Fleet {
  const dir = dirname(file);
  const errors: ConfigError[] = [];
  const names = new Map<string, number>();
  const dirs = new Map<string, number>();
  const projects = (raw.projects ?? []).map((p, index): FleetProject => {
    const at = (key: string): PropertyKey[] => ['projects', index, key];
    const projectDir = resolve(dir, p.path);
    const name = p.name ?? basename(projectDir);
    const problem = notAProject(projectDir);
    if (problem) errors.push(errorAt(file, source, at('path'), problem));
    const sameDir = dirs.get(projectDir);
    if (sameDir !== undefined) errors.push(errorAt(file, source, at('path'), `${projectDir} is registered already (projects.${sameDir})`));
    const sameName = names.get(name);
    if (sameName !== undefined)
      errors.push(errorAt(file, source, at(p.name ? 'name' : 'path'), `a second project named "${name}" (projects.${sameName}); give one a name = "..."`));
    names.set(name, index);
    dirs.set(projectDir, index);
    return {
      name,
      dir: projectDir,
      configFile: join(projectDir, CONFIG_FILE),
      enabled: p.enabled ?? true,
      tmuxSocket: p.tmux_socket ?? null,
      sessionPrefix: p.session_prefix ?? null,
      index,
    };
  });
  if (errors.length > 0) throw ConfigError.all(errors);
  return { file, dir, source, projects };
}

/** Why a folder is not a project (null: it is one). */
export function notAProject(dir: string): string | null {
  if (!existsSync(dir)) return `folder not found: ${dir}`;
  if (!statSync(dir).isDirectory()) return `not a folder: ${dir}`;
  if (!lexists(join(dir, CONFIG_FILE))) return `${dir} is not an ao project (no ${CONFIG_FILE}; \`ao init\` makes one)`;
  return null;
}

/**
 * The environment a fleet project's commands run with: its overrides as
 * AO_TMUX_SOCKET and AO_SESSION_PREFIX (over agents.toml's), and no
 * inherited prefix or config file that would put every project in one place.
 */
export function fleetEnv(project: FleetProject, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { AO_SESSION_PREFIX: _prefix, AO_CONFIG: _config, ...rest } = env;
  return {
    ...rest,
    ...(project.tmuxSocket ? { AO_TMUX_SOCKET: project.tmuxSocket } : {}),
    ...(project.sessionPrefix ? { AO_SESSION_PREFIX: project.sessionPrefix } : {}),
  };
}

/** Where a project's sessions live: the socket and the prefix of their names. */
export interface Namespace {
  name: string;
  index: number;
  socket: string;
  prefix: string;
}

/**
 * Pure: the projects that would share a tmux socket and session prefix, and
 * so each other's session names (the identity ao keeps per project). Each
 * error is at the later project of a pair and names both.
 */
export function namespaceClashes(fleet: Fleet, spaces: readonly Namespace[]): ConfigError[] {
  const seen = new Map<string, Namespace>();
  const errors: ConfigError[] = [];
  for (const space of spaces) {
    const key = `${space.socket}\0${space.prefix}`;
    const first = seen.get(key);
    if (!first) {
      seen.set(key, space);
      continue;
    }
    errors.push(
      errorAt(
        fleet.file,
        fleet.source,
        ['projects', space.index],
        `projects "${first.name}" and "${space.name}" would share tmux socket "${space.socket}" and session prefix "${space.prefix}", and so each other's sessions: give one its own tmux_socket or session_prefix`,
      ),
    );
  }
  return errors;
}
