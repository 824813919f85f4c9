// Records every module a node process loads, for bench/status's check that
// `ao status` loads neither ink nor react:
//   AO_TRACE_IMPORTS=FILE node --import ./bench/trace-imports.mjs bin/ao status
// ESM: a module.register() resolve hook (it runs on the loader thread) appends
// each resolved URL to FILE. CommonJS: at exit, every key of require.cache
// (CommonJS modules loaded by require(), which the ESM hook does not see in
// node 20) is appended too, and node's own modules it loaded (`native crypto`).
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const file = process.env.AO_TRACE_IMPORTS;
if (file) {
  register('./trace-imports-hooks.mjs', import.meta.url, { data: { file } });
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => {
    const keys = Object.keys(cache);
    const native = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => `native ${m.slice(13)}\n`);
    if (keys.length > 0 || native.length > 0) appendFileSync(file, [...keys.map((k) => `cjs ${k}\n`), ...native].join(''));
  });
}
