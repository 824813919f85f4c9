import { describe, expect, it } from 'vitest';
import { formatEvent } from '../../../src/cli/commands/events.js';
import { eventSummary } from '../../../src/state/events.js';

describe('ao events: one event, one line', () => {
  const at = '2026-01-01T00:00:00.000Z';

  it('a reason of several lines (a config error with its caret snippet) stays on one line', () => {
    const line = formatEvent({ time: at, agent: 'config', event: 'config-error', reason: 'agents.toml:3:9: bad value\n  3 | kind = loop\n    |        ^' });
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toContain('agents.toml:3:9: bad value ⏎ 3 | kind = loop ⏎ |        ^');
  });

  it('a reason that only repeats the event name is not printed twice', () => {
    const line = formatEvent({ time: at, agent: 'builder', event: 'next-iteration', reason: 'next-iteration', details: { iteration: 4 } });
    expect(line.match(/next-iteration/g)).toHaveLength(1);
    expect(line).toMatch(/next-iteration\s+iteration=4$/);
  });
});

describe("the watchdog's log line of an event", () => {
  it('says the event once and its reason in brackets, or nothing when the reason only repeats it', () => {
    expect(eventSummary({ agent: 'builder', event: 'next-iteration', reason: 'next-iteration' })).toBe('builder: next-iteration');
    expect(eventSummary({ agent: 'builder', event: 'died', reason: 'no exit status from tmux' })).toBe('builder: died (no exit status from tmux)');
    expect(eventSummary({ agent: 'config', event: 'config-error', reason: 'a:1:2: bad\n  1 | x' })).toBe('config: config-error (a:1:2: bad ⏎ 1 | x)');
  });
});
