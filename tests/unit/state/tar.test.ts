import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { tarOf } from '../../../src/state/tar.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('tarOf', () => {
  it('writes an archive tar opens: nested paths, a path past 100 bytes, empty and binary files, the bytes exact', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ao-tar-'));
    dirs.push(dir);
    const long = `root/${'a'.repeat(60)}/${'b'.repeat(60)}/file.txt`;
    const binary = Buffer.from(Array.from({ length: 1500 }, (_, i) => i % 256));
    const entries = [
      { path: 'root/README.md', bytes: Buffer.from('# hi\n') },
      { path: 'root/empty', bytes: Buffer.alloc(0) },
      { path: long, bytes: Buffer.from('deep\n') },
      { path: 'root/bin', bytes: binary },
    ];
    writeFileSync(join(dir, 'x.tar.gz'), gzipSync(tarOf(entries)));
    const listed = execFileSync('tar', ['-tzf', join(dir, 'x.tar.gz')], { encoding: 'utf8' }).trim().split('\n');
    expect(listed).toEqual(entries.map((e) => e.path));
    execFileSync('tar', ['-xzf', join(dir, 'x.tar.gz'), '-C', dir]);
    for (const e of entries) expect(readFileSync(join(dir, e.path))).toEqual(e.bytes);
  });

  it('refuses a path no ustar header can hold', () => {
    expect(() => tarOf([{ path: 'x'.repeat(300), bytes: Buffer.alloc(1) }])).toThrow(/too long/);
  });
});
