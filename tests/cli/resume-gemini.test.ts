/**
 * A persistent Gemini CLI agent (the real 0.61.0 TUI from npm) keeps its
 * conversation across a kill -9 and the watchdog's heal (`--session-id` at
 * the first start, `--resume <uuid>` after), and falls back to a fresh
 * conversation when Gemini does not know the kept id.
 */
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Recorded, StandIn } from '../fixtures/standins/common.js';
import { startGemini } from '../fixtures/standins/gemini.js';
import { eventsOf, makeProject, runAo, tmux, uniqueSocket, waitFor, endStandInTeam } from '../helpers/ao.js';
import { announceInstallFailure, ensureCli } from '../helpers/clis.js';
import { cliHome, type CliHome, leadToml } from '../helpers/standin-env.js';

const installed = await ensureCli('gemini');
if (!installed.ok) announceInstallFailure('gemini', installed.reason);

const MARK = 'KICKOFF-OSPREY';
const REPLY = 'I will remember the word PELICAN.';

interface Content {
  role?: string;
  parts?: { text?: unknown }[];
}
const contentsOf = (r: Recorded): Content[] => (r.json as { contents?: Content[] } | null)?.contents ?? [];
const textOf = (c: Content): string => JSON.stringify(c.parts ?? []);
const kickoffsIn = (r: Recorded): number => contentsOf(r).filter((c) => c.role === 'user' && textOf(c).includes(MARK)).length;
const repliedIn = (r: Recorded): boolean => contentsOf(r).some((c) => c.role === 'model' && textOf(c).includes('PELICAN'));

interface Record_ {
  conversationId?: string | null;
  resumedRun?: boolean;
}
const recordOf = (dir: string): Record_ =>
  (JSON.parse(readFileSync(join(dir, 'state', 'agents.json'), 'utf8')) as { agents: Record<string, Record_> }).agents.lead ?? {};

/** Every process below `pid`, deepest last. */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return children.flatMap((c) => [c, ...descendants(c)]);
}

describe.skipIf(!installed.ok)('a persistent Gemini CLI agent resumes its conversation', { timeout: 240_000 }, () => {
  const socket = uniqueSocket('cli-resume-gemini');
  let server: StandIn;
  let home: CliHome;
  let dir: string;
  const ao = (...args: string[]) => runAo(args, { cwd: dir, socket });

  beforeAll(async () => {
    server = await startGemini();
    server.script({ kind: 'text', text: REPLY });
    server.fallback({ kind: 'text', text: 'Noted.' });
    dir = realpathSync(makeProject({ 'prompts/kickoff.md': `${MARK}: read your inbox.\n`, 'prompts/lead.md': 'lead\n', 'phases/one.md': '# one\n' }));
    home = cliHome('gemini', { url: server.url, trusted: [dir] });
    writeFileSync(join(dir, 'agents.toml'), leadToml('resg-', 'gemini', installed.ok ? installed.bin : '', home.env));
  });

  // Gemini CLI's TUI ignores SIGHUP and SIGTERM: whatever outlived its pane is ended there, by pid
  afterAll(() => endStandInTeam({ dir, socket, server, home }));

  const fail = async (e: unknown): Promise<never> => {
    console.log(readFileSync(join(dir, 'state', 'events.jsonl'), 'utf8'), (await tmux(socket, ['capture-pane', '-p', '-t', '=resg-lead:'])).stdout);
    throw e;
  };

  it('carries the earlier conversation into its next request after kill -9 and a heal', async () => {
    const up = await ao('up');
    expect(up.stdout).toContain('lead: started');
    const first = await server.waitFor((r) => r.model && kickoffsIn(r) === 1, 90_000).catch(fail);
    expect(repliedIn(first)).toBe(false);
    const id = recordOf(dir).conversationId;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    // the reply is in Gemini's session once the turn ends
    await waitFor(async () => (await tmux(socket, ['capture-pane', '-p', '-t', '=resg-lead:'])).stdout.includes('PELICAN'), 30_000).catch(fail);
    await new Promise((r) => setTimeout(r, 1000));

    // the agent crashes: every process of it, at once
    const pane = Number((await tmux(socket, ['display-message', '-p', '-t', '=resg-lead:', '#{pane_pid}'])).stdout.trim());
    const agent = descendants(pane);
    expect(agent.length).toBeGreaterThan(0);
    for (const pid of agent) process.kill(pid, 'SIGKILL');
    // the heal continues the conversation and the kickoff is pasted again into it
    const next = await server.waitFor((r) => r.model && kickoffsIn(r) === 2, 90_000).catch(fail);
    expect(repliedIn(next)).toBe(true);
    expect(recordOf(dir)).toMatchObject({ conversationId: id, resumedRun: true });
    const events = await eventsOf(ao);
    expect(events.some((e) => e.agent === 'lead' && e.event === 'restart' && e.reason === 'heal')).toBe(true);
    expect(events.some((e) => e.event === 'resume-refused')).toBe(false);
  });

  it('starts a fresh conversation, with an event, when Gemini does not know the kept id', async () => {
    expect((await ao('down')).code).toBe(0);
    const file = join(dir, 'state', 'agents.json');
    const state = JSON.parse(readFileSync(file, 'utf8')) as { agents: Record<string, Record_> };
    const unknown = '99999999-2222-4333-8444-555555555555';
    state.agents.lead!.conversationId = unknown;
    writeFileSync(file, JSON.stringify(state));
    const seen = server.requests.length;
    await ao('up');
    const events = await waitFor(async () => {
      const all = await eventsOf(ao);
      return all.some((e) => e.event === 'resume-refused') ? all : null;
    }, 60_000).catch(fail);
    expect(events.find((e) => e.event === 'resume-refused')?.reason).toContain(unknown);
    // the fresh conversation gets the kickoff and nothing of the old one
    const fresh = await server.waitFor((r) => r.model && server.requests.indexOf(r) >= seen && kickoffsIn(r) === 1, 90_000).catch(fail);
    expect(repliedIn(fresh)).toBe(false);
    const record = recordOf(dir);
    expect(record.conversationId).not.toBe(unknown);
    expect(record.conversationId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
