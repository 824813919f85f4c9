/**
 * The three pages of `ao web`, rendered on the server from the read model:
 * the team (phase header, one row per agent, the events), an agent (its
 * screen, log, inbox, explain's signals, workspace) and the phase (plan,
 * journal, review, claims and verdicts, history, cost per phase). The script
 * (assets.ts) keeps them live; it sets text, never markup.
 */
import { html } from 'hono/html';
import type { LoggedEvent } from '../state/events.js';
import type { InboxLine } from '../readmodel/feed.js';
import { reasonLine } from '../state/event-catalogue.js';
import type { UsageTotals } from '../state/usage.js';
import { usd } from '../supervisor/labels.js';
import type { AgentDetail } from './data.js';
import { frame, pre, t, type Html } from './layout.js';
import { ROOT_SITE, siteUrl, type Site } from './paths.js';
import type { AgentCells, TeamView } from './view-model.js';

const COLUMNS: [keyof AgentCells, string][] = [
  ['kind', 'kind'],
  ['backend', 'backend'],
  ['model', 'model'],
  ['state', 'state'],
  ['pid', 'pid'],
  ['restarts', 'restarts'],
  ['iteration', 'iteration'],
  ['cost', 'cost'],
  ['activity', 'last activity'],
];

export function phaseSteps(view: Pick<TeamView, 'header' | 'phases' | 'notes'>): Html {
  return html`<header class="phase">
    <h1 id="phase-header">${t(view.header)}</h1>
    <ol class="steps" id="phase-steps">
      ${view.phases.map((p) => html`<li class="step ${p.at}" data-phase="${t(p.id)}">${t(p.id)}</li>`)}
    </ol>
    ${view.notes.map((n) => html`<p class="note">${t(n)}</p>`)}
  </header>`;
}

export function eventItem(e: LoggedEvent): Html {
  const reason = reasonLine(e);
  return html`<li data-seq="${e.seq ?? ''}"><time>${t(e.time)}</time> <b>${t(e.agent)}</b> <span class="ev">${t(e.event)}</span> ${t(reason)}</li>`;
}

/** A remote project's team page: read-only, its agents as its host's ao reported them. */
export interface RemoteTeam {
  /** the fleet's name of the project */
  name: string;
  host: string;
}

/**
 * The team page. `remote`: a project of another host, shown read-only (no
 * agent page, no events: its screens and actions are on that host).
 */
export function teamPage(view: TeamView, events: readonly LoggedEvent[], site: Site = ROOT_SITE, remote?: RemoteTeam): Html {
  const rows = view.agents.map(
    (a) =>
      html`<tr class="agent s-${t(a.state)}" data-agent="${t(a.name)}">
        <th scope="row" data-label="agent">
          ${remote ? t(a.name) : html`<a href="${siteUrl(site, `/agents/${encodeURIComponent(a.name)}`)}">${t(a.name)}</a>`}
        </th>
        ${COLUMNS.map(([key, label]) => html`<td data-label="${label}" data-f="${key}">${t(a.cells[key])}</td>`)}
        <td data-label="waiting on" data-f="waiting" class="waiting">${t(a.cells.waiting)}</td>
      </tr>`,
  );
  const below = remote
    ? html`<p class="callout" id="remote-note">
          ${t(view.project)} runs on host <b>${t(remote.host)}</b>: its screens and logs are on that host (<code
            >ao fleet run ${t(remote.name)} -- attach AGENT</code
          >, <code>ao fleet run ${t(remote.name)} -- logs AGENT</code>); what is done here runs <code>ao</code> there through ssh.
        </p>
        ${remoteActions(view)}`
    : html`<section>
        <h2>events</h2>
        <ol class="events" id="events" data-after="${events.at(-1)?.seq ?? 0}">
          ${[...events].reverse().map(eventItem)}
        </ol>
      </section>`;
  const team = html`${phaseSteps(view)}
    <section>
      <h2>agents</h2>
      <table class="agents" id="agents">
        <thead>
          <tr>
            <th>agent</th>
            ${COLUMNS.map(([, label]) => html`<th>${label}</th>`)}
            <th>waiting on</th>
          </tr>
        </thead>
        <tbody>
          ${rows}
        </tbody>
      </table>
    </section>`;
  // a remote team is read again as a whole (the script swaps the live section in), having no feed of its own here
  const body = remote
    ? html`<section class="live" id="remote-team">${team}</section>
        ${below}`
    : html`${team}${below}`;
  return frame({ title: 'team', project: view.project, page: remote ? 'remote' : 'team', body, site });
}

/** A remote team's actions: a message to any of its agents, a restart or stop of one, its next phase (each run by its host's ao). */
function remoteActions(view: TeamView): Html {
  return html`<section class="actions">
    <h2>act</h2>
    <form id="message-form" class="message">
      <label for="message-to">message to</label
      ><select id="message-to" name="agent">
        ${view.agents.map((a) => html`<option value="${t(a.name)}">${t(a.name)}</option>`)}
      </select>
      <textarea id="message" name="text" rows="3" maxlength="100000" required aria-label="message"></textarea>
      <button type="submit">send</button>
    </form>
    <div class="buttons">
      ${view.agents.map(
        (a) =>
          html`<button type="button" data-action="restart" data-agent="${t(a.name)}">restart ${t(a.name)}</button
            ><button type="button" data-action="stop" data-agent="${t(a.name)}">stop ${t(a.name)}</button>`,
      )}
      <button type="button" data-action="phase-next">phase next</button>
    </div>
    <p id="action-result" class="result" role="status"></p>
  </section>`;
}

function inboxList(inbox: readonly InboxLine[]): Html {
  if (inbox.length === 0) return html`<p class="dim">no messages</p>`;
  return html`<ol class="inbox">
    ${inbox.map((m) => html`<li><time>${t(m.time)}</time> from <b>${t(m.from)}</b>: ${t(m.text)}</li>`)}
  </ol>`;
}

export function agentPage(project: string, d: AgentDetail, screen: readonly string[] | null, site: Site = ROOT_SITE): Html {
  const a = d.status;
  const e = d.explain;
  const waiting = a.waiting_on
    ? html`<p class="callout" id="dialog">waiting at a dialog (${t(a.waiting_on)}) — attach in a terminal to answer: <code>ao attach ${t(a.name)}</code></p>`
    : '';
  const ws = d.workspace
    ? html`<section class="live" id="workspace">
        <h2>workspace</h2>
        <p>
          ${t(d.workspace.path)} on branch
          <code>${t(d.workspace.branch)}</code
          >${d.workspace.head ? html` at <code>${t(d.workspace.head)}</code>` : ''}${d.workspace.dirty ? ' (uncommitted work)' : ''}
        </p>
      </section>`
    : '';
  const body = html`<header class="phase">
      <h1>${t(a.name)} <span class="badge s-${t(a.state)}" id="agent-state">${t(a.state.toUpperCase())}${a.detail ? ` (${t(a.detail)})` : ''}</span></h1>
      <p class="dim">
        ${t(a.kind)} · ${t(a.backend ?? '-')} · ${t(a.model ?? '-')} · pid <span id="agent-pid">${t(a.pid ?? '-')}</span> · restarts ${a.restarts} · iteration
        ${a.iteration} · cost ${t(usd(a.usage))}
      </p>
      ${waiting}
    </header>
    <section class="actions">
      <h2>act</h2>
      <form id="message-form" class="message" data-agent="${t(a.name)}">
        <label for="message">message to ${t(a.name)}'s inbox</label>
        <textarea id="message" name="text" rows="3" maxlength="100000" required></textarea>
        <button type="submit">send</button>
      </form>
      <div class="buttons">
        <button type="button" data-action="restart" data-agent="${t(a.name)}">restart</button>
        <button type="button" data-action="stop" data-agent="${t(a.name)}">stop</button>
      </div>
      <p id="action-result" class="result" role="status"></p>
    </section>
    <section>
      <h2>screen</h2>
      ${screen === null ? html`<p class="dim" id="screen-none">no live pane</p>` : ''}${pre(screen ?? [], 'screen')}
    </section>
    <section class="live" id="why">
      <h2>why ${t(e.state)}</h2>
      <ul class="signals">
        ${e.decided_by.map((s) => html`<li>${t(s)}</li>`)}
      </ul>
    </section>
    ${ws}
    <section class="live" id="inbox">
      <h2>inbox</h2>
      ${inboxList(d.inbox)}
    </section>
    <section class="live" id="log-section">
      <h2>log</h2>
      ${pre(d.log, 'log')}
    </section>`;
  return frame({ title: a.name, project, page: 'agent', agent: a.name, body, site });
}

export interface PhasePageData {
  view: TeamView;
  plan: { file: string; text: string };
  journal: string[];
  review: string[];
  gate: { status: string; fails: number; commits: { claim: string | null; verdict: string | null; target: string } | null };
  history: { at: string; phase: string; event: string; detail?: string | undefined }[];
  costs: { phase: string; usage: UsageTotals }[];
  site?: Site;
}

const marks = (lines: readonly string[]): string[] => lines.filter((l) => /^(GATE CLAIMED:|VERDICT: (PASS|FAIL))/.test(l.trim()));

export function phasePage(d: PhasePageData): Html {
  const claims = [...marks(d.journal), ...marks(d.review)];
  const commits = d.gate.commits
    ? html`<p>
        claim: <code>${t(d.gate.commits.claim ?? 'none open')}</code> · last verdict: <code>${t(d.gate.commits.verdict ?? 'none')}</code> · target:
        <code>${t(d.gate.commits.target)}</code>
      </p>`
    : '';
  const body = html`${phaseSteps(d.view)}
    <section class="actions">
      <h2>move</h2>
      <div class="buttons">
        <button type="button" data-action="phase-next">phase next</button>
        <form id="phase-set" class="inline">
          <label for="phase-id">set</label
          ><select id="phase-id" name="id">
            ${d.view.phases.map((p) => html`<option value="${t(p.id)}">${t(p.id)}</option>`)}</select
          ><button type="submit">phase set</button>
        </form>
      </div>
      <p id="action-result" class="result" role="status"></p>
    </section>
    <section class="live" id="gate">
      <h2>gate</h2>
      <p>gate: ${t(d.gate.status)} · fails in a row: ${d.gate.fails}</p>
      ${commits}
      <ul class="claims">
        ${claims.map((c) => html`<li><code>${t(c)}</code></li>`)}
      </ul>
    </section>
    <section class="live" id="plan-section">
      <h2>plan <small class="dim">${t(d.plan.file)}</small></h2>
      ${pre([d.plan.text], 'plan')}
    </section>
    <section class="live" id="journal-section">
      <h2>journal</h2>
      ${pre(d.journal, 'journal')}
    </section>
    <section class="live" id="review-section">
      <h2>review</h2>
      ${pre(d.review, 'review')}
    </section>
    <section class="live" id="costs">
      <h2>cost per phase</h2>
      <table class="costs">
        <thead>
          <tr>
            <th>phase</th>
            <th>iterations</th>
            <th>cost</th>
          </tr>
        </thead>
        <tbody>
          ${d.costs.map(
            (c) =>
              html`<tr>
                <th scope="row" data-label="phase">${t(c.phase)}</th>
                <td data-label="iterations">${c.usage.iterations}</td>
                <td data-label="cost">${t(usd(c.usage))}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>
    <section class="live" id="history">
      <h2>history</h2>
      <ol class="events">
        ${[...d.history].reverse().map((h) => html`<li><time>${t(h.at)}</time> <b>${t(h.phase)}</b> <span class="ev">${t(h.event)}</span> ${t(h.detail ?? '')}</li>`)}
      </ol>
    </section>`;
  return frame({ title: 'phase', project: d.view.project, page: 'phase', body, ...(d.site ? { site: d.site } : {}) });
}
