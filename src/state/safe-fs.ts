/**
 * THE way ao opens a file in a state folder (DESIGN §4): anything that can
 * write there (an agent, another user's process) may plant a symlink, a FIFO
 * or a device where ao expects its own file. So every open refuses a link
 * (O_NOFOLLOW) and anything that is not a regular file (opened O_NONBLOCK, so a
 * FIFO never blocks, then fstat), a folder ao made inside the state folder is
 * checked with lstat, reads are bounded, atomic writes go through an
 * unpredictable temp name opened O_EXCL and a rename (which never follows a
 * link at its destination), and everything ao creates is 0600 (folders 0700)
 * whatever the umask. A refusal is a BadFileError naming the file and why;
 * the watchdog reports each one once (takeBadFiles).
 */
import { randomHex } from './digest.js';
import { closeSync, constants, fchmodSync, fstatSync, fsyncSync, ftruncateSync, lstatSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { layout } from './layout.js';

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_APPEND, O_NOFOLLOW, O_NONBLOCK } = constants;

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;
/** A JSON state file (agents.json, phase.json, the caches) past this is a bad file: 200 agents' records are ~200 kB. */
export const JSON_CAP = 8 * 1024 * 1024;
/** A text ao reads whole (a kickoff, a plan, a prompt, a template) past this is a bad file. */
export const TEXT_CAP = 4 * 1024 * 1024;
/** What is read of a file ao reads by its tail (a journal, a review, an inbox): the newest 4 MB. */
export const TAIL_CAP = 4 * 1024 * 1024;

/** A file in the state folder ao refuses to touch: a link, a FIFO, a device, a folder, one past its cap. */
export class BadFileError extends Error {
  readonly code = 'EBADFILE';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`refused ${file}: ${reason}`);
    noteBadFile(file, reason);
  }
}

export const isBadFile = (error: unknown): error is BadFileError => error instanceof BadFileError;

// Every refusal of this process, so that the watchdog reports each file once, not at every sweep.
const reported = new Set<string>();
let pending: Array<{ file: string; reason: string }> = [];

function noteBadFile(file: string, reason: string): void {
  const key = `${file}\0${reason}`;
  if (reported.has(key)) return;
  reported.add(key);
  pending.push({ file, reason });
}

/** The refusals not taken yet, each file and reason once in this process's life. */
export function takeBadFiles(): Array<{ file: string; reason: string }> {
  const taken = pending;
  pending = [];
  return taken;
}

const code = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;

function kindOf(mode: number): string {
  const type = mode & constants.S_IFMT;
  if (type === constants.S_IFIFO) return 'a FIFO';
  if (type === constants.S_IFCHR || type === constants.S_IFBLK) return 'a device';
  if (type === constants.S_IFDIR) return 'a folder';
  if (type === constants.S_IFSOCK) return 'a socket';
  if (type === constants.S_IFLNK) return 'a symbolic link';
  return 'not a regular file';
}

/**
 * The folders between the state folder and `file` that ao made (its own
 * subfolders, or every folder below `root` when given) must be folders, not
 * links: a linked `inbox/` would carry every inbox elsewhere.
 */
export function checkParents(file: string, root?: string): void {
  const dirs: string[] = [];
  if (root !== undefined) {
    const rel = relative(root, dirname(file));
    if (rel.startsWith('..')) throw new BadFileError(file, `not inside ${root}`);
    let at = root;
    for (const part of rel === '' ? [] : rel.split(sep)) dirs.push((at = join(at, part)));
  } else if (layout.isSubfolder(basename(dirname(file)))) {
    dirs.push(dirname(file));
  }
  for (const dir of dirs) {
    let st;
    try {
      st = lstatSync(dir);
    } catch (error) {
      if (code(error) === 'ENOENT') continue;
      throw error;
    }
    if (!st.isDirectory()) throw new BadFileError(file, `its folder ${dir} is ${kindOf(Number(st.mode))}`);
  }
}

/** Makes a folder (and its parents) 0700, and refuses one that is a link. */
export function ensureDir(dir: string, root?: string): void {
  // as the folder of a file in it: checked when it is one of ao's subfolders or below `root`, before and after
  checkParents(join(dir, '-'), root);
  if (root === undefined) mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  else {
    // below `root` one folder at a time, each checked before the next is made in it
    mkdirSync(root, { recursive: true, mode: DIR_MODE });
    let at = root;
    for (const part of relative(root, dir).split(sep).filter(Boolean)) {
      at = join(at, part);
      try {
        mkdirSync(at, { mode: DIR_MODE });
      } catch (error) {
        if (code(error) !== 'EEXIST') throw error;
      }
      checkParents(join(at, '-'), root);
    }
  }
  checkParents(join(dir, '-'), root);
}

/**
 * Opens a file of the state folder without following a link and without
 * blocking; throws BadFileError for anything but a regular file (and ENOENT
 * as it is when the file is missing and `flags` do not create it).
 */
export function openSafe(file: string, flags: number, root?: string): number {
  checkParents(file, root);
  let fd: number;
  try {
    fd = openSync(file, flags | O_NOFOLLOW | O_NONBLOCK, FILE_MODE);
  } catch (error) {
    const c = code(error);
    if (c === 'ELOOP') throw new BadFileError(file, 'it is a symbolic link');
    if (c === 'ENXIO') throw new BadFileError(file, 'it is a FIFO'); // opened for writing with no reader
    if (c === 'EISDIR') throw new BadFileError(file, 'it is a folder');
    throw error;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new BadFileError(file, `it is ${kindOf(st.mode)}`);
    // a file ao creates is 0600 whatever the umask
    if (flags & O_CREAT && (st.mode & 0o777) !== FILE_MODE && st.uid === process.getuid?.()) fchmodSync(fd, FILE_MODE);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}

/** Reads `length` bytes at `position` (fewer at the end of the file). */
function readAt(fd: number, length: number, position: number): Buffer {
  const buffer = Buffer.alloc(length);
  let at = 0;
  while (at < length) {
    const n = readSync(fd, buffer, at, length - at, position + at);
    if (n === 0) break;
    at += n;
  }
  return buffer.subarray(0, at);
}

/** A whole file's bytes, or null when it does not exist; past `cap` bytes it is a bad file. */
export function readBytesCapped(file: string, cap: number, root?: string): Buffer | null {
  let fd: number;
  try {
    fd = openSafe(file, O_RDONLY, root);
  } catch (error) {
    if (code(error) === 'ENOENT') return null;
    throw error;
  }
  try {
    const size = fstatSync(fd).size;
    if (size > cap) throw new BadFileError(file, `it is larger than ${cap} bytes (${size})`);
    return readAt(fd, size, 0);
  } finally {
    closeSync(fd);
  }
}

/** A whole text file, or null when it does not exist; past `cap` bytes it is a bad file. */
export function readTextCapped(file: string, cap = TEXT_CAP, root?: string): string | null {
  return readBytesCapped(file, cap, root)?.toString('utf8') ?? null;
}

/**
 * A text of the project beside agents.toml (the kickoff template, a prompt, a
 * plan): a link is followed (config validation checks where it leads), but
 * never blocking on a FIFO and never past `cap` (a link to /dev/zero).
 * Missing throws ENOENT; anything but a regular file throws BadFileError.
 */
export function readProjectText(file: string, cap = TEXT_CAP): string {
  let fd: number;
  try {
    fd = openSync(file, O_RDONLY | O_NONBLOCK);
  } catch (error) {
    if (code(error) === 'ENXIO') throw new BadFileError(file, 'it is not a regular file');
    throw error;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new BadFileError(file, `it is ${kindOf(st.mode)}`);
    if (st.size > cap) throw new BadFileError(file, `it is larger than ${cap} bytes (${st.size})`);
    return readAt(fd, st.size, 0).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** readTextCapped of a file that must exist: a missing one throws ENOENT with its name. */
export function readTextFile(file: string, cap = TEXT_CAP): string {
  const text = readTextCapped(file, cap);
  if (text === null) throw Object.assign(new Error(`ENOENT: no such file, open '${file}'`), { code: 'ENOENT' });
  return text;
}

/** The last `maxBytes` of a file from `since` on (all of it when shorter), its size and where the part read starts; null when missing. */
export function readTail(file: string, maxBytes = TAIL_CAP, since = 0): { text: string; start: number; size: number } | null {
  const tail = tailBytes(file, maxBytes, since);
  return tail && { text: tail.bytes.toString('utf8'), start: tail.start, size: tail.size };
}

/** The last `maxBytes` of a file as bytes (all of it when shorter), and whether it was cut; null when missing. Never through a link. */
export function readTailBytes(file: string, maxBytes: number): { bytes: Buffer; cut: boolean } | null {
  const tail = tailBytes(file, maxBytes, 0);
  return tail && { bytes: tail.bytes, cut: tail.start > 0 };
}

/** The one tail read under both: opened safely, the part from `since` (0 when the file is now shorter) bounded to `maxBytes`. */
function tailBytes(file: string, maxBytes: number, since: number): { bytes: Buffer; start: number; size: number } | null {
  let fd: number;
  try {
    fd = openSafe(file, O_RDONLY);
  } catch (error) {
    if (code(error) === 'ENOENT') return null;
    throw error;
  }
  try {
    const size = fstatSync(fd).size;
    const from = since <= size ? since : 0;
    const start = Math.max(from, size - maxBytes);
    return { bytes: readAt(fd, size - start, start), start, size };
  } finally {
    closeSync(fd);
  }
}

/** The whole lines of a file's newest `maxBytes` (a line cut at the start is left out); '' when it is missing or bad (a refusal is noted). */
export function readTailLines(file: string, maxBytes = TAIL_CAP): string {
  let tail;
  try {
    tail = readTail(file, maxBytes);
  } catch {
    return '';
  }
  if (tail === null) return '';
  return tail.start > 0 ? tail.text.slice(tail.text.indexOf('\n') + 1) : tail.text;
}

/** A fd to read at a position and append at the end (`read`: also readable, for a torn last line). */
export function openAppend(file: string, options: { read?: boolean; root?: string } = {}): number {
  return openSafe(file, (options.read ? O_RDWR : O_WRONLY) | O_APPEND | O_CREAT, options.root);
}

/** Appends `text` in one write (a line under PIPE_BUF is never torn by another appender). */
export function appendText(file: string, text: string, root?: string): void {
  const fd = openAppend(file, root === undefined ? {} : { root });
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** Creates a file ao owns (0600) if it is missing, so that a writer that opens it later finds ao's own file. */
export function createOwn(file: string): void {
  closeSync(openSafe(file, O_WRONLY | O_APPEND | O_CREAT));
}

/** A fd of a file ao writes from its start (a stream), truncated, refused if it is not ao's regular file. */
export function openTruncate(file: string): number {
  const fd = openSafe(file, O_WRONLY | O_CREAT);
  ftruncateSync(fd, 0);
  return fd;
}

/**
 * Temp file, fsync, rename: a crash leaves the old content or the new, never
 * a torn file. The temp's name is unpredictable and opened O_EXCL|O_NOFOLLOW
 * (nothing planted can be written through), and the rename replaces whatever
 * is at `file` (a link itself, never its target).
 */
export function writeAtomic(file: string, data: string | Buffer, options: { fsync?: boolean; root?: string } = {}): void {
  ensureDir(dirname(file), options.root);
  checkParents(file, options.root);
  const temp = layout.atomicTemp(file, randomHex(8));
  const fd = openSync(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, FILE_MODE);
  try {
    try {
      fchmodSync(fd, FILE_MODE);
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
      if (options.fsync !== false) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
