import { agentSchema, configSchema, defaultsSchema, notifySchema, phaseSchema, watchdogSchema, workspacesSchema, type RawConfig } from './schema.js';
import { validateToml, type Shapes } from './validate-toml.js';

export { errorAt, keyPath, validateToml, type Shapes } from './validate-toml.js';

const shapes: Shapes = [
  [/^$/, Object.keys(configSchema.shape)],
  [/^agents\.[^.]+$/, Object.keys(agentSchema.shape)],
  [/^phases\.\d+$/, Object.keys(phaseSchema.shape)],
  [/^defaults$/, Object.keys(defaultsSchema.shape)],
  [/^watchdog$/, Object.keys(watchdogSchema.shape)],
  [/^notify$/, Object.keys(notifySchema.shape)],
  [/^workspaces$/, Object.keys(workspacesSchema.shape)],
];

/** Validates parsed TOML; every problem becomes a ConfigError naming the key path and its line. */
export function validateRaw(data: unknown, file: string, source: string): RawConfig {
  return validateToml(configSchema, shapes, data, file, source);
}
