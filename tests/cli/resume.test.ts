/**
 * A persistent Claude Code agent (the real TUI from npm) keeps its
 * conversation across a kill -9 and the watchdog's heal, and falls back to a
 * fresh conversation when Claude does not know the kept id.
 */
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnthropic } from '../fixtures/standins/anthropic.js';
import type { Recorded, StandIn } from '../fixtures/standins/common.js';
import { eventsOf, makeProject, runAo, tmux, waitFor, endStandInTeam } from '../helpers/ao.js';
import { uniqueSocket } from '../helpers/ao.js';
import { announceInstallFailure, ensureCli } from '../helpers/clis.js';
import { cliHome, type CliHome, leadToml } from '../helpers/standin-env.js';

const installed = await ensureCli('claude');
if (!installed.ok) announceInstallFailure('claude', installed.reason);

const MARK = 'KICKOFF-OSPREY';
const REPLY = 'I will remember the word PELICAN.';

interface Message {
  role: string;
  content: unknown;
}
const messagesOf = (r: Recorded): Message[] => (r.json as { messages?: Message[] } | null)?.messages ?? [];
const textOf = (m: Message): string => JSON.stringify(m.content);
const kickoffsIn = (r: Recorded): number => messagesOf(r).filter((m) => m.role === 'user' && textOf(m).includes(MARK)).length;
const repliedIn = (r: Recorded): boolean => messagesOf(r).some((m) => m.role === 'assistant' && textOf(m).includes('PELICAN'));

interface Record_ {
  conversationId?: string | null;
  resumedRun?: boolean;
}
const recordOf = (dir: string): Record_ =>
  (JSON.parse(readFileSync(join(dir, 'state', 'agents.json'), 'utf8')) as { agents: Record<string, Record_> }).agents.lead ?? {};

/** The agent program under the pane's launcher (sh). */
async function agentPid(socket: string): Promise<number> {
  const pane = Number((await tmux(socket, ['display-message', '-p', '-t', '=res-lead:', '#{pane_pid}'])).stdout.trim());
  const children = readFileSync(`/proc/${pane}/task/${pane}/children`, 'utf8').trim().split(/\s+/).map(Number);
  expect(children.length).toBeGreaterThan(0);
  return children[0]!;
}

describe.skipIf(!installed.ok)('a persistent Claude agent resumes its conversation', { timeout: 240_000 }, () => {
  const socket = uniqueSocket('cli-resume');
  let server: StandIn;
  let home: CliHome;
  let dir: string;

  beforeAll(async () => {
    server = await startAnthropic();
    server.script({ kind: 'text', text: REPLY });
    server.fallback({ kind: 'text', text: 'Noted.' });
    dir = realpathSync(makeProject({ 'prompts/kickoff.md': `${MARK}: read your inbox.\n`, 'prompts/lead.md': 'lead\n', 'phases/one.md': '# one\n' }));
    home = cliHome('claude', { url: server.url, trusted: [dir] });
    writeFileSync(join(dir, 'agents.toml'), leadToml('res-', 'claude', installed.ok ? installed.bin : '', home.env));
  });

  afterAll(() => endStandInTeam({ dir, socket, server, home }));

  it('carries the earlier conversation into its next request after kill -9 and a heal', async () => {
    const up = await runAo(['up'], { cwd: dir, socket });
    // `ao up` may call the paste unconfirmed (Claude's full-screen renderer redraws late); the stand-in decides
    expect(up.stdout).toContain('lead: started');
    const first = await server.waitFor((r) => r.model && kickoffsIn(r) === 1, 90_000);
    expect(repliedIn(first)).toBe(false);
    const id = recordOf(dir).conversationId;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    // Claude's own hooks report the same conversation, through `ao hook-signal`
    const signals = await waitFor(async () => {
      const text = (() => {
        try {
          return readFileSync(join(dir, 'state', 'signals', 'lead.jsonl'), 'utf8');
        } catch {
          return '';
        }
      })();
      return text.includes('"UserPromptSubmit"') ? text : null;
    }, 30_000);
    const start = signals
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { hook: string; session: string | null })
      .find((l) => l.hook === 'SessionStart');
    expect(start?.session).toBe(id);
    // the reply is in Claude's transcript once the turn ends: on screen, and its Stop hook has run (the
    // transcript is written by then; a kill while the reply is only on screen loses it from the transcript)
    await waitFor(async () => (await tmux(socket, ['capture-pane', '-p', '-t', '=res-lead:'])).stdout.includes('PELICAN'), 30_000);
    await waitFor(async () => (readFileSync(join(dir, 'state', 'signals', 'lead.jsonl'), 'utf8').includes('"Stop"') ? true : null), 30_000);

    process.kill(await agentPid(socket), 'SIGKILL');
    // the heal continues the conversation and the kickoff is pasted again into it
    const next = await server
      .waitFor((r) => r.model && kickoffsIn(r) === 2, 90_000)
      .catch(async (e: unknown) => {
        // what the watchdog did, for the failure report
        console.log(readFileSync(join(dir, 'state', 'events.jsonl'), 'utf8'));
        throw e;
      });
    expect(repliedIn(next)).toBe(true);
    expect(recordOf(dir)).toMatchObject({ conversationId: id, resumedRun: true });
    const events = await eventsOf((...args) => runAo(args, { cwd: dir, socket }));
    expect(events.some((e) => e.agent === 'lead' && e.event === 'restart' && e.reason === 'heal')).toBe(true);
    // ao explain names the signals: a live pane, the hooks of this run, the continued conversation
    const explained = await runAo(['explain', 'lead', '--json'], { cwd: dir, socket });
    expect(explained.code, explained.stderr).toBe(0);
    const e = JSON.parse(explained.stdout) as {
      state: string;
      pane: { alive: boolean };
      hooks: { session: string | null; by_hook: Record<string, string> };
      conversation: { id: string; resumed_run: boolean };
      decided_by: string[];
    };
    expect(e.pane.alive).toBe(true);
    expect(e.hooks.session).toBe(id);
    expect(Object.keys(e.hooks.by_hook)).toContain('SessionStart');
    expect(e.conversation).toMatchObject({ id, resumed_run: true });
    expect(e.decided_by.some((w) => w.startsWith('tmux: pane alive'))).toBe(true);
    const plain = await runAo(['explain', 'lead'], { cwd: dir, socket });
    expect(plain.stdout).toContain(`conversation: ${id!} (this run continued it)`);
  });

  it('starts a fresh conversation, with an event, when Claude does not know the kept id', async () => {
    expect((await runAo(['down'], { cwd: dir, socket })).code).toBe(0);
    const file = join(dir, 'state', 'agents.json');
    const state = JSON.parse(readFileSync(file, 'utf8')) as { agents: Record<string, Record_> };
    const unknown = '99999999-2222-4333-8444-555555555555';
    state.agents.lead!.conversationId = unknown;
    writeFileSync(file, JSON.stringify(state));
    const seen = server.requests.length;
    await runAo(['up'], { cwd: dir, socket });
    const events = await waitFor(async () => {
      const all = await eventsOf((...args) => runAo(args, { cwd: dir, socket }));
      return all.some((e) => e.event === 'resume-refused') ? all : null;
    }, 60_000).catch(async (e: unknown) => {
      console.log(readFileSync(join(dir, 'state', 'events.jsonl'), 'utf8'), (await tmux(socket, ['capture-pane', '-p', '-t', '=res-lead:'])).stdout);
      throw e;
    });
    expect(events.find((e) => e.event === 'resume-refused')?.reason).toContain(unknown);
    // the fresh conversation gets the kickoff and nothing of the old one
    const fresh = await server.waitFor((r) => r.model && server.requests.indexOf(r) >= seen && kickoffsIn(r) === 1, 90_000);
    expect(repliedIn(fresh)).toBe(false);
    const record = recordOf(dir);
    expect(record.conversationId).not.toBe(unknown);
    expect(record.conversationId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
