import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentSpec } from '../../../src/config/types.js';
import {
  deliver,
  nextSteadiness,
  pasteText,
  readScreen,
  settleMsOf,
  steadilyReady,
  takesNotices,
  waitingAt,
  WAITING_AFTER_MS,
  watchesScreen,
  type Steadiness,
} from '../../../src/supervisor/deliver.js';
import type { Tmux } from '../../../src/tmux/client.js';
import { agent as spec } from '../ui/fixtures.js';

const SCREENS = join(import.meta.dirname, '..', '..', 'fixtures', 'screens');
const screen = (cli: string, name: string): string => readFileSync(join(SCREENS, cli, name), 'utf8');
const ESC = '\x1b';

describe('pasteText', () => {
  it.each([
    ['a paste end marker cannot end the paste', `a${ESC}[201~\ntouch X`, 'a\ntouch X'],
    ['nor a paste start marker', `${ESC}[200~b`, 'b'],
    ['a C1 CSI (0x9b) goes with the sequence it starts', 'x\x9b201~y', 'xy'],
    ['colours and titles are gone', `${ESC}[31mred${ESC}[0m ${ESC}]0;t\x07!`, 'red !'],
    ['newlines and tabs stay, the trailing newline goes (Enter is sent apart)', 'one\n\n\ttwo\n\n', 'one\n\n\ttwo'],
    ['a sequence split by a NUL is stripped whole once joined', `${ESC}\x00[201~`, ''],
    ['quotes, $(...), backticks and non-ASCII stay exactly', 'say "x" \'y\' $(z) `w` é 漢', 'say "x" \'y\' $(z) `w` é 漢'],
  ])('%s', (_name, input, expected) => {
    expect(pasteText(input)).toBe(expected);
  });
});

describe('who gets what', () => {
  const cases: Array<[string, Partial<AgentSpec>, boolean, boolean]> = [
    ['a persistent Claude TUI', { kind: 'persistent', backend: 'claude' }, true, true],
    ['a Claude loop (one-shot print mode)', { kind: 'loop', backend: 'claude' }, false, false],
    ['a task', { kind: 'task', backend: 'codex' }, false, false],
    ['a service', { kind: 'service', backend: 'shell' }, false, false],
    ['a persistent shell without notify', { kind: 'persistent', backend: 'shell' }, false, true],
    ['a persistent shell with notify = true', { kind: 'persistent', backend: 'shell', notify: true }, true, true],
    ['a shell loop whose kickoff is pasted: its screen is read, it gets no notice', { kind: 'loop', backend: 'shell', kickoff: 'paste' }, false, true],
  ];
  it.each(cases)('%s', (_name, over, notices, watched) => {
    expect(takesNotices(spec('a', over))).toBe(notices);
    expect(watchesScreen(spec('a', over))).toBe(watched);
  });
});

describe('steadily ready', () => {
  const codex = spec('c', { kind: 'persistent', backend: 'codex' });
  const claude = spec('c', { kind: 'persistent', backend: 'claude' });

  /** The readings of a screen sequence, each `[ms after the start, screen]`. */
  const follow = (agent: AgentSpec, frames: Array<[number, string]>): Steadiness | undefined => {
    let s: Steadiness | undefined;
    for (const [at, text] of frames) s = nextSteadiness(s, readScreen(agent, text, at));
    return s;
  };

  it('an input box drawn for a moment before a dialog never counts as ready', () => {
    const ready = screen('claude', 'ready-1.txt');
    const trust = screen('claude', 'waiting-trust-2.txt');
    const frames: Array<[number, string]> = [0, 150, 300, 450].map((t) => [t, ready]);
    const before = follow(claude, frames);
    expect(steadilyReady(before, 450, settleMsOf(claude))).toBe(false); // not yet the settle time
    const after = follow(claude, [...frames, [600, trust], [2000, trust]]);
    expect(steadilyReady(after, 2000, settleMsOf(claude))).toBe(false);
    expect(waitingAt(after, 2000)).toBe('folder trust');
  });

  it('the same ready screen for the settle time is ready; a dialog frame in between starts the clock again', () => {
    const ready = screen('claude', 'ready-1.txt');
    const trust = screen('claude', 'waiting-trust-2.txt');
    const settle = settleMsOf(claude);
    expect(
      steadilyReady(
        follow(claude, [
          [0, ready],
          [settle, ready],
        ]),
        settle,
        settle,
      ),
    ).toBe(true);
    const broken = follow(claude, [
      [0, ready],
      [100, trust],
      [200, ready],
      [settle, ready],
    ]);
    expect(steadilyReady(broken, settle, settle)).toBe(false);
    expect(steadilyReady(broken, 200 + settle, settle)).toBe(true);
  });

  it('a dialog is reported only once it stays a moment', () => {
    const trust = screen('claude', 'waiting-trust-2.txt');
    expect(waitingAt(follow(claude, [[0, trust]]), WAITING_AFTER_MS - 1)).toBeNull();
    expect(waitingAt(follow(claude, [[0, trust]]), WAITING_AFTER_MS)).toBe('folder trust');
  });

  it('Codex and Gemini settle longer than their splash', () => {
    expect(settleMsOf(codex)).toBeGreaterThan(500);
    expect(settleMsOf(spec('g', { kind: 'persistent', backend: 'gemini' }))).toBeGreaterThan(500);
  });
});

/** A tmux whose screens are scripted: each capture takes the next one (the last repeats); pastes and keys are recorded. */
function scripted(screens: string[]): { tmux: Tmux; sent: string[] } {
  const sent: string[] = [];
  let i = 0;
  const fake = {
    capture: async () => screens[Math.min(i++, screens.length - 1)] ?? null,
    pasteBuffer: async (_name: string, text: string) => void sent.push(`paste:${text}`),
    sendKeys: async (_name: string, keys: readonly string[]) => void sent.push(`keys:${keys.join(' ')}`),
  };
  return { tmux: fake as unknown as Tmux, sent };
}

describe('deliver', () => {
  const claude = spec('c', { kind: 'persistent', backend: 'claude' });
  const ready = screen('claude', 'ready-1.txt');
  const busy = screen('claude', 'busy-1.txt');
  const trust = screen('claude', 'waiting-trust-2.txt');
  const permission = screen('claude', 'waiting-permission-1.txt');

  it('sends nothing at all into a dialog', async () => {
    const { tmux, sent } = scripted([permission]);
    expect((await deliver(tmux, claude, 'hello', { stepMs: 1 })).verdict).toBe('not-delivered');
    expect(sent).toEqual([]);
  });

  it('a dialog that appears after the paste gets no Enter', async () => {
    const { tmux, sent } = scripted([ready, trust]);
    const outcome = await deliver(tmux, claude, 'hello', { stepMs: 1 });
    expect(outcome).toMatchObject({ verdict: 'unconfirmed' });
    expect(outcome.reason).toContain('folder trust');
    expect(sent).toEqual(['paste:hello']);
  });

  it('ready, pasted, Enter, busy: delivered with one Enter', async () => {
    const { tmux, sent } = scripted([ready, ready, busy]);
    expect(await deliver(tmux, claude, 'hi\x1b[201~there\n', { stepMs: 1 })).toMatchObject({ verdict: 'delivered' });
    expect(sent).toEqual(['paste:hithere', 'keys:Enter']);
  });

  it('Enter that changes nothing: one more, then unconfirmed, never a third', async () => {
    const { tmux, sent } = scripted([ready]);
    expect((await deliver(tmux, claude, 'x', { stepMs: 1 })).verdict).toBe('unconfirmed');
    expect(sent).toEqual(['paste:x', 'keys:Enter', 'keys:Enter']);
  });
});
