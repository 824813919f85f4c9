/**
 * fleet.toml: many projects from one file. Each `[[projects]]` names a project
 * folder (relative to the fleet file, or absolute), optionally a name, whether
 * `ao fleet up` starts it, and the tmux socket and session prefix it runs on.
 * A project with `host` lives on another machine, reached through the user's
 * own OpenSSH as `[hosts.NAME]` says (src/fleet/ssh.ts); its path is a folder
 * there, so nothing about it is checked here but its spelling.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import * as z from 'zod/mini';
import { ConfigError, UsageError } from '../errors.js';
import { CONFIG_FILE, lexists } from './find.js';
import { readToml } from './toml.js';
import { errorAt, validateToml, type Shapes } from './validate-toml.js';

export const FLEET_FILE = 'fleet.toml';

const NAME = /^[A-Za-z0-9_.-]+$/;

export const fleetProjectSchema = z.strictObject({
  path: z.string().check(z.minLength(1)),
  name: z.optional(z.string().check(z.regex(NAME, 'letters, digits, ".", "_" and "-" only'))),
  enabled: z.optional(z.boolean()),
  tmux_socket: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, ".", "_" and "-" only'))),
  // not empty: a blank AO_SESSION_PREFIX means none, as a blank AO_TMUX_SOCKET does
  session_prefix: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "_" and "-" only, not empty'))),
  host: z.optional(z.string().check(z.minLength(1))),
});

const word = z.string().check(z.minLength(1));

export const fleetHostSchema = z.strictObject({
  // not an option: ssh would read "-oProxyCommand=..." as one
  destination: z.string().check(z.regex(/^[^-\s][^\s]*$/, 'an ssh destination (user@host or a Host alias), not starting with "-"')),
  ssh: z.optional(z.array(word).check(z.minLength(1, 'the ssh program and its options, e.g. ["ssh", "-p", "2222"]'))),
  ao: z.optional(word),
});

export const fleetSettingsSchema = z.strictObject({
  timeout_s: z.optional(z.number().check(z.positive(), z.lte(600))),
});

export const fleetSchema = z.strictObject({
  fleet: z.optional(fleetSettingsSchema),
  hosts: z.optional(z.record(z.string().check(z.regex(NAME, 'letters, digits, ".", "_" and "-" only')), fleetHostSchema)),
  projects: z.optional(z.array(fleetProjectSchema)),
});

const SHAPES: Shapes = [
  [/^$/, Object.keys(fleetSchema.shape)],
  [/^fleet$/, Object.keys(fleetSettingsSchema.shape)],
  [/^hosts\.[^.]+$/, Object.keys(fleetHostSchema.shape)],
  [/^projects\.\d+$/, Object.keys(fleetProjectSchema.shape)],
];

/** `[fleet] timeout_s`: the deadline of every remote call, in seconds. */
export const DEFAULT_TIMEOUT_S = 10;

/** Another machine, as `[hosts.NAME]` names it. */
export interface FleetHost {
  name: string;
  /** what ssh is given as its destination: user@host, a Host alias */
  destination: string;
  /** the ssh program and the user's options (default ["ssh"]) */
  ssh: string[];
  /** ao on that host (default: `ao` on its PATH) */
  ao: string;
}

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
  /** the machine it is on; null: this one */
  host: FleetHost | null;
}

export interface Fleet {
  file: string;
  dir: string;
  source: string;
  projects: FleetProject[];
  hosts: FleetHost[];
  /** the deadline of every remote call */
  timeoutMs: number;
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
  const hosts = new Map(
    Object.entries(raw.hosts ?? {}).map(([name, h]): [string, FleetHost] => [
      name,
      { name, destination: h.destination, ssh: h.ssh ?? ['ssh'], ao: h.ao ?? 'ao' },
    ]),
  );
  const projects = (raw.projects ?? []).map((p, index): FleetProject => {
    const at = (key: string): PropertyKey[] => ['projects', index, key];
    const host = p.host === undefined ? null : (hosts.get(p.host) ?? null);
    if (p.host !== undefined && !host)
      errors.push(errorAt(file, source, at('host'), `no [hosts.${p.host}] in this file${hosts.size > 0 ? ` (it has: ${[...hosts.keys()].join(', ')})` : ''}`));
    // a remote path is a folder on that host: absolute, as there is no fleet folder there to be relative to
    if (p.host !== undefined && !p.path.startsWith('/')) errors.push(errorAt(file, source, at('path'), `a project on host "${p.host}" needs an absolute path`));
    const projectDir = p.host === undefined ? resolve(dir, p.path) : p.path.replace(/(?<=.)\/+$/, '');
    const name = p.name ?? basename(projectDir);
    const problem = p.host === undefined ? notAProject(projectDir) : null;
    if (problem) errors.push(errorAt(file, source, at('path'), problem));
    const where = `${p.host ?? ''}\0${projectDir}`;
    const sameDir = dirs.get(where);
    if (sameDir !== undefined) errors.push(errorAt(file, source, at('path'), `${projectDir} is registered already (projects.${sameDir})`));
    const sameName = names.get(name);
    if (sameName !== undefined)
      errors.push(errorAt(file, source, at(p.name ? 'name' : 'path'), `a second project named "${name}" (projects.${sameName}); give one a name = "..."`));
    names.set(name, index);
    dirs.set(where, index);
    return {
      name,
      dir: projectDir,
      configFile: join(projectDir, CONFIG_FILE),
      enabled: p.enabled ?? true,
      tmuxSocket: p.tmux_socket ?? null,
      sessionPrefix: p.session_prefix ?? null,
      index,
      host,
    };
  });
  if (errors.length > 0) throw ConfigError.all(errors);
  return { file, dir, source, projects, hosts: [...hosts.values()], timeoutMs: (raw.fleet?.timeout_s ?? DEFAULT_TIMEOUT_S) * 1000 };
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
  return { ...rest, ...fleetOverrides(project) };
}

/** A project's overrides as environment variables: what a remote ao is given too. */
export const fleetOverrides = (project: FleetProject): Record<string, string> => ({
  ...(project.tmuxSocket ? { AO_TMUX_SOCKET: project.tmuxSocket } : {}),
  ...(project.sessionPrefix ? { AO_SESSION_PREFIX: project.sessionPrefix } : {}),
});

/** Where a project's sessions live: the socket and the prefix of their names. */
export interface Namespace {
  name: string;
  /** the host it is on; absent or null: this machine (sockets of two machines never meet) */
  host?: string | null;
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
    const key = `${space.host ?? ''}\0${space.socket}\0${space.prefix}`;
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
