/**
 * The JSON Schema of agents.toml, for editors (taplo reads a `#:schema` line):
 * generated from the zod schema that validates the file, so the two cannot
 * disagree, with each key's description and default taken from the README's
 * reference tables, so the editor says what the README says.
 */
import * as z from 'zod/mini';
import { configSchema } from './schema.js';

type JsonObject = { [key: string]: unknown };

/** One documented key: its default (when the table has that column) and its meaning. */
export interface KeyDoc {
  default?: string;
  meaning: string;
}

/** The README's reference: table heading (`[defaults]`, `[agents.NAME]`, `[[phases]]` …) -> key -> its doc. */
export function readmeReference(readme: string): Map<string, Map<string, KeyDoc>> {
  const tables = new Map<string, Map<string, KeyDoc>>();
  let keys: Map<string, KeyDoc> | undefined;
  let withDefault = false;
  for (const line of readme.split('\n')) {
    const heading = /^### `(\[\[?[\w.]+\]\]?)`/.exec(line);
    if (heading?.[1]) {
      keys = new Map();
      tables.set(heading[1], keys);
      continue;
    }
    if (line.startsWith('## ')) keys = undefined;
    if (!keys || !line.startsWith('|')) continue;
    const cells = splitRow(line);
    if (cells[0] === 'key') withDefault = cells[1] === 'default';
    const key = /^`(\w+)`$/.exec(cells[0] ?? '')?.[1];
    if (!key) continue;
    const [fallback, meaning] = withDefault ? [cells[1], cells[2]] : [undefined, cells[1]];
    keys.set(key, { ...(fallback ? { default: plain(fallback) } : {}), meaning: plain(meaning ?? '') });
  }
  return tables;
}

/** A markdown table row's cells (`\|` is a pipe inside a cell). */
function splitRow(line: string): string[] {
  return line
    .replace(/^\|/, '')
    .replace(/\|\s*$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replace(/\\\|/g, '|'));
}

/** Markdown's code marks dropped: an editor's hover shows plain text. */
const plain = (text: string): string => text.replace(/`/g, '');

/** Where each README table's keys sit in the generated schema. */
function tableNode(schema: JsonObject, heading: string): JsonObject | undefined {
  const properties = schema.properties as Record<string, JsonObject>;
  const array = /^\[\[(\w+)\]\]$/.exec(heading)?.[1];
  if (array) return properties[array]?.items as JsonObject | undefined;
  const record = /^\[(\w+)\.NAME\]$/.exec(heading)?.[1];
  if (record) return properties[record]?.additionalProperties as JsonObject | undefined;
  const table = /^\[(\w+)\]$/.exec(heading)?.[1];
  return table ? properties[table] : undefined;
}

const TOP_LEVEL: Record<string, string> = {
  defaults: 'defaults for every agent and the project: backend, model, session prefix, state folder, tmux socket',
  models: 'model aliases: opus = "claude-opus-4-8"; a phase or agent may name an alias or a full model id; [models.prices] prices models per million tokens',
  agents: 'the team: one [agents.NAME] table per agent (NAME: letters, digits, "_" and "-"; "watchdog" is reserved)',
  phases: 'the phases, in order: each an id, a plan under phases/, optional per-phase model overrides and budgets',
  watchdog: 'how the watchdog heals: backoff, crash and restart limits, stall checks, log size, provider-trouble probes',
  notify: 'tell a person when something needs them: a webhook POST and/or a command, for the events named',
  workspaces: 'the git worktrees of agents with workspace = "worktree": the base branch their branches start from',
  web: 'ao web kept running by the watchdog for the project, as a service agent named web, where listen says',
};

export interface GeneratedSchema {
  schema: JsonObject;
  /** keys of the schema that the README documents nowhere (`[agents.NAME].foo`) */
  undocumented: string[];
  /** keys the README documents that the schema does not have */
  unknown: string[];
}

/** The JSON Schema of agents.toml, described from the README's reference. */
export function agentsJsonSchema(readme: string): GeneratedSchema {
  const schema = z.toJSONSchema(configSchema, { target: 'draft-7', io: 'input' }) as JsonObject;
  const reference = readmeReference(readme);
  const undocumented: string[] = [];
  const unknown: string[] = [];
  const top = schema.properties as Record<string, JsonObject>;
  for (const [key, node] of Object.entries(top)) {
    const about = TOP_LEVEL[key];
    if (about) node.description = about;
    else undocumented.push(key);
  }
  const tables = new Set<string>();
  for (const [heading, keys] of reference) {
    const node = tableNode(schema, heading);
    if (!node?.properties) continue;
    tables.add(heading);
    const properties = node.properties as Record<string, JsonObject>;
    for (const [key, doc] of keys) {
      const property = properties[key];
      if (!property) {
        unknown.push(`${heading}.${key}`);
        continue;
      }
      property.description = doc.default && doc.default !== 'required' && doc.default !== 'none' ? `${doc.meaning} (default: ${doc.default})` : doc.meaning;
    }
    for (const key of Object.keys(properties)) if (!keys.has(key)) undocumented.push(`${heading}.${key}`);
  }
  for (const key of Object.keys(top)) {
    const node = top[key];
    // a table of keys (not a plain record of strings, as [models]) must have its README table
    const keysOf =
      node?.properties ?? (node?.items as JsonObject | undefined)?.properties ?? (node?.additionalProperties as JsonObject | undefined)?.properties;
    if (keysOf !== undefined && ![`[${key}]`, `[[${key}]]`, `[${key}.NAME]`].some((h) => tables.has(h))) undocumented.push(`[${key}]`);
  }
  return {
    schema: {
      $schema: schema.$schema,
      title: 'agents.toml',
      description: "ao's project file: roles, phases, per-phase model overrides, defaults (README: agents.toml reference)",
      ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
    },
    undocumented,
    unknown,
  };
}
