/**
 * Messages with attested senders (`sandbox = "bwrap"`): inside its sandbox an
 * agent can write no inbox, only its own outbox (`state/outbox/<agent>/`, the
 * one folder of the state folder bound read-write for it). `ao send` there
 * leaves the message as a file; the watchdog moves it into the recipient's
 * inbox with the sender set to the outbox's owner, whatever the message or
 * AO_AGENT say, and removes it.
 */
import { randomHex } from '../state/digest.js';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { layout } from '../state/layout.js';
import { readTextCapped, writeAtomic } from '../state/safe-fs.js';
import { appendMessage, type Message } from './inbox.js';

/** One message waiting in an outbox. */
export interface OutboxMessage {
  to: string;
  text: string;
  /** ISO 8601, when it was sent */
  time: string;
}

/** A message file's name: sortable by time, unique, `.json` (what a write under way is not). */
const MESSAGE_FILE = /^[0-9a-z]+-[0-9a-f]+\.json$/;

/** Leaves a message in `owner`'s outbox; returns its file. */
export function writeOutbox(stateDir: string, owner: string, to: string, text: string, now = new Date()): string {
  const name = `${now.getTime().toString(36).padStart(10, '0')}-${randomHex(6)}.json`;
  const file = join(layout.outbox(stateDir, owner), name);
  const message: OutboxMessage = { to, text, time: now.toISOString() };
  writeAtomic(file, `${JSON.stringify(message)}\n`);
  return file;
}

/** The message a file holds, or why it is none. */
export function parseOutboxMessage(text: string): OutboxMessage | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'not JSON' };
  }
  const v = value as Partial<OutboxMessage> | null;
  if (typeof v !== 'object' || v === null || typeof v.to !== 'string' || typeof v.text !== 'string') return { problem: 'no "to" and "text"' };
  return { to: v.to, text: v.text, time: typeof v.time === 'string' ? v.time : '' };
}

export interface Delivery {
  owner: string;
  to: string;
  /** the inbox record, why the message was dropped, or why it stays for the next sweep */
  outcome: { message: Message } | { dropped: string } | { kept: string };
}

/**
 * Moves every message of the agents' outboxes into its recipient's inbox, from
 * the outbox's owner, oldest first; one that names no agent of `agents`, or
 * that is no message, is dropped and said so. Outboxes of names that are no
 * agent are left alone.
 */
export async function deliverOutboxes(stateDir: string, agents: readonly string[], cap: number): Promise<Delivery[]> {
  const done: Delivery[] = [];
  for (const owner of agents) {
    const dir = layout.outbox(stateDir, owner);
    let names: string[];
    try {
      names = readdirSync(dir)
        .filter((n) => MESSAGE_FILE.test(n))
        .sort();
    } catch {
      continue; // no outbox: it never ran sandboxed
    }
    for (const name of names) {
      const file = join(dir, name);
      let parsed: OutboxMessage | { problem: string };
      try {
        parsed = parseOutboxMessage(readTextCapped(file, cap + 4096) ?? '');
      } catch (error) {
        parsed = { problem: (error as { reason?: string }).reason ?? (error as Error).message };
      }
      if ('problem' in parsed) done.push({ owner, to: '?', outcome: { dropped: `${name}: ${parsed.problem}` } });
      else if (!agents.includes(parsed.to)) done.push({ owner, to: parsed.to, outcome: { dropped: `${name}: no agent ${parsed.to}` } });
      else {
        try {
          done.push({ owner, to: parsed.to, outcome: { message: await appendMessage(stateDir, parsed.to, owner, parsed.text) } });
        } catch (error) {
          // the inbox refused (a lock, a full disk): kept for the next sweep
          done.push({ owner, to: parsed.to, outcome: { kept: `${name}: ${(error as Error).message}` } });
          continue;
        }
      }
      rmSync(file, { force: true });
    }
  }
  return done;
}
