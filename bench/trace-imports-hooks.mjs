// The resolve hook that bench/trace-imports.mjs registers: appends
// "esm <resolved url>" for every import the process resolves.
import { appendFileSync } from 'node:fs';

let file;
export function initialize(data) {
  file = data.file;
}
export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  appendFileSync(file, `esm ${result.url}\n`);
  return result;
}
