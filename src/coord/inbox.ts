import { randomHex } from '../state/digest.js';
import * as fs from 'node:fs';
import { closeSync, fdatasyncSync, fstatSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';
import { safeText } from '../text/safe.js';
import { RuntimeError, UsageError } from '../errors.js';
import { layout } from '../state/layout.js';
import { DIR_MODE, ensureDir, isBadFile, openAppend, readTail, TAIL_CAP } from '../state/safe-fs.js';

/** proper-lockfile's lock folder, made 0700 like every folder ao makes */
const lockFs = { ...fs, mkdir: (path: fs.PathLike, callback: fs.NoParamCallback) => fs.mkdir(path, DIR_MODE, callback) };

/** The most a message may hold, counted in UTF-8 bytes as given (1 MB). */
export const MESSAGE_CAP = 1024 * 1024;

/** One message in an agent's inbox (`state/inbox/<agent>.md`). */
export interface Message {
  id: string;
  /** ISO 8601, UTC */
  time: string;
  from: string;
  text: string;
}

/*
 * The file is Markdown an agent reads as is. Each record is a header line, the
 * text as a block quote (every line prefixed, so no line of a message can pass
 * for a header or for the end of a record), then a blank line:
 *
 *   ## lz1k2m3n-4f2-1-9a0b1c · 2025-06-01T10:00:00.000Z · from maintainer
 *   > Please look at the failing test.
 *   >
 *   > Thanks
 *
 * A record counts only once its blank line is there, so one cut short by a
 * crash is dropped; lines that are not part of a record (notes a human added)
 * are ignored.
 */
const HEADER = /^## ([0-9a-z][0-9a-z.-]*) · (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) · from (.+)$/;

/**
 * Message text made safe to show in a terminal or paste into a pane (see
 * safeText), trailing whitespace trimmed.
 */
export function sanitizeMessage(text: string): string {
  return safeText(text).trimEnd();
}

/** A sender's name on one line: sanitized, whitespace runs made single spaces. */
function sanitizeSender(from: string): string {
  return sanitizeMessage(from).replace(/\s+/g, ' ').trim();
}

let counter = 0;

/** Unique across processes: time, pid, a per-process counter and random bits. */
function newId(): string {
  counter += 1;
  return [Date.now().toString(36), process.pid.toString(36), counter.toString(36), randomHex(3)].join('-');
}

/** One record as it is written to the file. */
export function formatRecord(message: Message): string {
  const quoted = message.text.split('\n').map((line) => (line === '' ? '>' : `> ${line}`));
  return `## ${message.id} · ${message.time} · from ${message.from}\n${quoted.join('\n')}\n\n`;
}

/** The messages in an inbox file's content, in file order. */
export function parseInbox(content: string): Message[] {
  const lines = content.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  // the last element follows the last newline: empty, or a line cut short; it never ends a record
  const last = lines.length - 1;
  const messages: Message[] = [];
  for (let i = 0; i < last;) {
    const header = HEADER.exec(lines[i] ?? '');
    i += 1;
    if (!header) continue;
    const body: string[] = [];
    for (; i < last; i += 1) {
      const line = lines[i] ?? '';
      if (line !== '>' && !line.startsWith('> ')) break;
      body.push(line.slice(2));
    }
    if (i < last && lines[i] === '' && body.length > 0) {
      messages.push({ id: header[1] ?? '', time: header[2] ?? '', from: sanitizeSender(header[3] ?? ''), text: sanitizeMessage(body.join('\n')) });
      i += 1;
    }
  }
  return messages;
}

/**
 * An agent's messages, oldest first (those in the inbox's newest TAIL_CAP
 * bytes); none when the inbox does not exist. Creates nothing. An inbox that
 * is a link, a FIFO or a device throws BadFileError.
 */
export function readInbox(stateDir: string, agent: string): Message[] {
  const tail = readTail(layout.inbox(stateDir, agent), TAIL_CAP);
  if (tail === null) return [];
  // a tail that starts inside a record: its first line is cut, and the rest of the record has no header
  return parseInbox(tail.start > 0 ? tail.text.slice(tail.text.indexOf('\n') + 1) : tail.text);
}

/**
 * Appends one message to `to`'s inbox under a lock beside it
 * (`<inbox>.lock`), in one write, so concurrent senders never interleave.
 */
export async function appendMessage(stateDir: string, to: string, from: string, text: string): Promise<Message> {
  const body = sanitizeMessage(text);
  if (body === '') throw new UsageError('the message is empty (once control characters are removed)');
  const sender = sanitizeSender(from);
  if (sender === '') throw new UsageError('the sender has no name');
  const file = layout.inbox(stateDir, to);
  ensureDir(dirname(file));
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(file, {
      lockfilePath: layout.appendLock(file),
      realpath: false,
      fs: lockFs,
      stale: 10_000,
      // many senders at once: short randomized waits, a minute or two in all (a crashed holder's lock goes stale after 10 s)
      retries: { retries: 600, factor: 1.2, minTimeout: 5, maxTimeout: 100, randomize: true },
    });
  } catch (error) {
    throw new RuntimeError(`cannot lock ${file}: ${(error as Error).message}`);
  }
  try {
    const message: Message = { id: newId(), time: new Date().toISOString(), from: sender, text: body };
    // never through a planted link, never into a FIFO: a bad inbox is refused with its name
    let fd: number;
    try {
      fd = openAppend(file, { read: true });
    } catch (error) {
      if (isBadFile(error)) throw new RuntimeError(`cannot append to ${file}: ${error.reason}; ao never writes through a link or into a FIFO`);
      throw error;
    }
    try {
      const { size } = fstatSync(fd);
      let lead = '';
      if (size > 0) {
        // a record cut short by a crash must not swallow the header of this one
        const lastByte = Buffer.alloc(1);
        readSync(fd, lastByte, 0, 1, size - 1);
        if (lastByte[0] !== 0x0a) lead = '\n';
      }
      const data = Buffer.from(lead + formatRecord(message), 'utf8');
      const bytesWritten = writeSync(fd, data, 0, data.length);
      // a short write (disk full) leaves a record without its blank line, which readers drop
      if (bytesWritten !== data.length) throw new RuntimeError(`short write to ${file} (${bytesWritten} of ${data.length} bytes); is the disk full?`);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return message;
  } finally {
    await release();
  }
}
