/**
 * The shapes of ao's own JSON state files (agents.json, phase.json), checked
 * by hand: a few plain functions instead of a schema library, because `ao
 * status` reads these files on every call and a schema library's load and
 * parse cost more than the rest of its work (docs/PERFORMANCE.md). A check
 * only accepts or reports; the value read is used as it is.
 */

export interface ShapeIssue {
  path: PropertyKey[];
  message: string;
}

/** Checks a value at `path` (a stack the containers push onto and pop, copied only into an issue), pushing what is wrong onto `issues`. */
export type Shape = (value: unknown, path: PropertyKey[], issues: ShapeIssue[]) => void;

const received = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

const expect =
  (what: string, test: (value: unknown) => boolean): Shape =>
  (value, path, issues) => {
    if (!test(value)) issues.push({ path: [...path], message: `expected ${what}, received ${received(value)}` });
  };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export const boolean = expect('boolean', (v) => typeof v === 'boolean');
export const string = expect('string', (v) => typeof v === 'string');
export const number = expect('number', (v) => typeof v === 'number' && Number.isFinite(v));
/** a number ≥ 0 */
export const count = expect('a number ≥ 0', (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0);
/** an integer ≥ 0 */
export const intCount = expect('an integer ≥ 0', (v) => Number.isInteger(v) && (v as number) >= 0);
export const literal = (want: string | number | boolean): Shape => expect(JSON.stringify(want), (v) => v === want);

export const nullable =
  (shape: Shape): Shape =>
  (value, path, issues) => {
    if (value !== null) shape(value, path, issues);
  };

/** may be missing (undefined) */
export const optional =
  (shape: Shape): Shape =>
  (value, path, issues) => {
    if (value !== undefined) shape(value, path, issues);
  };

export const array =
  (item: Shape): Shape =>
  (value, path, issues) => {
    if (!Array.isArray(value)) return expect('array', () => false)(value, path, issues);
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      item(value[i], path, issues);
      path.pop();
    }
  };

/** an object of any keys, each value of `item`'s shape */
export const record =
  (item: Shape): Shape =>
  (value, path, issues) => {
    if (!isObject(value)) return expect('object', () => false)(value, path, issues);
    for (const key of Object.keys(value)) {
      path.push(key);
      item(value[key], path, issues);
      path.pop();
    }
  };

/** an object with these fields; other fields (a newer ao's) pass through */
export const looseObject = (fields: Record<string, Shape>): Shape => {
  const entries = Object.entries(fields);
  return (value, path, issues) => {
    if (!isObject(value)) return expect('object', () => false)(value, path, issues);
    for (const [key, shape] of entries) {
      path.push(key);
      shape(value[key], path, issues);
      path.pop();
    }
  };
};

/** What is wrong with `value`, in order; empty when it has the shape. */
export function shapeIssues(shape: Shape, value: unknown): ShapeIssue[] {
  const issues: ShapeIssue[] = [];
  shape(value, [], issues);
  return issues;
}
