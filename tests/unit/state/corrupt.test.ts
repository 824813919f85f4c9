import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Project } from '../../../src/config/types.js';
import { adoptRunning, emptyRecord, loadAgentsState, recoverAgentsState, updateAgentsState, writeAgentsState } from '../../../src/state/agents.js';
import { readEvents } from '../../../src/state/events.js';
import { initialPhaseState, loadPhaseState, readPhaseStateOf, recoverPhaseStateOf, writePhaseState } from '../../../src/state/phase.js';
import { layout } from '../../../src/state/layout.js';
import { phaseSpec, projectOf } from '../../helpers/builders.js';
import { scratchDir } from '../../helpers/scratch.js';

const temp = (): string => scratchDir('ao-corrupt-');

/** What a crash, a full disk or a stray editor can leave in a state file. */
const BAD: Record<string, string | Buffer> = {
  truncated: '{"version": 1, "agents": {"builder": {"up": tr',
  empty: '',
  '{}': '{}',
  null: 'null',
  binary: Buffer.from([0x00, 0xff, 0x13, 0x37, 0x89, 0x50, 0x4e, 0x47]),
  'wrong shape': '{"version": 1, "agents": {"builder": {"up": "yes", "restarts": -1}}}',
  array: '[1, 2, 3]',
};

const asideFiles = (dir: string, name: string): string[] => readdirSync(dir).filter((f) => f.startsWith(`${name}.corrupt-`));

describe('agents.json read when corrupt', () => {
  for (const [label, content] of Object.entries(BAD)) {
    it(`${label}: read-only reads around it; a writer moves it aside, reports once and goes on from the good copy`, async () => {
      const dir = temp();
      await writeAgentsState(dir, { version: 1, agents: { builder: { ...emptyRecord(), up: true, restarts: 3, iteration: 7 } } });
      writeFileSync(layout.agents(dir), content);

      const read = loadAgentsState(dir);
      expect(read.corrupt).not.toBeNull();
      expect(read.from).toBe('good copy');
      expect(read.state.agents.builder).toMatchObject({ up: true, restarts: 3, iteration: 7 });
      // read-only: nothing moved, nothing written
      expect(asideFiles(dir, 'agents.json')).toEqual([]);
      expect(readEvents(dir)).toEqual([]);

      const recovered = await recoverAgentsState(dir);
      expect(recovered.rebuilt).toBe(true);
      expect(recovered.state.agents.builder).toMatchObject({ up: true, restarts: 3, iteration: 7 });
      const aside = asideFiles(dir, 'agents.json');
      expect(aside).toHaveLength(1);
      expect(readFileSync(join(dir, aside[0]!))).toEqual(Buffer.from(content));

      await updateAgentsState(dir, (state) => {
        state.agents.builder!.iteration += 1;
      });
      expect((await recoverAgentsState(dir)).rebuilt).toBe(false);
      const events = readEvents(dir);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ agent: 'state', event: 'state-corrupt' });
      expect(events[0]!.reason).toMatch(/agents\.json was corrupt .*moved aside to agents\.json\.corrupt-.*last good copy/);
      expect(loadAgentsState(dir).state.agents.builder?.iteration).toBe(8);
    });
  }

  it('with no good copy, the state starts empty and the running sessions are adopted', async () => {
    const dir = temp();
    writeFileSync(layout.agents(dir), '{}');
    const { state, rebuilt } = await recoverAgentsState(dir);
    expect(rebuilt).toBe(true);
    expect(state.agents).toEqual({});
    adoptRunning(state, [{ name: 'builder', running: true }, { name: 'adversary', running: false }], new Date(0));
    expect(state.agents.builder?.up).toBe(true);
    expect(state.agents.adversary).toBeUndefined();
  });

  it('fields a newer ao adds pass through untouched', async () => {
    const dir = temp();
    writeFileSync(layout.agents(dir), JSON.stringify({ version: 1, agents: { b: { ...emptyRecord(), up: true, exit: { status: 0 } } } }));
    expect(loadAgentsState(dir).corrupt).toBeNull();
    expect((loadAgentsState(dir).state.agents.b as unknown as { exit: unknown }).exit).toEqual({ status: 0 });
  });
});

function project(stateDir: string): Project {
  return projectOf({ stateDir, phases: ['one', 'two', 'three'].map((id) => phaseSpec(id)) });
}

describe('phase.json read when corrupt', () => {
  for (const [label, content] of Object.entries(BAD)) {
    it(`${label}: the phase is kept from the good copy, never reset to phase one`, async () => {
      const dir = temp();
      await writePhaseState(dir, { ...initialPhaseState(), index: 2, generation: 5 });
      writeFileSync(layout.phase(dir), content);
      expect(loadPhaseState(dir)).toMatchObject({ state: { index: 2, generation: 5 } });
      expect(readPhaseStateOf(project(dir))).toMatchObject({ index: 2, generation: 5 });
      expect(asideFiles(dir, 'phase.json')).toEqual([]);

      expect(await recoverPhaseStateOf(project(dir))).toMatchObject({ index: 2, generation: 5 });
      expect(asideFiles(dir, 'phase.json')).toHaveLength(1);
      expect(loadPhaseState(dir)).toMatchObject({ corrupt: null, state: { index: 2, generation: 5 } });
      await recoverPhaseStateOf(project(dir));
      expect(readEvents(dir).map((e) => `${e.agent} ${e.event}`)).toEqual(['phase state-corrupt']);
    });
  }

  it('with no good copy, it is rebuilt at the furthest phase the state folder shows, under the agents’ generation', async () => {
    const dir = temp();
    writeFileSync(join(dir, 'JOURNAL-one.md'), 'x');
    writeFileSync(join(dir, 'REVIEW-two.md'), 'x');
    writeFileSync(layout.phase(dir), '{}');
    expect(readPhaseStateOf(project(dir)).index).toBe(1);
    const state = await recoverPhaseStateOf(project(dir), 4);
    expect(state).toMatchObject({ index: 1, generation: 4 });
    expect(readEvents(dir)[0]?.reason).toMatch(/no good copy: rebuilt at phase 2/);
    expect(existsSync(`${layout.phase(dir)}.good`)).toBe(true);
  });
});

describe('agents.json of an older ao', () => {
  it('reads its `sessionId` as the conversation (conversationId), and keeps a newer one where both are there', () => {
    const dir = temp();
    const old = { up: true, startedAt: null, restarts: 0, iteration: 0, model: null };
    writeFileSync(
      layout.agents(dir),
      JSON.stringify({ version: 1, agents: { a: { ...old, sessionId: 'conv-1' }, b: { ...old, sessionId: 'stale', conversationId: 'conv-2' } } }),
    );
    const { state, corrupt } = loadAgentsState(dir);
    expect(corrupt).toBeNull();
    expect(state.agents.a).toMatchObject({ conversationId: 'conv-1' });
    expect(state.agents.a).not.toHaveProperty('sessionId');
    expect(state.agents.b).toMatchObject({ conversationId: 'conv-2' });
    expect(state.agents.b).not.toHaveProperty('sessionId');
  });
});
