import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { BackendName } from '../../../src/config/types.js';
import { BACKEND_NAMES } from '../../../src/config/types.js';
import type { DialogName, ScreenState } from '../../../src/backends/types.js';
import { getBackend } from '../../../src/backends/index.js';
import { claudeRetrying } from '../../../src/backends/claude.js';

const SCREENS = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/screens');
const STATES: readonly ScreenState[] = ['ready', 'busy', 'waiting', 'unknown'];

function screen(backend: string, file: string): string {
  return readFileSync(join(SCREENS, backend, file), 'utf8');
}

/** `<state>-<n>.txt` or `<state>-<what>-<n>.txt`: the file name says what the detector must answer. */
function fixtures(backend: BackendName): [string, ScreenState][] {
  return readdirSync(join(SCREENS, backend))
    .filter((f) => f.endsWith('.txt') && !f.startsWith('pattern-'))
    .sort()
    .map((f) => {
      const state = STATES.find((s) => f.startsWith(`${s}-`));
      if (state === undefined) throw new Error(`fixture ${backend}/${f}: name must start with a state`);
      return [f, state];
    });
}

describe.each(BACKEND_NAMES.map((b) => [b] as const))('%s detector', (backend) => {
  const cases = fixtures(backend);

  it('has ready and busy fixtures', () => {
    const states = new Set(cases.map(([, s]) => s));
    expect(states.has('ready')).toBe(true);
    expect(states.has('busy')).toBe(true);
  });

  it.each(cases)('%s -> %s', (file, want) => {
    expect(getBackend(backend).detect(screen(backend, file))).toBe(want);
  });

  it.each(['', '\n\n\n', '   \n  \n'])('an empty screen %j is unknown', (blank) => {
    expect(getBackend(backend).detect(blank)).toBe('unknown');
  });
});

describe('fixture coverage', () => {
  const need: [BackendName, string][] = [
    ['claude', 'ready-'],
    ['claude', 'busy-'],
    ['claude', 'waiting-permission-'],
    ['claude', 'waiting-trust-'],
    ['claude', 'waiting-question-'],
    ['codex', 'waiting-'],
    ['codex', 'waiting-trust-'],
    ['codex', 'unknown-trust-early-'],
    ['gemini', 'waiting-'],
    ['gemini', 'waiting-trust-'],
    ['gemini', 'ready-trust-early-'],
    ['aider', 'waiting-'],
  ];
  it.each(need)('%s has a %s fixture', (backend, prefix) => {
    expect(readdirSync(join(SCREENS, backend)).some((f) => f.startsWith(prefix))).toBe(true);
  });
});

/** `waiting-<what>-<n>.txt`: the dialog that `dialog()` must name. */
const DIALOG_OF: Record<string, DialogName> = {
  trust: 'folder trust',
  apikey: 'api key',
  permission: 'tool permission',
  approval: 'tool permission',
  question: 'question',
};

describe.each((['claude', 'codex', 'gemini', 'opencode'] as const).map((b) => [b] as const))('%s dialog()', (backend) => {
  const dialog = getBackend(backend).dialog;
  const cases = fixtures(backend).map(([file, state]): [string, DialogName | null] => {
    if (state !== 'waiting') return [file, null];
    const what = /^waiting-([a-z]+)-\d+\.txt$/.exec(file)?.[1] ?? '';
    const name = DIALOG_OF[what];
    if (name === undefined) throw new Error(`fixture ${backend}/${file}: unknown dialog "${what}"`);
    return [file, name];
  });

  it('is defined', () => {
    expect(typeof dialog).toBe('function');
  });

  it.each(cases)('%s -> %s', (file, want) => {
    expect(dialog?.(screen(backend, file))).toBe(want);
  });

  it('sees no dialog on an empty screen', () => {
    expect(dialog?.('')).toBeNull();
  });
});

describe('a trust dialog that follows the input box at start-up (captured over the first seconds)', () => {
  // Codex 0.171's splash composer stays up to several seconds and takes no input: it must not read ready.
  // Gemini CLI 0.61's input box is real but gives way after ~250 ms: the settle time (deliver.ts) covers it.
  it.each([
    ['codex', 'unknown-trust-early-1.txt', 'unknown', 'waiting-trust-2.txt'],
    ['codex', 'unknown-trust-early-2.txt', 'unknown', 'waiting-trust-3.txt'],
    ['gemini', 'ready-trust-early-1.txt', 'ready', 'waiting-trust-2.txt'],
    ['gemini', 'ready-trust-early-2.txt', 'ready', 'waiting-trust-3.txt'],
  ] as const)('%s: %s reads %s, the frame after it (%s) waiting on folder trust', (backend, early, want, later) => {
    const b = getBackend(backend);
    expect(b.detect(screen(backend, early))).toBe(want);
    expect(b.dialog?.(screen(backend, early))).toBeNull();
    expect(b.detect(screen(backend, later))).toBe('waiting');
    expect(b.dialog?.(screen(backend, later))).toBe('folder trust');
  });

  it('codex: the splash composer (bare "? for shortcuts") is unknown; the one with its status line is ready', () => {
    const codex = getBackend('codex');
    const splash = screen('codex', 'unknown-trust-early-2.txt');
    expect(splash.trimEnd().split('\n').at(-1)?.trim()).toBe('? for shortcuts');
    expect(codex.detect(splash)).toBe('unknown');
    const ready = screen('codex', 'ready-4.txt');
    expect(ready).toContain('← for agents · ? for shortcuts');
    expect(codex.detect(ready)).toBe('ready');
    // the same splash with the status line drawn under the composer takes input
    const drawn = splash.replace(/\n {2}\? for shortcuts/, '\n  gpt-standin default · /tmp/x\n  ← for agents · ? for shortcuts');
    expect(codex.detect(drawn)).toBe('ready');
  });
});

describe('claude detector details', () => {
  const claude = getBackend('claude');

  it('reads the prompt line after a non-breaking space (Claude Code pads ❯ with NBSP)', () => {
    const ready = screen('claude', 'ready-1.txt');
    expect(ready).toContain('❯\u00a0');
    expect(claude.detect(ready.replace(/\u00a0/g, ' '))).toBe('ready');
  });

  it('does not take an echoed user message "❯ ..." in the history for the input box', () => {
    // the permission dialog screen has "❯ Read prompts/..." above the dialog
    expect(claude.detect(screen('claude', 'waiting-permission-1.txt'))).toBe('waiting');
  });

  it('a finished turn ("✻ Crunched for 0s") is not a live spinner', () => {
    expect(screen('claude', 'ready-2.txt')).toContain('Crunched for');
    expect(claude.detect(screen('claude', 'ready-2.txt'))).toBe('ready');
  });

  it('is busy on the footer hint alone, e.g. while a tool runs without a spinner line', () => {
    const busy = screen('claude', 'busy-1.txt').replace('✽ Doodling…', '● Bash(npm test)');
    expect(busy).toContain('esc to interrupt');
    expect(claude.detect(busy)).toBe('busy');
  });

  it('reads 2.1.332\'s trust dialog, cursor on "No, exit", as waiting on folder trust', () => {
    const trust = screen('claude', 'waiting-trust-3.txt');
    expect(trust).toMatch(/❯ No, exit/);
    expect(claude.detect(trust)).toBe('waiting');
    expect(claude.dialog?.(trust)).toBe('folder trust');
  });

  it.each(['✢', '✻', '✽', '*'])('is busy on the %s spinner frame when the footer lacks "esc to interrupt"', (frame) => {
    const real = screen('claude', 'busy-4.txt');
    expect(real).toContain('✻ Bunning…');
    const busy = real.replace('✻ Bunning…', `${frame} Bunning…`).replace(' · esc to interrupt', '');
    expect(busy).not.toContain('esc to interrupt');
    expect(claude.detect(busy)).toBe('busy');
    // the same screen once the turn ended is ready
    expect(claude.detect(busy.replace(`${frame} Bunning…`, '✻ Worked for 3s'))).toBe('ready');
  });

  it('is busy while a tool runs ("⎿  Running…") with no spinner and no footer hint', () => {
    const busy = screen('claude', 'busy-4.txt').replace('✻ Bunning…', '● Bash(npm test)\n  ⎿  Running…').replace(' · esc to interrupt', '');
    expect(claude.detect(busy)).toBe('busy');
  });

  it('sees a question drawn below the input box (not only at the bottom of a dialog-only screen)', () => {
    const ready = screen('claude', 'busy-4.txt').replace('✻ Bunning…', '✻ Worked for 3s').replace(' · esc to interrupt', '');
    expect(claude.detect(ready)).toBe('ready');
    const question = ['  Make auto mode your default permission mode?', '', '  ❯ Yes, set auto mode as my default permission mode', '    No, keep manual mode'];
    const withQuestion = `${ready.trimEnd()}\n${question.join('\n')}\n`;
    expect(claude.dialog?.(withQuestion)).toBe('question');
    expect(claude.detect(withQuestion)).toBe('waiting');
  });

  it('does not take the model asking "Do you want to proceed?" in its reply for a dialog', () => {
    const ready = screen('claude', 'busy-4.txt')
      .replace('✻ Bunning…', '● Do you want to proceed? 1. Yes 2. No\n\n✻ Worked for 3s')
      .replace(' · esc to interrupt', '');
    expect(claude.dialog?.(ready)).toBeNull();
    expect(claude.detect(ready)).toBe('ready');
  });

  it('is busy on a live spinner line even when the footer hint is cut off', () => {
    const busy = screen('claude', 'busy-2.txt').replace('esc to interrupt', '? for shortcuts');
    expect(claude.detect(busy)).toBe('busy');
  });
});

describe('gemini detector details', () => {
  it('does not read a dialog answered earlier, with the input box drawn again below it, as waiting', () => {
    const ready = screen('gemini', 'ready-1.txt');
    expect(ready).toContain('● 1. Trust folder');
    expect(getBackend('gemini').dialog?.(ready)).toBeNull();
    expect(getBackend('gemini').detect(ready)).toBe('ready');
  });
});

describe('codex detector details', () => {
  it('is busy while the composer and footer stay drawn under "Working"', () => {
    const busy = screen('codex', 'busy-1.txt');
    expect(busy).toContain('? for shortcuts');
    expect(getBackend('codex').detect(busy)).toBe('busy');
  });

  it('reads a draft in the composer as ready when the footer hides', () => {
    const draft = ['• Worked for 3s', '', '› fix the flaky checkout test', ''].join('\n');
    expect(getBackend('codex').detect(draft)).toBe('ready');
  });
});

describe('shell detector', () => {
  const shell = getBackend('shell');
  const WORKER_IDLE = String.raw`^\[worker\] idle, waiting for jobs$`;

  it.each([
    ['ready-1.txt', null, 'ready'],
    ['busy-1.txt', null, 'busy'],
    ['pattern-ready-1.txt', null, 'busy'],
    ['pattern-ready-1.txt', WORKER_IDLE, 'ready'],
    ['pattern-busy-1.txt', WORKER_IDLE, 'busy'],
    // a pattern replaces the common prompts: a `$` prompt is busy for this service
    ['ready-1.txt', WORKER_IDLE, 'busy'],
    ['ready-2.txt', String.raw`^>>>\s*$`, 'ready'],
  ] as const)('%s with ready_pattern %s -> %s', (file, readyPattern, want) => {
    expect(shell.detect(screen('shell', file), { readyPattern })).toBe(want);
  });

  it('matches the pattern against the last non-empty line only', () => {
    const text = '[worker] idle, waiting for jobs\n[worker] processing job 43\n\n';
    expect(shell.detect(text, { readyPattern: 'idle, waiting for jobs' })).toBe('busy');
  });

  it('does not take a trailing percentage for a zsh prompt', () => {
    expect(shell.detect('coverage 85%\n')).toBe('busy');
    expect(shell.detect('dev@mac shop-api % \n')).toBe('ready');
  });

  it('answers unknown rather than throwing on a pattern that does not compile', () => {
    expect(shell.detect('$ \n', { readyPattern: '([' })).toBe('unknown');
  });
});

describe('demo detector', () => {
  it('is ready only when the very last line is the prompt', () => {
    const demo = getBackend('demo');
    expect(demo.detect('demo> \n')).toBe('ready');
    expect(demo.detect('demo> hello\n')).toBe('busy');
    expect(demo.detect('[demo b] working… step 1\ndemo>\n\n\n')).toBe('ready');
  });
});

describe('Claude TUI retrying its provider (the screen watch shows it waiting on the provider)', () => {
  const files = readdirSync(join(SCREENS, 'claude'));
  it.each(files.map((f) => [f, f === 'busy-retry-1.txt' ? '1/10' : f === 'busy-retry-2.txt' ? '2/10' : null] as const))('%s -> %s', (file, attempt) => {
    expect(claudeRetrying(readFileSync(join(SCREENS, 'claude', file), 'utf8'))).toBe(attempt);
  });
});
