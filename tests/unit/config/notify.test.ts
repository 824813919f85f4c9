import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIG_FILE, loadProject } from '../../../src/config/load.js';
import { webhookLabel } from '../../../src/config/notify.js';
import { ConfigError } from '../../../src/errors.js';
import { EVENTS, NOTIFY_DEFAULT_EVENTS, NOTIFY_NAME_HINTS, notifiable } from '../../../src/state/event-catalogue.js';
import { makeProject, REPO, removeProject } from '../../helpers/ao.js';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) removeProject(dir);
});

function load(notify: string): ReturnType<typeof loadProject> {
  const dir = makeProject({
    'agents.toml': `[agents.a]\nkind = "loop"\n\n[[phases]]\nid = "one"\nplan = "01.md"\n${notify}`,
    'prompts/kickoff.md': 'go\n',
    'phases/01.md': '# one\n',
  });
  made.push(dir);
  return loadProject(join(dir, CONFIG_FILE), {});
}

function problems(notify: string): string[] {
  try {
    load(notify);
  } catch (error) {
    if (error instanceof ConfigError) return [error, ...error.others].map((e) => `${e.line ?? '-'}:${e.column ?? '-'} ${e.message}`);
    throw error;
  }
  return [];
}

describe('[notify] in agents.toml', () => {
  it('is off without the table', () => {
    expect(load('').notify).toBeUndefined();
  });

  it('a webhook alone: the default events and timeout', () => {
    expect(load('\n[notify]\nwebhook = "https://ntfy.sh/topic?tpl=1&m={{.text}}"\n').notify).toEqual({
      webhook: 'https://ntfy.sh/topic?tpl=1&m={{.text}}',
      command: null,
      events: [...NOTIFY_DEFAULT_EVENTS],
      timeoutS: 10,
    });
  });

  it('a command, its own events (duplicates once) and timeout', () => {
    expect(load('\n[notify]\ncommand = ["notify-send", "ao"]\nevents = ["failed", "complete", "failed"]\ntimeout_s = 2.5\n').notify).toEqual({
      webhook: null,
      command: ['notify-send', 'ao'],
      events: ['failed', 'complete'],
      timeoutS: 2.5,
    });
  });

  it('reports each problem at its key', () => {
    expect(problems('\n[notify]\ntimeout_s = 3\n')).toEqual([
      '8:2 notify: a [notify] table needs webhook = "https://..." or command = ["prog", "arg"] (or both)',
    ]);
    expect(problems('\n[notify]\nwebhook = "ftp://example.com/x"\n')).toEqual(['9:1 notify.webhook: a webhook is an http:// or https:// address, got ftp://']);
    expect(problems('\n[notify]\ncommand = []\n')).toEqual(['9:1 notify.command: a program to run: ["prog", "arg", ...]']);
    expect(problems('\n[notify]\ncommand = ["x"]\nevents = ["stalled", "notify-sent"]\n')).toEqual([
      '10:11 notify.events.0: "stalled" is not an event ao records; ao records it as "nudge" and "stall-restart"',
      expect.stringMatching(/^10:22 notify.events.1: unknown event "notify-sent"/),
    ]);
  });
});

describe('the events a notification may be asked for', () => {
  it('are the catalogue but the notifications’ own; the defaults and hints name real ones', () => {
    expect(notifiable('failed')).toBe(true);
    expect(notifiable('notify-failed')).toBe(false);
    expect(notifiable('toString')).toBe(false);
    for (const name of [...NOTIFY_DEFAULT_EVENTS, ...Object.values(NOTIFY_NAME_HINTS).flat()]) expect(Object.hasOwn(EVENTS, name), name).toBe(true);
    // a hint is for a name ao does not record
    for (const name of Object.keys(NOTIFY_NAME_HINTS)) expect(notifiable(name), name).toBe(false);
  });

  it('a webhook is shown by its host only', () => {
    expect(webhookLabel('https://hooks.slack.com/services/T0/B0/secret')).toBe('https://hooks.slack.com/…');
    expect(webhookLabel('http://127.0.0.1:8080/x?token=1')).toBe('http://127.0.0.1:8080/…');
  });
});

describe('the README', () => {
  it('gives [notify] examples that load (Slack, ntfy, a command)', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const examples = [...readme.matchAll(/```toml\n(\[notify\]\n[^`]*)```/g)].map((m) => m[1]!);
    expect(examples).toHaveLength(3);
    for (const example of examples) expect(load(`\n${example}`).notify).toBeDefined();
  });
});
