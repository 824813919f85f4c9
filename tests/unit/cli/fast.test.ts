import { describe, expect, it } from 'vitest';
import { plainStatus } from '../../../src/cli/fast.js';

describe('plainStatus: the command lines that skip the argument parser', () => {
  it.each([
    [['status'], {}],
    [['status', '--json'], { json: true }],
    [['-c', 'x.toml', 'status'], { config: 'x.toml' }],
    [['status', '--json', '--config', 'x.toml'], { json: true, config: 'x.toml' }],
    [['--config=x.toml', 'status'], { config: 'x.toml' }],
    // everything else goes to commander: help, typos, unknown options, other commands
    [['status', '--help'], null],
    [['status', '-h'], null],
    [['status', 'builder'], null],
    [['status', '--jsn'], null],
    [['status', '--json', '--json'], null],
    [['--json', 'status'], null],
    [['-c'], null],
    [['-c', 'status'], null],
    [['up'], null],
    [[], null],
  ] as const)('%j -> %j', (argv, expected) => {
    expect(plainStatus(argv)).toEqual(expected);
  });
});
