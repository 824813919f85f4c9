import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../../helpers/ao.js';
import { parseEventLine } from '../../../src/state/events.js';
import { parseUsageLine } from '../../../src/state/usage.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const EVENT = JSON.stringify({ time: 't', agent: 'a', event: 'start', reason: 'r' }) + '\n';
const USAGE =
  JSON.stringify({
    time: 't',
    agent: 'a',
    phase: 'one',
    iteration: 1,
    usage: { input_tokens: 1, output_tokens: 1, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: null },
  }) + '\n';

/**
 * A real short write, without root or a full disk: the appends run in a child
 * under `ulimit -f 4` (2 kB in dash's 512-byte blocks) with SIGXFSZ ignored, so
 * the kernel writes the part of a 3 kB line that fits and refuses the rest.
 */
function appendOverTheLimit(stateDir: string): { event: string | null; usage: string | null } {
  const child = spawnSync(
    'sh',
    ['-c', 'trap "" XFSZ; ulimit -f 4; exec "$0" "$@"', join(REPO, 'node_modules', '.bin', 'vite-node'), join(REPO, 'tests', 'fixtures', 'append-under-limit.ts'), stateDir, '3000'],
    { cwd: REPO, encoding: 'utf8', timeout: 60_000 },
  );
  expect(child.status, child.stderr).toBe(0);
  return JSON.parse(child.stdout) as { event: string | null; usage: string | null };
}

describe('an append that the disk takes only in part', () => {
  it('is undone: events.jsonl and usage.jsonl keep only whole lines, and the caller hears ENOSPC', { timeout: 60_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'ao-append-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'events.jsonl'), EVENT);
    writeFileSync(join(dir, 'usage.jsonl'), USAGE);
    expect(appendOverTheLimit(dir)).toEqual({ event: 'ENOSPC', usage: 'ENOSPC' });
    expect(readFileSync(join(dir, 'events.jsonl'), 'utf8')).toBe(EVENT);
    expect(readFileSync(join(dir, 'usage.jsonl'), 'utf8')).toBe(USAGE);
    expect(parseEventLine(EVENT.trim())).not.toBeNull();
    expect(parseUsageLine(USAGE.trim())).not.toBeNull();
    expect(statSync(join(dir, 'events.jsonl')).size).toBe(Buffer.byteLength(EVENT));
  });
});
