/**
 * A Claude TUI's usage from its transcript: each message counted once (its
 * content blocks are lines of one id), read on from where the record says,
 * a line still being written left for the next look, a new transcript read
 * from its start; and the transcript path a hook names, kept only when sane.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claudeTranscriptUsage } from '../../../src/backends/claude-stream.js';
import type { AgentSpec, Project } from '../../../src/config/types.js';
import { emptyRecord } from '../../../src/state/agents.js';
import { hookView, signalOf, type HookView } from '../../../src/state/signals.js';
import { readUsage, type UsageRecord } from '../../../src/state/usage.js';
import { recordTranscriptUsage } from '../../../src/supervisor/tui-usage.js';
import { agentSpec, projectOf } from '../../helpers/builders.js';

const assistant = (id: string, input: number, output: number, block = 'text'): string =>
  JSON.stringify({
    type: 'assistant',
    message: {
      id,
      role: 'assistant',
      content: [{ type: block }],
      usage: { input_tokens: input, output_tokens: output, cache_read_input_tokens: 10, cache_creation_input_tokens: 1 },
    },
  });
const user = JSON.stringify({ type: 'user', message: { role: 'user', content: 'hi' } });

describe('claudeTranscriptUsage', () => {
  it.each<[string, string[], { input: number; output: number; cacheRead: number; lastId: string } | null]>([
    ['no assistant line', [user, '{"type":"summary"}'], null],
    ['one message', [user, assistant('m1', 100, 5)], { input: 100, output: 5, cacheRead: 10, lastId: 'm1' }],
    // a message with a thinking block, a text block and a tool call: three lines, one usage (the last line's)
    [
      'one message in three blocks',
      [assistant('m1', 100, 1, 'thinking'), assistant('m1', 100, 3), assistant('m1', 100, 9, 'tool_use')],
      { input: 100, output: 9, cacheRead: 10, lastId: 'm1' },
    ],
    [
      'two messages (a tool call and the answer)',
      [assistant('m1', 100, 9, 'tool_use'), user, assistant('m2', 120, 4)],
      { input: 220, output: 13, cacheRead: 20, lastId: 'm2' },
    ],
    ['a torn line is skipped', [assistant('m1', 100, 5), '{"type":"assistant","message":{"id":"m2"'], { input: 100, output: 5, cacheRead: 10, lastId: 'm1' }],
  ])('%s', (_name, lines, expected) => {
    const found = claudeTranscriptUsage(lines.join('\n'));
    if (expected === null) return expect(found).toBeNull();
    expect(found).toEqual({
      usage: {
        input_tokens: expected.input,
        output_tokens: expected.output,
        cache_read_tokens: expected.cacheRead,
        cache_write_tokens: expected.cacheRead / 10,
        cost_usd: null,
      },
      lastId: expected.lastId,
    });
  });
});

describe('the transcript path a hook names', () => {
  it.each([
    ['/home/u/.claude/projects/-tmp-p/0b6c.jsonl', '/home/u/.claude/projects/-tmp-p/0b6c.jsonl'],
    ['relative/0b6c.jsonl', undefined],
    ['/home/u/.claude/projects/x.json', undefined],
    ['/home/u/\u001b[2J/x.jsonl', undefined],
    [42, undefined],
  ])('%j -> %j', (path, kept) => {
    const s = signalOf(JSON.stringify({ hook_event_name: 'Stop', session_id: 's', transcript_path: path }), new Date(0));
    expect(s?.transcript).toBe(kept);
  });
});

describe('recordTranscriptUsage', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function setup(): { project: Project; agent: AgentSpec; file: string; view: (hook: string, path?: string) => HookView } {
    const dir = mkdtempSync(join(tmpdir(), 'ao-tui-usage-'));
    dirs.push(dir);
    const file = join(dir, 'conv-1.jsonl');
    const view = (hook: string, path = file): HookView => hookView([{ time: new Date(1000).toISOString(), hook, session: 'conv-1', transcript: path }], 0);
    return { project: projectOf({ stateDir: join(dir, 'state') }), agent: agentSpec({ name: 'lead', kind: 'persistent', backend: 'claude' }), file, view };
  }

  it('records each turn once, after its Stop, reading on from the record', () => {
    const { project, agent, file, view } = setup();
    const record = emptyRecord();
    const at = new Date(5000);
    writeFileSync(file, `${user}\n${assistant('m1', 100, 5)}\n`);
    const lines: UsageRecord[] = [];
    const read = (hook: string, ended = false): UsageRecord | null => {
      const line = recordTranscriptUsage(agent, record, view(hook), ended, 'one', at);
      if (line) lines.push(line);
      return line;
    };
    // a turn still running (its last hook is not Stop): nothing yet
    expect(read('UserPromptSubmit')).toBeNull();
    expect(read('Stop')?.usage.input_tokens).toBe(100);
    // looked at again: nothing new, nothing recorded
    expect(read('Stop')).toBeNull();
    // the next turn, with a line still being written at the end: that line waits
    appendFileSync(file, `${user}\n${assistant('m2', 200, 7)}\n{"type":"assistant","message":{"id":"m3"`);
    expect(read('Stop')?.usage.input_tokens).toBe(200);
    appendFileSync(file, `,"usage":{"input_tokens":300,"output_tokens":1}}}\n`);
    // the agent ended: its last words are read without a Stop
    expect(read('PreToolUse', true)?.usage.input_tokens).toBe(300);
    // the lines are the caller's to write (the sweep's apply step): nothing is written here
    expect(readUsage(project.stateDir)).toEqual([]);
    expect(lines.map((r) => [r.usage.input_tokens, r.run])).toEqual([
      [100, 'conv-1:m1'],
      [200, 'conv-1:m2'],
      [300, 'conv-1:m3'],
    ]);
  });

  it('a new transcript (a new conversation) is read from its start', () => {
    const { agent, file, view } = setup();
    const record = emptyRecord();
    writeFileSync(file, `${assistant('m1', 100, 5)}\n`);
    recordTranscriptUsage(agent, record, view('Stop'), false, 'one', new Date(5000));
    const other = join(file, '..', 'conv-2.jsonl');
    writeFileSync(other, `${assistant('n1', 50, 2)}\n`);
    expect(recordTranscriptUsage(agent, record, view('Stop', other), false, 'one', new Date(6000))?.run).toBe('conv-2:n1');
    expect(record.transcript).toEqual({ path: other, offset: `${assistant('n1', 50, 2)}\n`.length });
  });
});
