import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentSpec } from '../../../src/config/types.js';
import { emptyRecord, writeAgentsState, type AgentRecord } from '../../../src/state/agents.js';
import { layout } from '../../../src/state/layout.js';
import { Screens, UNCHANGED_LOOK_MS } from '../../../src/supervisor/screens.js';
import type { Tmux } from '../../../src/tmux/client.js';
import { agent, project } from '../ui/fixtures.js';

const READY = '> \n';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fake tmux whose pane prints only when told to: how often the screen watch captures it. */
function setup(record: Partial<AgentRecord> = {}, shown = READY, over: Partial<AgentSpec> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ao-screens-'));
  dirs.push(dir);
  const stateDir = join(dir, 'state');
  const spec = agent('a', { kind: 'persistent', backend: 'shell', notify: true, readyPattern: '^> ', ...over });
  const p = project([spec], { dir, stateDir });
  // tmux's pipe-pane appends all the pane prints to its log
  const log = layout.agentLog(stateDir, 'a');
  mkdirSync(dirname(log), { recursive: true });
  writeFileSync(log, '> ');
  const calls = { capture: 0, snapshot: 0 };
  const tmux = {
    snapshot: async () => {
      calls.snapshot++;
      return [];
    },
    capture: async () => {
      calls.capture++;
      return shown;
    },
  } as unknown as Tmux;
  const clock = { now: Date.now() };
  const screens = new Screens({
    tmux,
    project: () => p,
    alive: () => new Set([spec.session]),
    event: () => undefined,
    log: () => undefined,
    now: () => clock.now,
  });
  const write = (over: Partial<AgentRecord>) =>
    writeAgentsState(stateDir, { version: 1, agents: { a: { ...emptyRecord(), up: true, startedAt: new Date().toISOString(), ...over } } });
  return { screens, calls, clock, stateDir, write, print: () => appendFileSync(log, 'output\n'), ready: write(record) };
}

describe('the screen watch looks only at panes that may have changed', () => {
  it('a pane that printed nothing since its last capture, with nothing due, is not captured again', async () => {
    const s = setup();
    await s.ready;
    for (let i = 0; i < 5; i++) await s.screens.pass();
    expect(s.calls.capture).toBe(1);
    expect(s.calls.snapshot).toBe(0); // nor is tmux asked anything else: its log tells
  });

  it('an unchanged pane still gets a look once a minute (a pane whose log is not written is not forgotten)', async () => {
    const s = setup();
    await s.ready;
    await s.screens.pass();
    s.clock.now += UNCHANGED_LOOK_MS - 1000;
    await s.screens.pass();
    expect(s.calls.capture).toBe(1);
    s.clock.now += 1000;
    await s.screens.pass();
    expect(s.calls.capture).toBe(2);
  });

  it('output since the last look makes it look again', async () => {
    const s = setup();
    await s.ready;
    await s.screens.pass();
    await s.screens.pass();
    expect(s.calls.capture).toBe(1);
    s.print();
    await s.screens.pass();
    expect(s.calls.capture).toBe(2);
  });

  it('new mail in its inbox makes it look although nothing printed', async () => {
    const s = setup();
    await s.ready;
    await s.screens.pass();
    mkdirSync(join(s.stateDir, 'inbox'), { recursive: true });
    writeFileSync(layout.inbox(s.stateDir, 'a'), '- from b: hello\n');
    await s.screens.pass();
    expect(s.calls.capture).toBeGreaterThanOrEqual(2);
  });

  it('a dialog it shows is looked at on every pass (a person answering it may print nothing yet)', async () => {
    const s = setup(
      { waitingOn: 'folder trust' },
      readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'screens', 'claude', 'waiting-trust-1.txt'), 'utf8'),
      { backend: 'claude', readyPattern: null },
    );
    await s.ready;
    await s.screens.pass();
    await s.screens.pass();
    await s.screens.pass();
    expect(s.calls.capture).toBe(3);
  });
});

describe('a paste is recorded before it is made', () => {
  /** The same fake pane, with hands: what agents.json said when each paste went in. */
  function withHands(writable: () => boolean) {
    const s = setup({ mailSeen: 0 });
    const seenAtPaste: Array<number | undefined> = [];
    const refused: string[] = [];
    const tmux = {
      capture: async () => READY,
      pasteBuffer: async () => {
        const state = JSON.parse(readFileSync(layout.agents(s.stateDir), 'utf8')) as { agents: Record<string, AgentRecord> };
        seenAtPaste.push(state.agents.a!.mailSeen);
      },
      sendKeys: async () => undefined,
    } as unknown as Tmux;
    const spec = agent('a', { kind: 'persistent', backend: 'shell', notify: true, readyPattern: '^>' });
    const screens = new Screens({
      tmux,
      project: () => project([spec], { dir: dirname(s.stateDir), stateDir: s.stateDir }),
      alive: () => new Set([spec.session]),
      event: () => undefined,
      log: () => undefined,
      now: () => s.clock.now,
      writable,
      refused: (code) => refused.push(code),
    });
    return { ...s, screens, seenAtPaste, refused };
  }

  const mail = (stateDir: string): number => {
    mkdirSync(join(stateDir, 'inbox'), { recursive: true });
    writeFileSync(layout.inbox(stateDir, 'a'), '- from b: hello\n');
    return Buffer.byteLength('- from b: hello\n');
  };

  it('a mail notice: agents.json already says it was seen when it goes in, so a lost write after it never pastes it twice', async () => {
    const s = withHands(() => true);
    await s.ready;
    const size = mail(s.stateDir);
    await s.screens.pass();
    s.clock.now += 5000; // steadily ready
    await s.screens.pass();
    expect(s.seenAtPaste).toEqual([size]);
    await s.screens.pass();
    expect(s.seenAtPaste).toHaveLength(1);
  });

  it('while the state folder refuses writes nothing is pasted; once it takes them the notice goes in once', async () => {
    let ok = false;
    const s = withHands(() => ok);
    await s.ready;
    mail(s.stateDir);
    for (let i = 0; i < 3; i++) {
      await s.screens.pass();
      s.clock.now += 5000;
    }
    expect(s.seenAtPaste).toEqual([]);
    ok = true;
    await s.screens.pass();
    s.clock.now += 5000;
    await s.screens.pass();
    await s.screens.pass();
    expect(s.seenAtPaste).toHaveLength(1);
  });
});
