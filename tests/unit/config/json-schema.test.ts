/**
 * The JSON Schema of agents.toml (`ao schema`, shipped as schema/agents.schema.json):
 * generated from the zod schema, every key described from the README, and it
 * accepts and rejects exactly what ao's own schema does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { schemaText } from '../../../src/cli/commands/schema.js';
import { agentsJsonSchema } from '../../../src/config/json-schema.js';
import { configSchema } from '../../../src/config/schema.js';
import { FIXTURES } from '../../fixtures/bad-configs.js';
import { REPO } from '../../helpers/ao.js';

const shipped = readFileSync(join(REPO, 'schema', 'agents.schema.json'), 'utf8');
const validate = new Ajv({ allErrors: true, strict: true, strictRequired: false }).compile(JSON.parse(shipped) as object);

describe('the JSON Schema of agents.toml', () => {
  it('the shipped file is what ao schema generates now (regenerate: npm run schema)', () => {
    expect(shipped).toBe(schemaText(REPO));
  });

  it('every key is described from the README, and the README documents no key the schema lacks', () => {
    const generated = agentsJsonSchema(readFileSync(join(REPO, 'README.md'), 'utf8'));
    expect(generated.undocumented).toEqual([]);
    expect(generated.unknown).toEqual([]);
    const schema = JSON.parse(shipped) as { properties: { agents: { additionalProperties: { properties: Record<string, { description?: string }> } } } };
    expect(schema.properties.agents.additionalProperties.properties.kind?.description).toMatch(/^persistent \(one long-lived interactive session\)/);
  });

  it('a README key missing from the reference is reported as undocumented', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8').replace(/^\| `crash_limit` .*$/m, '');
    expect(agentsJsonSchema(readme).undocumented).toEqual(['[watchdog].crash_limit']);
  });

  const configs = [
    join(REPO, 'agents.toml'),
    ...readdirSync(join(REPO, 'examples'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => join(REPO, 'examples', d.name, 'agents.toml')),
  ];

  it.each(configs.map((f) => [f.slice(REPO.length + 1), f]))('%s is valid', (_name, file) => {
    const ok = validate(parse(readFileSync(file, 'utf8')));
    expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
    expect(ok).toBe(true);
  });

  const parsed = FIXTURES.flatMap((fixture) => {
    try {
      return [{ name: fixture.name, data: parse(fixture.config) as unknown }];
    } catch {
      return []; // a TOML syntax error is no schema's business
    }
  });

  it('the bad-config fixtures hold both kinds: schema errors and errors only ao sees (files, roles, templates)', () => {
    const schemaErrors = parsed.filter((p) => !configSchema.safeParse(p.data).success);
    expect(schemaErrors.length).toBeGreaterThanOrEqual(8);
    expect(parsed.length - schemaErrors.length).toBeGreaterThanOrEqual(3);
  });

  it.each(parsed.map((p) => [p.name, p.data]))('bad config "%s": rejected by the JSON Schema exactly when ao rejects it by schema', (_name, data) => {
    expect(validate(data)).toBe(configSchema.safeParse(data).success);
  });
});
