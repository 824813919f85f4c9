import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { realInside } from '../../../src/config/find.js';
import { keepGoodCopy } from '../../../src/state/files.js';
import { removeStaleTemps, tightenStateModes } from '../../../src/state/housekeeping.js';
import { layout } from '../../../src/state/layout.js';
import { capLog } from '../../../src/state/logcap.js';
import { emptyReport, readUsageReport } from '../../../src/state/usage.js';
import {
  appendText,
  BadFileError,
  createOwn,
  ensureDir,
  openTruncate,
  readProjectText,
  readTail,
  readTailLines,
  readTextCapped,
  takeBadFiles,
  writeAtomic,
} from '../../../src/state/safe-fs.js';

let dir: string;
let victim: string;
const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const mode = (file: string): number => lstatSync(file).mode & 0o777;
let umask: number;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ao-safe-fs-'));
  victim = join(dir, 'victim.txt');
  writeFileSync(victim, 'the victim must not change\n');
  umask = process.umask(0o022);
  takeBadFiles();
});
afterEach(() => {
  process.umask(umask);
  rmSync(dir, { recursive: true, force: true });
});

/** What can be planted where ao expects its own file. */
const planted: Array<[string, (file: string) => void, RegExp]> = [
  ['a link to a file', (file) => symlinkSync(victim, file), /symbolic link/],
  ['a FIFO', (file) => execFileSync('mkfifo', [file]), /FIFO/],
  ['a link to /dev/null', (file) => symlinkSync('/dev/null', file), /symbolic link/],
  ['a folder', (file) => mkdirSync(file), /folder/],
];

describe('every open refuses what is not ao’s regular file, without blocking', () => {
  it.each(planted)('reading %s is a BadFileError naming it', (_what, plant, reason) => {
    const file = join(dir, 'JOURNAL-p1.md');
    plant(file);
    expect(() => readTextCapped(file)).toThrow(BadFileError);
    expect(() => readTextCapped(file)).toThrow(reason);
    expect(() => readTail(file)).toThrow(BadFileError);
    expect(readTailLines(file)).toBe('');
    expect(sha(victim)).toBe(sha(victim));
  });

  it.each(planted)('appending to %s writes nothing anywhere', (_what, plant, reason) => {
    const file = join(dir, 'events.jsonl');
    plant(file);
    const before = sha(victim);
    expect(() => appendText(file, 'line\n')).toThrow(reason);
    expect(() => createOwn(file)).toThrow(BadFileError);
    expect(() => openTruncate(file)).toThrow(BadFileError);
    expect(sha(victim)).toBe(before);
  });

  it('a FIFO as usage.jsonl is no usage for status and the sweep, never a hang or a throw', () => {
    execFileSync('mkfifo', [join(dir, 'usage.jsonl')]);
    expect(readUsageReport(dir)).toEqual(emptyReport());
    expect(takeBadFiles()).toEqual([{ file: join(dir, 'usage.jsonl'), reason: 'it is a FIFO' }]);
  });

  it('reads a device given directly (/dev/null) as a bad file, never as empty text', () => {
    expect(() => readTextCapped('/dev/null')).toThrow(/device/);
    expect(() => readProjectText('/dev/zero')).toThrow(/device/);
  });

  it('refuses a file past its cap, and reads only the tail of one read by its tail', () => {
    const file = join(dir, 'big.md');
    writeFileSync(file, `${'x'.repeat(100)}\nlast line\n`);
    expect(() => readTextCapped(file, 50)).toThrow(/larger than 50 bytes/);
    expect(readTextCapped(file, 200)).toBe(`${'x'.repeat(100)}\nlast line\n`);
    const tail = readTail(file, 20);
    expect(tail).toEqual({ text: 'xxxxxxxxx\nlast line\n', start: 91, size: 111 });
    expect(readTailLines(file, 20)).toBe('last line\n');
    expect(readTextCapped(join(dir, 'missing'))).toBeNull();
  });

  it('refuses a file under a linked subfolder of ao’s (inbox/ -> elsewhere)', () => {
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, join(dir, 'inbox'));
    expect(() => appendText(join(dir, 'inbox', 'b.md'), 'hi\n')).toThrow(/its folder .*inbox is a symbolic link/);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(() => ensureDir(join(dir, 'inbox'))).toThrow(BadFileError);
    // below an explicit root every folder is checked
    symlinkSync(elsewhere, join(dir, 'out'));
    expect(() => writeAtomic(join(dir, 'out', 'a', 'b.txt'), 'x', { root: dir })).toThrow(/symbolic link/);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('reports each refused file once (takeBadFiles), whatever the number of refusals', () => {
    const file = join(dir, 'REVIEW-p1.md');
    symlinkSync('/dev/zero', file);
    for (let i = 0; i < 5; i++) expect(readTailLines(file)).toBe('');
    expect(takeBadFiles()).toEqual([{ file, reason: 'it is a symbolic link' }]);
    readTailLines(file);
    expect(takeBadFiles()).toEqual([]);
  });
});

describe('writes', () => {
  it('an atomic write replaces a link at its name (the link itself), 0600 under umask 022, and leaves no temp', () => {
    const file = join(dir, 'kickoff', 'b.md');
    ensureDir(join(dir, 'kickoff'));
    symlinkSync(victim, file);
    const before = sha(victim);
    writeAtomic(file, 'the kickoff\n');
    expect(sha(victim)).toBe(before);
    expect(lstatSync(file).isFile()).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('the kickoff\n');
    expect(mode(file)).toBe(0o600);
    expect(mode(join(dir, 'kickoff'))).toBe(0o700);
    expect(readdirSync(join(dir, 'kickoff'))).toEqual(['b.md']);
  });

  it('uses an unpredictable temp name that housekeeping recognises', () => {
    const a = layout.atomicTemp('/s/agents.json', 'a1b2c3d4e5f6a7b8');
    expect(layout.isAtomicTemp(a.split('/').pop()!)).toBe(true);
    expect(layout.isAtomicTemp('b.ao-tmp-Xy12Ab34Cd')).toBe(true); // the launcher's mktemp
    expect(layout.isAtomicTemp('agents.json')).toBe(false);
    expect(layout.isAtomicTemp('b.md')).toBe(false);
    const stale = join(dir, 'exits', 'b.ao-tmp-Xy12Ab34Cd');
    ensureDir(join(dir, 'exits'));
    writeFileSync(stale, '1 0\n');
    utimesSync(stale, new Date(0), new Date(0));
    expect(removeStaleTemps(dir)).toBe(1);
    expect(readdirSync(join(dir, 'exits'))).toEqual([]);
  });

  it('keeps the good copy through a safe write: a planted agents.json.good link is replaced, never written through', () => {
    const file = join(dir, 'agents.json');
    writeAtomic(file, '{"version":1}\n');
    symlinkSync(victim, layout.goodCopy(file));
    const before = sha(victim);
    keepGoodCopy(file);
    expect(sha(victim)).toBe(before);
    expect(readFileSync(layout.goodCopy(file), 'utf8')).toBe('{"version":1}\n');
    expect(mode(layout.goodCopy(file))).toBe(0o600);
  });

  it('appends and creates 0600 files under umask 022', () => {
    const file = join(dir, 'usage.jsonl');
    appendText(file, 'a\n');
    appendText(file, 'b\n');
    expect(readFileSync(file, 'utf8')).toBe('a\nb\n');
    expect(mode(file)).toBe(0o600);
    createOwn(join(dir, 'pane.log'));
    expect(mode(join(dir, 'pane.log'))).toBe(0o600);
  });
});

describe('the log cap works through its own descriptor', () => {
  it('never truncates a linked log’s target nor writes the tail into a linked .1', () => {
    const logs = join(dir, 'logs');
    ensureDir(logs);
    const big = join(dir, 'big-victim.log');
    writeFileSync(big, 'y'.repeat(4000));
    symlinkSync(big, join(logs, 'b.log'));
    const before = sha(big);
    expect(capLog(join(logs, 'b.log'), 1000)).toBe(false);
    expect(sha(big)).toBe(before);

    writeFileSync(join(logs, 'c.log'), `${'z'.repeat(3000)}TAIL`);
    symlinkSync(victim, join(logs, 'c.log.1'));
    const victimBefore = sha(victim);
    expect(capLog(join(logs, 'c.log'), 1000)).toBe(true);
    expect(sha(victim)).toBe(victimBefore);
    expect(statSync(join(logs, 'c.log')).size).toBe(0);
    expect(readFileSync(join(logs, 'c.log.1'), 'utf8')).toMatch(/TAIL$/);
    expect(lstatSync(join(logs, 'c.log.1')).isSymbolicLink()).toBe(false);
  });
});

describe('project texts (kickoff template, prompts, plans)', () => {
  it('are read without blocking on a FIFO and never past the cap (a link to /dev/zero)', () => {
    const fifo = join(dir, 'kickoff.md');
    execFileSync('mkfifo', [fifo]);
    expect(() => readProjectText(fifo)).toThrow(/FIFO/);
    const zero = join(dir, 'zero.md');
    symlinkSync('/dev/zero', zero);
    expect(() => readProjectText(zero)).toThrow(/device/);
    const big = join(dir, 'big.md');
    writeFileSync(big, 'x'.repeat(2000));
    expect(() => readProjectText(big, 1000)).toThrow(/larger than 1000/);
  });

  it('are inside the project only once links are resolved', () => {
    const project = join(dir, 'p');
    mkdirSync(join(project, 'sub'), { recursive: true });
    symlinkSync('/', join(project, 'rootlink'));
    expect(realInside(project, join(project, 'sub'))).toBe(true);
    expect(realInside(project, join(project, 'not-yet', 'there'))).toBe(true);
    expect(realInside(project, join(project, 'rootlink', 'etc'))).toBe(false);
    expect(readlinkSync(join(project, 'rootlink'))).toBe('/');
  });
});

describe('tightenStateModes', () => {
  it('takes group and other bits off an older state folder, leaving links alone', () => {
    const state = join(dir, 'state');
    mkdirSync(join(state, 'inbox'), { recursive: true, mode: 0o755 });
    writeFileSync(join(state, 'agents.json'), '{}', { mode: 0o644 });
    writeFileSync(join(state, 'inbox', 'b.md'), '', { mode: 0o644 });
    symlinkSync(victim, join(state, 'link'));
    const victimMode = mode(victim);
    expect(tightenStateModes(state)).toBe(4);
    expect([mode(state), mode(join(state, 'inbox')), mode(join(state, 'agents.json')), mode(join(state, 'inbox', 'b.md'))]).toEqual([0o700, 0o700, 0o600, 0o600]);
    expect(mode(victim)).toBe(victimMode);
    expect(tightenStateModes(state)).toBe(0);
  });
});
