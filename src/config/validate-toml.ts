/**
 * Any ao TOML file (agents.toml, fleet.toml) against its schema: every problem a
 * ConfigError that names the key path, its line and column. Apart from agents.toml's
 * own schema (validate.ts), so that a command that reads only fleet.toml (`ao fleet
 * status`, dist/fleet.cjs) does not build that schema at its start.
 */
import type { z } from 'zod';
import type { ZodMiniType } from 'zod/mini';
import { ConfigError } from '../errors.js';
import { capText, NAME_MAX, safeName } from '../text/safe.js';
import { excerpt, EXCERPT_WIDTH, locateKey } from './locate.js';

type Issue = z.core.$ZodIssue;

/** how much of an unknown key its error quotes */
const UNKNOWN_KEY_MAX = 40;

/** For an unknown key: the keys its table may hold, by the table's path. */
export type Shapes = Array<[RegExp, string[]]>;

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a table';
  if (typeof value === 'string') return JSON.stringify(capText(value, EXCERPT_WIDTH));
  return String(value);
}

const TYPE_NAMES: Record<string, string> = {
  int: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'an array',
  record: 'a table',
  object: 'a table',
};

/** Messages for the few places where the key alone does not say enough. */
function special(issue: Issue): string | null {
  const path = issue.path.join('.');
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    if (path === 'phases') return 'no [[phases]]: add at least one [[phases]] table with an id and a plan';
    if (path === 'agents') return 'the team has no agents: add an [agents.NAME] table';
  }
  if (issue.code === 'invalid_type' && path === 'phases') return `expected an array of tables, got ${describe(issue.input)} (write [[phases]], once per phase)`;
  return null;
}

function message(issue: Issue, shapes: Shapes): string {
  const custom = special(issue);
  if (custom) return custom;
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? `required key "${String(issue.path.at(-1))}" is missing (expected ${TYPE_NAMES[issue.expected] ?? issue.expected})`
        : `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}, got ${describe(issue.input)}`;
    case 'invalid_value':
      return issue.input === undefined
        ? `required key "${String(issue.path.at(-1))}" is missing (one of ${issue.values.map(String).join(', ')})`
        : `expected one of ${issue.values.map(String).join(', ')}, got ${describe(issue.input)}`;
    case 'unrecognized_keys': {
      const where = issue.path.join('.');
      const known = shapes.find(([re]) => re.test(where))?.[1];
      // a key longer than any known one is no typo of one: a short head of it says which, and leaves room for the list
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${capText(safeName(k), UNKNOWN_KEY_MAX)}"`).join(', ')}${known ? ` (known keys: ${known.join(', ')})` : ''}`;
    }
    case 'too_small':
      if (issue.origin === 'number') return `expected a number ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}, got ${describe(issue.input)}`;
      if (issue.origin === 'string') return 'must not be empty';
      return issue.message;
    case 'invalid_format':
      return `${issue.message}, got ${describe(issue.input)}`;
    case 'invalid_key': {
      const name = safeName(String(issue.path.at(-1)));
      return `name "${name}" may hold ${issue.issues[0]?.message ?? 'other characters only'}`;
    }
    default:
      return issue.message;
  }
}

function issuePath(issue: Issue): PropertyKey[] {
  // an unknown key is best located at the key itself
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) return [...issue.path, issue.keys[0] as string];
  if (issue.code === 'invalid_key') return [...issue.path];
  return [...issue.path];
}

/** A key path as TOML would write it: `agents."a.b".heal`, each key capped at NAME_MAX. */
export function keyPath(path: readonly PropertyKey[]): string {
  return path
    .map((k) => (typeof k === 'number' || /^[A-Za-z0-9_-]+$/.test(String(k)) ? capText(String(k), NAME_MAX) : JSON.stringify(safeName(String(k)))))
    .join('.');
}

/** Any ao TOML file (agents.toml, fleet.toml) against its schema, with the same errors. */
export function validateToml<T>(schema: ZodMiniType<T>, known: Shapes, data: unknown, file: string, source: string): T {
  const result = schema.safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => {
    const path = issuePath(issue);
    const key = keyPath(issue.path);
    const loc = locateKey(source, path);
    return new ConfigError(
      file,
      `${key || '(top level)'}: ${message(issue, known)}`,
      loc?.line,
      loc?.column,
      loc ? excerpt(source, loc.line, loc.column) : undefined,
    );
  });
  throw ConfigError.all(errors);
}

/** A `file:line:col` error at a key path of a TOML source. */
export function errorAt(file: string, source: string, path: readonly PropertyKey[], text: string, find?: string): ConfigError {
  const loc = locateKey(source, path);
  // an element of an array (`find`): the column of the element on the key's line
  const at = loc && find !== undefined ? (source.split(/\r?\n/)[loc.line - 1] ?? '').indexOf(find, loc.column) : -1;
  const column = at >= 0 ? at + 1 : loc?.column;
  return new ConfigError(file, `${keyPath(path)}: ${text}`, loc?.line, column, loc && column !== undefined ? excerpt(source, loc.line, column) : undefined);
}
