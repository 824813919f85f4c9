import { describe, expect, it } from 'vitest';
import { plainFleetStatus, plainStatus } from '../../../src/cli/fast.js';

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

describe('plainFleetStatus: the fleet status command lines that dist/fleet.cjs runs without the argument parser', () => {
  it.each([
    [['fleet', 'status'], { names: [] }],
    [['fleet', 'status', '--json', '-f', '/dev/stdin'], { json: true, file: '/dev/stdin', names: [] }],
    [['fleet', 'status', 'web', '--file=f.toml', 'api.v2'], { file: 'f.toml', names: ['web', 'api.v2'] }],
    [['fleet', 'status', '--file', 'f.toml', '--json'], { json: true, file: 'f.toml', names: [] }],
    // everything else goes to commander: help, unknown options, a flag twice, other fleet commands
    [['fleet', 'status', '--help'], null],
    [['fleet', 'status', '-h'], null],
    [['fleet', 'status', '--jsn'], null],
    [['fleet', 'status', '--json', '--json'], null],
    [['fleet', 'status', '-f'], null],
    [['fleet', 'status', '-f', '--json'], null],
    [['fleet', 'status', '-f', 'a.toml', '-f', 'b.toml'], null],
    [['fleet', 'status', '--', 'web'], null],
    [['fleet', 'up'], null],
    [['fleet'], null],
    [['status', 'fleet'], null],
    [['-c', 'x.toml', 'fleet', 'status'], null],
  ] as const)('%j -> %j', (argv, expected) => {
    expect(plainFleetStatus(argv)).toEqual(expected);
  });
});
