import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { findUnknownPlaceholders, KICKOFF_PLACEHOLDERS, renderKickoff, type KickoffVars } from '../../../src/config/kickoff.js';

const REPO = join(import.meta.dirname, '..', '..', '..');

const vars: KickoffVars = {
  project: 'shop',
  agent: 'builder',
  role: 'builder',
  model: 'claude-opus-4-8',
  role_prompt: 'You build.',
  phase_id: 'feature',
  phase_index: '2',
  phase_count: '3',
  plan: '02-feature.md',
  plan_path: '/p/phases/02-feature.md',
  status: 'in progress',
  journal: '/p/state/JOURNAL-feature.md',
  review: '/p/state/REVIEW-feature.md',
  inbox: '/p/state/inbox/builder.md',
  state_dir: '/p/state',
  claim_sha: '',
};

describe('renderKickoff', () => {
  it.each([
    {
      name: 'every placeholder',
      template: Object.keys(KICKOFF_PLACEHOLDERS)
        .map((k) => `${k}={${k}}`)
        .join('\n'),
      expected: Object.entries(vars)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n'),
    },
    { name: 'a placeholder used twice', template: '{role} and {role}', expected: 'builder and builder' },
    { name: 'placeholders next to each other', template: '{phase_index}/{phase_count}', expected: '2/3' },
    { name: '{{ and }} are literal braces', template: '{{ x }}', expected: '{ x }' },
    { name: 'an escaped placeholder is not substituted', template: 'write {{role}} for the role', expected: 'write {role} for the role' },
    { name: 'an escape next to a placeholder', template: '{{{role}}}', expected: '{builder}' },
    { name: 'JSON-looking braces are untouched', template: 'reply {"verdict": "approve", "n": 1}', expected: 'reply {"verdict": "approve", "n": 1}' },
    { name: 'a brace around spaces is untouched', template: 'if (x) { return {role}; }', expected: 'if (x) { return builder; }' },
    { name: 'a brace around a non-identifier is untouched', template: '{1st} {a-b} {} { role }', expected: '{1st} {a-b} {} { role }' },
    { name: 'a lone brace is untouched', template: 'a { b } c', expected: 'a { b } c' },
    { name: 'an unknown placeholder is left as written', template: 'phase {phse_id}', expected: 'phase {phse_id}' },
    { name: 'no placeholder at all', template: 'plain text\n', expected: 'plain text\n' },
  ])('$name', ({ template, expected }) => {
    expect(renderKickoff(template, vars)).toBe(expected);
  });

  it('substitutes in one pass: a value that looks like a placeholder stays as it is', () => {
    const out = renderKickoff('{role_prompt} / {project}', { ...vars, role_prompt: 'see {phase_id} and {{x}}', project: '{role}' });
    expect(out).toBe('see {phase_id} and {{x}} / {role}');
  });

  it('inserts values containing $ patterns literally', () => {
    expect(renderKickoff('[{project}]', { ...vars, project: "$& $1 $$ $` $'" })).toBe("[$& $1 $$ $` $']");
  });

  it('does not render members of Object.prototype as placeholders', () => {
    expect(renderKickoff('a {toString} b {constructor} c', vars)).toBe('a {toString} b {constructor} c');
  });
});

describe('findUnknownPlaceholders', () => {
  it.each([
    { name: 'only known placeholders', template: '{project} {agent} {role}\n{phase_id} {plan_path}', expected: [] },
    { name: 'a typo', template: 'phase {phse_id}', expected: [{ name: 'phse_id', line: 1, column: 7 }] },
    { name: 'line and column on a later line', template: '# Kickoff\n\nYou are {role}, in {phse_id}.', expected: [{ name: 'phse_id', line: 3, column: 20 }] },
    {
      name: 'every unknown one, in order',
      template: '{a} {role}\n  {b}{c}',
      expected: [
        { name: 'a', line: 1, column: 1 },
        { name: 'b', line: 2, column: 3 },
        { name: 'c', line: 2, column: 6 },
      ],
    },
    {
      name: 'the same unknown twice',
      template: '{x} {x}',
      expected: [
        { name: 'x', line: 1, column: 1 },
        { name: 'x', line: 1, column: 5 },
      ],
    },
    { name: 'escaped braces are not placeholders', template: 'write {{phse_id}} literally', expected: [] },
    { name: 'an escape before a real unknown one', template: '{{{nope}}}', expected: [{ name: 'nope', line: 1, column: 3 }] },
    { name: 'JSON-looking braces', template: '{"verdict": "approve"}\n{ "a": [1, 2] }', expected: [] },
    { name: 'code-looking braces', template: 'function f() { return 1; }\n{ role }\n{}', expected: [] },
    { name: 'not an identifier', template: '{1st} {a-b} {a.b}', expected: [] },
    { name: 'placeholders are case-sensitive', template: '{Role}', expected: [{ name: 'Role', line: 1, column: 1 }] },
    { name: 'CRLF line endings keep columns', template: 'a\r\n  {bad}\r\n', expected: [{ name: 'bad', line: 2, column: 3 }] },
    {
      name: 'members of Object.prototype are unknown placeholders',
      template: '{toString} {constructor} {__proto__}',
      expected: [
        { name: 'toString', line: 1, column: 1 },
        { name: 'constructor', line: 1, column: 12 },
        { name: '__proto__', line: 1, column: 26 },
      ],
    },
  ])('$name', ({ template, expected }) => {
    expect(findUnknownPlaceholders(template)).toEqual(expected);
  });

  it('accepts the kickoff template of the demo project', () => {
    expect(findUnknownPlaceholders(readFileSync(join(REPO, 'prompts', 'kickoff.md'), 'utf8'))).toEqual([]);
  });

  it('agrees with renderKickoff: whatever it accepts renders with no placeholder left', () => {
    const template = readFileSync(join(REPO, 'prompts', 'kickoff.md'), 'utf8');
    const out = renderKickoff(template, vars);
    for (const name of Object.keys(KICKOFF_PLACEHOLDERS)) expect(out).not.toContain(`{${name}}`);
  });
});
