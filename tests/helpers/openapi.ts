/**
 * A small check of an answer against the OpenAPI file's JSON Schema subset
 * (type, required, properties, items, enum, oneOf, $ref): every problem as a
 * path and what was expected. An object whose schema lists properties may
 * hold no other key, so an answer that grew a field the file does not
 * describe fails too.
 */
import openapi from '../../src/web/openapi.json' with { type: 'json' };

type Schema = {
  type?: string | string[];
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  oneOf?: Schema[];
  $ref?: string;
};

const schemas = (openapi as unknown as { components: { schemas: Record<string, Schema> } }).components.schemas;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

export function problems(value: unknown, schema: Schema, path = '$'): string[] {
  if (schema.$ref) return problems(value, schemas[schema.$ref.replace('#/components/schemas/', '')]!, path);
  if (schema.oneOf) {
    const fits = schema.oneOf.filter((s) => problems(value, s, path).length === 0).length;
    return fits === 1 ? [] : [`${path}: fits ${fits} of oneOf`];
  }
  const found = typeOf(value);
  if (schema.type) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.includes(found) && !(found === 'integer' && types.includes('number'))) return [`${path}: ${found}, expected ${types.join(' or ')}`];
  }
  if (schema.enum && !schema.enum.includes(value)) return [`${path}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`];
  const out: string[] = [];
  if (found === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in record)) out.push(`${path}.${key}: missing`);
    if (schema.properties) {
      for (const [key, item] of Object.entries(record)) {
        const sub = schema.properties[key];
        if (!sub) out.push(`${path}.${key}: not in the OpenAPI file`);
        else out.push(...problems(item, sub, `${path}.${key}`));
      }
    }
  }
  if (found === 'array' && schema.items) (value as unknown[]).forEach((item, i) => out.push(...problems(item, schema.items!, `${path}[${i}]`)));
  return out;
}

/** The problems of an answer against a named schema of the file. */
export const checkAgainst = (name: string, value: unknown): string[] => problems(value, { $ref: `#/components/schemas/${name}` });

/** The schema a path's GET answers with, by the file's own paths table. */
export function schemaOfPath(path: string): string {
  const op = (openapi as unknown as { paths: Record<string, { get?: { responses: Record<string, { content?: Record<string, { schema?: Schema }> }> } }> })
    .paths[path];
  const ref = op?.get?.responses['200']?.content?.['application/json']?.schema?.$ref;
  if (!ref) throw new Error(`the OpenAPI file describes no JSON GET of ${path}`);
  return ref.replace('#/components/schemas/', '');
}
