import { describe, expect, it } from 'vitest';
import { initialPhaseState } from '../../../src/state/phase.js';
import type { ProjectView } from '../../../src/readmodel/view.js';
import type { AgentStatus, StatusReport } from '../../../src/supervisor/status.js';
import { agentPage, teamPage } from '../../../src/web/pages.js';
import { teamView, waitingWords } from '../../../src/web/view-model.js';
import { projectOf } from '../../helpers/builders.js';

const ESC = '\x1b';

function agent(over: Partial<AgentStatus> = {}): AgentStatus {
  return {
    name: 'builder',
    session: 'p-builder',
    kind: 'loop',
    backend: 'claude',
    model: 'opus',
    fallback: false,
    heal: 'heal',
    enabled: true,
    state: 'running',
    detail: null,
    pid: 4242,
    exit_status: null,
    restarts: 2,
    iteration: 7,
    last_activity: '2026-12-07T10:00:00.000Z',
    up: true,
    waiting_on: null,
    pending: null,
    usage: null,
    ...over,
  };
}

function view(agents: AgentStatus[], index = 1): ProjectView {
  const report: StatusReport = {
    project: 'p',
    complete: false,
    phase: { id: 'two', index, count: 2, plan: 'two.md', status: 'in progress', gate: 'open', fails_in_a_row: 0, usage: null },
    config_error: null,
    server: true,
    agents,
  };
  return { report, phase: initialPhaseState(), startedAt: {}, phaseStartedAt: null, note: null, failure: null };
}

const render = async (html: unknown): Promise<string> => String(await html);

describe('the team view', () => {
  it('marks each phase done, current or next, and says the words of ao status', () => {
    const v = teamView(projectOf(), view([agent(), agent({ name: 'cc', state: 'waiting', waiting_on: 'folder trust', pid: null })]));
    expect(v.phases).toEqual([
      { id: 'one', at: 'done' },
      { id: 'two', at: 'current' },
    ]);
    expect(v.header).toBe('phase: two [2/2] plan=two.md (in progress)');
    expect(v.agents[0]!.cells).toMatchObject({ state: 'RUNNING', pid: '4242', restarts: '2', iteration: '7', cost: '-' });
    expect(v.agents[1]!.cells).toMatchObject({ state: 'WAITING', pid: '-', waiting: 'waiting at a dialog (folder trust) — attach in a terminal to answer' });
  });

  it('says until when a paused agent waits', () => {
    expect(waitingWords(agent({ state: 'paused', detail: 'usage limit, resumes 13:22' }))).toBe('paused: usage limit, resumes 13:22');
    expect(waitingWords(agent())).toBe('');
  });
});

describe('the pages', () => {
  it('show agent text as text: markup escaped, control sequences gone', async () => {
    const hostile = agent({ detail: `<script>alert(1)</script>${ESC}]52;c;Zm9v${ESC}\\ done` });
    const page = await render(
      teamPage(teamView(projectOf(), view([hostile])), [{ time: 't', agent: 'builder', event: 'restart', reason: '<img src=x onerror=alert(1)>', seq: 3 }]),
    );
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt; done');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).not.toContain(ESC);
    expect(page).not.toContain('Zm9v');
    expect(page.match(/<script\b[^>]*>/g)).toEqual(['<script src="/static/app.js" defer>']);
    expect(page).toContain('data-after="3"');
  });

  it('an agent at a dialog says to attach in a terminal, and offers no way to answer it', async () => {
    const a = agent({ state: 'waiting', waiting_on: 'folder trust' });
    const page = await render(
      agentPage(
        'p',
        { status: a, explain: { decided_by: ['screen: dialog'], state: 'waiting' } as never, log: [`${ESC}[31mred${ESC}[0m <b>`], inbox: [], workspace: null },
        ['Do you trust <this> folder?'],
      ),
    );
    expect(page).toContain('waiting at a dialog (folder trust) — attach in a terminal to answer');
    expect(page).toContain('Do you trust &lt;this&gt; folder?');
    expect(page).toContain('red &lt;b&gt;');
    expect(page).not.toMatch(/data-action="(answer|keys|type)/);
  });
});
