import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentsJsonSchema } from '../../config/json-schema.js';
import { packageRoot } from '../context.js';
import type { Io } from '../io.js';

/** The JSON Schema of agents.toml as text: generated from the zod schema, described from the package's README. */
export function schemaText(root = packageRoot()): string {
  const readme = join(root, 'README.md');
  return `${JSON.stringify(agentsJsonSchema(existsSync(readme) ? readFileSync(readme, 'utf8') : '').schema, null, 2)}\n`;
}

/** `ao schema`: print the JSON Schema of agents.toml (the package ships it as schema/agents.schema.json). */
export async function schema(io: Io): Promise<number> {
  io.out(schemaText());
  return 0;
}
