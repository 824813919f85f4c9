import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claude } from '../../../src/backends/claude.js';
import { hookArgs } from '../../../src/backends/claude-session.js';
import { appendSignal, hookView, readSignals, signalOf, type Signal } from '../../../src/state/signals.js';

const AT = new Date('2026-01-01T09:00:00.000Z');
const sig = (hook: string, sec: number, over: Partial<Signal> = {}): Signal => ({ time: new Date(AT.getTime() + sec * 1000).toISOString(), hook, session: 's1', ...over });

describe('a hook signal', () => {
  it('keeps the hook, the session, the source and the notification type, and nothing else', () => {
    const input = JSON.stringify({ hook_event_name: 'Notification', session_id: 'abc-1', notification_type: 'permission_prompt', message: 'Claude needs your permission to use Bash', transcript_path: '/x' });
    expect(signalOf(input, AT)).toEqual({ time: AT.toISOString(), hook: 'Notification', session: 'abc-1', type: 'permission_prompt' });
    expect(signalOf(JSON.stringify({ hook_event_name: 'SessionStart', session_id: 'abc-1', source: 'resume' }), AT)).toMatchObject({ source: 'resume' });
  });

  it('drops what is not a hook’s input, and words that are not plain ids', () => {
    expect(signalOf('not json', AT)).toBeNull();
    expect(signalOf('{"session_id":"a"}', AT)).toBeNull();
    expect(signalOf(JSON.stringify({ hook_event_name: 'Stop', session_id: '$(rm -rf /)\n' }), AT)).toEqual({ time: AT.toISOString(), hook: 'Stop', session: null });
  });

  it('is appended as one line and read back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ao-signals-'));
    try {
      const file = join(dir, 'signals', 'lead.jsonl');
      appendSignal(file, sig('SessionStart', 0));
      appendSignal(file, sig('Stop', 1));
      expect(readFileSync(file, 'utf8').split('\n')).toHaveLength(3);
      expect(readSignals(file).map((s) => s.hook)).toEqual(['SessionStart', 'Stop']);
      expect(readSignals(join(dir, 'none.jsonl'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('what the hooks of a run say', () => {
  it('reports the session of the run’s SessionStart, not an older run’s', () => {
    const view = hookView([sig('SessionStart', -100, { session: 'old' }), sig('SessionStart', 1, { session: 'new' }), sig('Stop', 5)], AT.getTime());
    expect(view.session).toBe('new');
    expect(view.last?.hook).toBe('Stop');
    expect(Object.keys(view.byHook)).toEqual(['SessionStart', 'Stop']);
  });

  it('is waiting while a permission request is the newest signal, and only then', () => {
    const since = AT.getTime();
    expect(hookView([sig('PreToolUse', 1), sig('PermissionRequest', 2)], since).waiting).toBe('tool permission');
    expect(hookView([sig('Notification', 2, { type: 'permission_prompt' })], since).waiting).toBe('tool permission');
    expect(hookView([sig('PermissionRequest', 2), sig('PostToolUse', 3)], since).waiting).toBeNull();
    expect(hookView([sig('Notification', 2, { type: 'idle_prompt' })], since).waiting).toBeNull();
    expect(hookView([sig('PermissionRequest', -5)], since).waiting).toBeNull();
  });
});

describe('Claude’s hook settings', () => {
  it('run one fixed command per hook, with ao’s own paths quoted', () => {
    const args = hookArgs({ agent: {} as never, model: null, kickoffFile: '/k', kickoff: 'paste', aoEntry: "/opt/a o/bin/ao", signalFile: "/p/state/signals/it's.jsonl" });
    expect(args[0]).toBe('--settings');
    const settings = JSON.parse(args[1]!) as { hooks: Record<string, { hooks: { type: string; command: string }[] }[]> };
    expect(Object.keys(settings.hooks)).toEqual(expect.arrayContaining(['SessionStart', 'Stop', 'Notification', 'PermissionRequest']));
    const command = settings.hooks.Stop![0]!.hooks[0]!.command;
    expect(command).toBe(`'${process.execPath}' '/opt/a o/bin/ao' 'hook-signal' '/p/state/signals/it'\\''s.jsonl'`);
    expect(hookArgs({ agent: {} as never, model: null, kickoffFile: '/k', kickoff: 'paste', aoEntry: '/ao' })).toEqual([]);
  });
});

describe('an agent’s own --settings (Claude Code keeps only one)', () => {
  const base = { name: 'b', kind: 'persistent', backend: 'claude', args: [] as string[], cwd: '/p' };
  const argvOf = (args: string[], cwd = '/p'): string[] =>
    claude.argv({ agent: { ...base, args, cwd } as never, model: null, kickoffFile: '/k', kickoff: 'paste', aoEntry: '/ao', signalFile: '/p/state/signals/b.jsonl' });
  const settingsOf = (argv: string[]) => JSON.parse(argv[argv.indexOf('--settings') + 1]!) as { model?: string; hooks: Record<string, { hooks: { command: string }[] }[]> };

  it('is folded into the one ao passes: its keys and hooks kept, ao’s hooks beside them, one --settings left', () => {
    const mine = { model: 'opus', hooks: { Stop: [{ hooks: [{ type: 'command', command: 'notify-send done' }] }] } };
    for (const args of [['--settings', JSON.stringify(mine), '--allowedTools', 'Bash'], [`--settings=${JSON.stringify(mine)}`, '--allowedTools', 'Bash']]) {
      const argv = argvOf(args);
      expect(argv.filter((a) => a === '--settings' || a.startsWith('--settings='))).toEqual(['--settings']);
      const settings = settingsOf(argv);
      expect(settings.model).toBe('opus');
      expect(settings.hooks.Stop!.map((h) => h.hooks[0]!.command)).toEqual(['notify-send done', expect.stringContaining('hook-signal')]);
      expect(settings.hooks.SessionStart!.map((h) => h.hooks[0]!.command)).toEqual([expect.stringContaining('hook-signal')]);
      expect(argv.slice(-2)).toEqual(['--allowedTools', 'Bash']);
    }
  });

  it('a settings file, relative to the agent’s folder, is read and folded the same way', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ao-settings-'));
    writeFileSync(join(dir, 'my.json'), JSON.stringify({ env: { X: '1' } }));
    const settings = settingsOf(argvOf(['--settings', 'my.json'], dir));
    expect(settings).toMatchObject({ env: { X: '1' } });
    expect(Object.keys(settings.hooks)).toContain('Stop');
  });

  it('one that is not JSON, or a file that is not there, is refused with what is wrong (ao check reports it)', () => {
    expect(() => argvOf(['--settings', '{not json'])).toThrow(/--settings \{not json: not JSON/);
    expect(() => argvOf(['--settings', 'missing.json'], '/nowhere')).toThrow(/--settings missing\.json: no such file/);
  });
});

describe('what the Claude backend warns about in ao check', () => {
  it('a loop whose args change --output-format loses usage, limits and the readable pane', () => {
    const loop = (args: string[]) => ({ name: 'b', kind: 'loop', backend: 'claude', args }) as never;
    expect(claude.checks!(loop(['--output-format', 'text']))[0]).toMatch(/agents\.b\.args sets --output-format text: .*usage limits/);
    expect(claude.checks!(loop(['--output-format=json']))[0]).toMatch(/--output-format json/);
    expect(claude.checks!(loop(['--output-format', 'stream-json']))).toEqual([]);
    expect(claude.checks!(loop([]))).toEqual([]);
  });
});
