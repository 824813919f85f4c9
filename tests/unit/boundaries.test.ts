import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The folder names are the architecture (STYLE.md): these rules are read from the
// imports themselves, so a file that breaks one fails here, not in review.

const SRC = resolve(import.meta.dirname, '../../src');

interface Import {
  file: string; // relative to src, with forward slashes
  spec: string; // as written
  target: string; // a relative spec resolved against src, else the spec
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(e.name) ? [path] : [];
  });
}

/** Every static, re-exported and dynamic import of a source text. */
export function importsOf(text: string): string[] {
  const found: string[] = [];
  const patterns = [/^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm, /^\s*import\s*['"]([^'"]+)['"]/gm, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const pattern of patterns) for (const m of text.matchAll(pattern)) found.push(m[1]!);
  return found;
}

/** The imports that load code: `import type` and `export type` lines left out. */
export const valueImportsOf = (text: string): string[] => importsOf(text.replace(/^\s*(?:import|export)\s+type\b[^;]*;/gm, ''));

function allImports(of: (text: string) => string[] = importsOf): Import[] {
  return sourceFiles(SRC).flatMap((path) => {
    const file = relative(SRC, path).split('\\').join('/');
    return of(readFileSync(path, 'utf8')).map((spec) => ({
      file,
      spec,
      target: spec.startsWith('.')
        ? relative(SRC, resolve(dirname(path), spec))
            .split('\\')
            .join('/')
        : spec,
    }));
  });
}

const FS = new Set(['fs', 'node:fs', 'fs/promises', 'node:fs/promises']);
const PROCESS = new Set(['child_process', 'node:child_process', 'execa']);

const uiBreaks = (i: Import): boolean => i.file.startsWith('ui/') && (FS.has(i.target) || i.target.startsWith('cli/'));
// process/run.ts is the process port (tmux, systemctl, notify commands, doctor's and version's probes);
// tmux/control.ts holds tmux's control-mode client open; stream/run.ts: `ao format-stream`, a pane's program,
// runs the agent CLI as its own child; workspace/git.ts: the one port through which ao runs git;
// sandbox/host.ts: its bubblewrap probe, run as the agent's start would run it
const SPAWNERS = new Set(['process/run.ts', 'tmux/control.ts', 'stream/run.ts', 'workspace/git.ts', 'sandbox/host.ts']);
const spawnBreaks = (i: Import): boolean => !SPAWNERS.has(i.file) && PROCESS.has(i.target);

// the state files sit under everything that decides: they import only config's types
const stateBreaks = (i: Import): boolean => i.file.startsWith('state/') && /^(phases|supervisor|cli|ui|tmux|backends|demo|readmodel|coord)\//.test(i.target);

// a backend is one file that describes its CLI: it knows config's types and nothing that runs or shows
const backendBreaks = (i: Import): boolean =>
  i.file.startsWith('backends/') &&
  /^(?:config\/(?!types\.js$)|state\/(?!usage\.js$)|(?:phases|supervisor|cli|ui|tmux|demo|readmodel|coord|stream)\/)/.test(i.target);

// config reads agents.toml; only its loader asks the backends (a backend's default kickoff), and it runs nothing
const configBreaks = (i: Import): boolean =>
  i.file.startsWith('config/') &&
  (/^(phases|supervisor|cli|ui|tmux|demo|readmodel|coord|stream)\//.test(i.target) || (i.target.startsWith('backends/') && i.file !== 'config/load.ts'));

// the dashboard reads the state folder only through readmodel: of state/ it loads only the pure event catalogue
const uiStateBreaks = (i: Import): boolean => i.file.startsWith('ui/') && i.target.startsWith('state/') && i.target !== 'state/event-catalogue.js';

// the safe-text rule sits under everything, so that every folder may show text through it: it imports nothing
const textBreaks = (i: Import): boolean => i.file.startsWith('text/');

const show = (list: Import[]): string[] => list.map((i) => `${i.file} imports ${i.spec}`).sort();

describe('folder boundaries', () => {
  const imports = allImports();

  it('finds the imports it checks', () => {
    expect(imports.length).toBeGreaterThan(100);
    expect(importsOf("import {\n  a,\n  b,\n} from 'node:fs';\nexport { c } from '../cli/x.js';\nawait import('execa');\n")).toEqual([
      'node:fs',
      '../cli/x.js',
      'execa',
    ]);
    expect(imports).toContainEqual(expect.objectContaining({ file: 'process/run.ts', target: 'node:child_process' }));
  });

  it('ui reads no file and imports nothing from cli', () => {
    expect(show(imports.filter(uiBreaks))).toEqual([]);
  });

  it('ui reads the state folder only through readmodel', () => {
    expect(show(allImports(valueImportsOf).filter(uiStateBreaks))).toEqual([]);
  });

  it('only the process port, the tmux control client, the stream runner and the git port spawn a process', () => {
    expect(show(imports.filter(spawnBreaks))).toEqual([]);
  });

  it('state imports nothing from the folders that decide, run or show', () => {
    expect(show(imports.filter(stateBreaks))).toEqual([]);
  });

  it('backends know config’s types and nothing that runs or shows; config asks the backends only in its loader', () => {
    expect(show(imports.filter(backendBreaks))).toEqual([]);
    expect(show(imports.filter(configBreaks))).toEqual([]);
  });

  it('text (the safe-text rule) imports nothing, and every folder that shows text may import it', () => {
    expect(show(imports.filter(textBreaks))).toEqual([]);
    const fromText = (file: string): Import => ({ file, spec: '../text/safe.js', target: 'text/safe.js' });
    for (const rule of [uiBreaks, uiStateBreaks, stateBreaks, backendBreaks, configBreaks, spawnBreaks])
      for (const file of ['ui/x.ts', 'state/x.ts', 'config/x.ts', 'backends/x.ts', 'cli/x.ts']) expect(rule(fromText(file))).toBe(false);
  });

  it('the rules see a breaking import', () => {
    expect(backendBreaks({ file: 'backends/x.ts', spec: '../supervisor/deliver.js', target: 'supervisor/deliver.js' })).toBe(true);
    expect(backendBreaks({ file: 'backends/x.ts', spec: '../config/load.js', target: 'config/load.js' })).toBe(true);
    expect(backendBreaks({ file: 'backends/x.ts', spec: '../config/types.js', target: 'config/types.js' })).toBe(false);
    expect(configBreaks({ file: 'config/checks.ts', spec: '../backends/index.js', target: 'backends/index.js' })).toBe(true);
    expect(configBreaks({ file: 'config/load.ts', spec: '../backends/index.js', target: 'backends/index.js' })).toBe(false);
    expect(stateBreaks({ file: 'state/phase.ts', spec: '../phases/gate.js', target: 'phases/gate.js' })).toBe(true);
    expect(stateBreaks({ file: 'state/phase.ts', spec: './gate-state.js', target: 'state/gate-state.js' })).toBe(false);
    expect(uiBreaks({ file: 'ui/x.ts', spec: 'node:fs', target: 'node:fs' })).toBe(true);
    expect(uiBreaks({ file: 'ui/components/x.tsx', spec: '../../cli/format.js', target: 'cli/format.js' })).toBe(true);
    expect(uiStateBreaks({ file: 'ui/engine.ts', spec: '../state/agents.js', target: 'state/agents.js' })).toBe(true);
    expect(uiStateBreaks({ file: 'ui/lines.ts', spec: '../state/event-catalogue.js', target: 'state/event-catalogue.js' })).toBe(false);
    expect(valueImportsOf("import type { A } from '../state/agents.js';\nimport { b } from '../state/phase.js';\n")).toEqual(['../state/phase.js']);
    expect(spawnBreaks({ file: 'cli/commands/x.ts', spec: 'execa', target: 'execa' })).toBe(true);
    expect(spawnBreaks({ file: 'state/x.ts', spec: 'node:child_process', target: 'node:child_process' })).toBe(true);
    expect(spawnBreaks({ file: 'tmux/x.ts', spec: 'execa', target: 'execa' })).toBe(true);
    expect(spawnBreaks({ file: 'process/run.ts', spec: 'node:child_process', target: 'node:child_process' })).toBe(false);
    expect(spawnBreaks({ file: 'stream/format.ts', spec: 'node:child_process', target: 'node:child_process' })).toBe(true);
    expect(spawnBreaks({ file: 'workspace/worktree.ts', spec: 'execa', target: 'execa' })).toBe(true);
    expect(spawnBreaks({ file: 'workspace/git.ts', spec: 'execa', target: 'execa' })).toBe(false);
    expect(textBreaks({ file: 'text/safe.ts', spec: '../state/layout.js', target: 'state/layout.js' })).toBe(true);
  });
});
