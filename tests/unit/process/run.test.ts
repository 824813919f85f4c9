// The two ways ao runs a program: spawnRunner (streams, for everything) and
// syncRunner (spawnSync, for `ao status`'s one question): the same answers.
import { describe, expect, it } from 'vitest';
import { spawnRunner, syncRunner } from '../../../src/process/run.js';

describe.each([
  ['spawnRunner', spawnRunner],
  ['syncRunner', syncRunner],
])('%s', (_name, runner) => {
  it('gives stdout, stderr and the exit code', async () => {
    expect(await runner(['sh', '-c', 'printf "out\\n"; printf "err" >&2; exit 3'])).toEqual({ stdout: 'out\n', stderr: 'err', exitCode: 3 });
  });

  it('hands stdin over when given, and runs the child without $TMUX', async () => {
    expect((await runner(['sh', '-c', 'cat; printf "[%s]" "$TMUX"'], { input: 'in' })).stdout).toBe('in[]');
  });

  it('a program that does not exist is exit 127 with the reason, not a throw', async () => {
    const r = await runner(['ao-no-such-program-here']);
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toMatch(/ENOENT/);
  });

  it('an answer larger than 1 MB comes whole', async () => {
    expect((await runner(['sh', '-c', 'head -c 3000000 /dev/zero | tr "\\0" x'])).stdout).toHaveLength(3_000_000);
  });
});
