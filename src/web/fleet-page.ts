/**
 * The fleet's page of `ao web --fleet`: one card per project, each opening its
 * team page, in one live section that the script reads again every few
 * seconds (a remote project's answer costs an ssh round trip: the server asks
 * its host no more often than FleetWatch allows, whatever the pages ask).
 */
import { html } from 'hono/html';
import type { FleetCard } from './fleet-view.js';
import { frame, t, type Html } from './layout.js';

const NAV = [{ href: '/', label: 'fleet' }];

function card(c: FleetCard): Html {
  return html`<li class="card f-${c.state}" data-project="${t(c.name)}">
    <a class="open" href="${c.href}"><b>${t(c.name)}</b></a>
    <span class="where">${t(c.where)}</span>
    <span class="fstate" data-f="state">${t(c.state)}${c.enabled ? '' : ' (disabled)'}</span>
    ${c.phase ? html`<p class="phase-line">${t(c.phase)}</p>` : ''}
    <p class="summary" data-f="summary">${t(c.summary)}</p>
    ${c.error ? html`<p class="error">${t(c.error)}</p>` : ''}
  </li>`;
}

export function fleetPage(file: string, cards: readonly FleetCard[]): Html {
  const body = html`<header class="phase">
      <h1>fleet <small class="dim">${t(file)}</small></h1>
    </header>
    <section class="live" id="fleet">
      ${cards.length === 0 ? html`<p class="dim">no projects in the fleet file (ao fleet add PATH)</p>` : ''}
      <ol class="fleet" id="projects">
        ${cards.map(card)}
      </ol>
    </section>`;
  return frame({ title: 'fleet', project: file, page: 'fleet', body, nav: NAV });
}

/** A project of the fleet that cannot be shown: not read yet, its host unreachable, its agents.toml broken. */
export function fleetProblemPage(name: string, where: string, problem: string, status = 'cannot be read'): Html {
  const body = html`<section class="live" id="problem">
    <h1>${t(name)} <span class="dim">(${t(where)})</span></h1>
    <p class="callout">${t(status)}: ${t(problem)}</p>
    <p><a href="/">back to the fleet</a></p>
  </section>`;
  return frame({ title: 'fleet', project: name, page: 'remote', body, nav: NAV });
}
