import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readInbox } from '../../../src/coord/inbox.js';
import { deliverOutboxes, parseOutboxMessage, writeOutbox } from '../../../src/coord/outbox.js';
import { layout } from '../../../src/state/layout.js';

// A sandboxed agent's messages: left in its own outbox, delivered by the watchdog from the outbox's owner.

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const stateDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'ao-outbox-'));
  dirs.push(dir);
  return dir;
};

describe('outboxes', () => {
  it("delivers each message from the outbox's owner, oldest first, and removes it", async () => {
    const state = stateDir();
    writeOutbox(state, 'builder', 'orchestrator', 'first', new Date(1000));
    writeOutbox(state, 'builder', 'orchestrator', 'second', new Date(2000));
    const done = await deliverOutboxes(state, ['builder', 'orchestrator'], 1024);
    expect(done.map((d) => [d.owner, d.to, 'message' in d.outcome])).toEqual([
      ['builder', 'orchestrator', true],
      ['builder', 'orchestrator', true],
    ]);
    expect(readInbox(state, 'orchestrator').map((m) => [m.from, m.text])).toEqual([
      ['builder', 'first'],
      ['builder', 'second'],
    ]);
    expect(readdirSync(layout.outbox(state, 'builder'))).toEqual([]);
  });

  it('the sender is the owner whatever the message says, and a message to no agent or no message at all is dropped', async () => {
    const state = stateDir();
    const file = writeOutbox(state, 'builder', 'orchestrator', 'hi');
    // a message that claims another sender: the field is no part of it
    writeFileSync(file, JSON.stringify({ to: 'orchestrator', text: 'hi', from: 'adversary' }));
    writeOutbox(state, 'builder', 'nobody', 'lost');
    writeFileSync(join(layout.outbox(state, 'builder'), '0000000001-abcdef.json'), 'not json');
    const done = await deliverOutboxes(state, ['builder', 'orchestrator'], 1024);
    expect(done.map((d) => ('dropped' in d.outcome ? d.outcome.dropped.replace(/^\S+: /, '') : 'delivered')).sort()).toEqual([
      'delivered',
      'no agent nobody',
      'not JSON',
    ]);
    expect(readInbox(state, 'orchestrator').map((m) => m.from)).toEqual(['builder']);
    expect(existsSync(layout.inbox(state, 'nobody'))).toBe(false);
  });

  it('leaves alone files that are no finished message and the outboxes of names that are no agent', async () => {
    const state = stateDir();
    writeOutbox(state, 'ghost', 'orchestrator', 'hi');
    writeFileSync(join(layout.outbox(state, 'ghost'), 'x.json.ao-tmp-123456'), '{}');
    expect(await deliverOutboxes(state, ['orchestrator'], 1024)).toEqual([]);
    expect(readdirSync(layout.outbox(state, 'ghost'))).toHaveLength(2);
  });

  it('parses only a message with a recipient and a text', () => {
    expect(parseOutboxMessage('{"to":"a","text":"t","time":"x"}')).toEqual({ to: 'a', text: 't', time: 'x' });
    expect(parseOutboxMessage('{"to":"a"}')).toEqual({ problem: 'no "to" and "text"' });
    expect(parseOutboxMessage('null')).toEqual({ problem: 'no "to" and "text"' });
  });
});
