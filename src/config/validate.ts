import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { excerpt, locateKey } from './locate.js';
import { agentSchema, configSchema, phaseSchema, type RawConfig } from './schema.js';

type Issue = z.core.$ZodIssue;

const shapes: Array<[RegExp, string[]]> = [
  [/^$/, Object.keys(configSchema.shape)],
  [/^agents\.[^.]+$/, Object.keys(agentSchema.shape)],
  [/^phases\.\d+$/, Object.keys(phaseSchema.shape)],
  [/^defaults$/, ['backend', 'model', 'session_prefix', 'state_dir', 'tmux_socket', 'stall_minutes']],
  [/^watchdog$/, ['backoff_initial_s', 'backoff_max_s', 'healthy_after_s', 'crash_limit', 'crash_window_s', 'stall_check_s']],
];

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a table';
  if (typeof value === 'string') return JSON.stringify(value);
  return `${typeof value} ${String(value)}`;
}

function message(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? `required key is missing (expected ${issue.expected})`
        : `expected ${issue.expected}, got ${describe(issue.input)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map(String).join(', ')}, got ${describe(issue.input)}`;
    case 'unrecognized_keys': {
      const where = issue.path.join('.');
      const known = shapes.find(([re]) => re.test(where))?.[1];
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${known ? ` (known keys: ${known.join(', ')})` : ''}`;
    }
    case 'too_small':
      if (issue.origin === 'number') return `expected a number ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}, got ${describe(issue.input)}`;
      return issue.message;
    case 'invalid_format':
      return `${issue.message}, got ${describe(issue.input)}`;
    case 'invalid_key':
      return `invalid name: ${issue.issues[0]?.message ?? issue.message}`;
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

/** Validates parsed TOML; every problem becomes a ConfigError naming the key path and its line. */
export function validateRaw(data: unknown, file: string, source: string): RawConfig {
  const result = configSchema.safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => {
    const path = issuePath(issue);
    const key = issue.path.join('.');
    const loc = locateKey(source, path);
    return new ConfigError(file, `${key || '(top level)'}: ${message(issue)}`, loc?.line, loc?.column, loc ? excerpt(source, loc.line, loc.column) : undefined);
  });
  throw ConfigError.all(errors);
}
