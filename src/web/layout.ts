/**
 * The frame of every page of `ao web`: one stylesheet and one small script,
 * both served by ao itself (no CDN, works offline), a banner for a lost live
 * connection, and the navigation. Every value goes through hono/html's
 * escaping; agent text is made safe text before it (text/safe.ts).
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { safeText } from '../text/safe.js';
import { ROOT_SITE, siteUrl, type Site } from './paths.js';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** Agent text for a page: control sequences removed here, the markup escaped by `html`. */
export const t = (text: string | number | null | undefined): string => (text === null || text === undefined ? '' : safeText(String(text)));

export interface PageFrame {
  title: string;
  project: string;
  /** the page's kind, for the script: `team`, `agent`, `phase`, `fleet` or `remote` (a remote project's team, read-only) */
  page: 'team' | 'agent' | 'phase' | 'fleet' | 'remote';
  /** the agent an agent page shows */
  agent?: string;
  body: Html;
  /** where the project's pages are (default: at the root) */
  site?: Site;
  /** the navigation's links; default: the project's team and phase (and the fleet's page in a fleet) */
  nav?: { href: string; label: string }[];
}

/** The navigation of a project's pages: its team and phase, and the fleet's page when it is one of a fleet's. */
export function projectNav(site: Site): { href: string; label: string }[] {
  return [
    ...(site.fleet !== null ? [{ href: site.fleet, label: 'fleet' }] : []),
    { href: siteUrl(site, '/'), label: 'team' },
    { href: siteUrl(site, '/phase'), label: 'phase' },
  ];
}

export function frame(p: PageFrame): Html {
  const site = p.site ?? ROOT_SITE;
  const nav = p.nav ?? projectNav(site);
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="referrer" content="no-referrer" />
        <title>${t(p.title)} · ${t(p.project)} · ao</title>
        <link rel="stylesheet" href="${siteUrl(site, '/static/app.css')}" />
        <script src="${siteUrl(site, '/static/app.js')}" defer></script>
      </head>
      <body data-page="${p.page}" data-agent="${t(p.agent ?? '')}" data-base="${site.base}">
        <div id="banner" class="banner" hidden role="status">connection lost: reconnecting…</div>
        <nav class="nav">${nav.map((l) => html`<a href="${l.href}">${l.label}</a>`)}<span class="project">${t(p.project)}</span></nav>
        <main>${p.body}</main>
      </body>
    </html>`;
}

/** A block of text lines (a screen, a log, a journal): text, never markup. */
export const pre = (lines: readonly string[], id?: string): Html => html`<pre class="text" ${id ? html` id="${id}"` : ''}>${t(lines.join('\n'))}</pre>`;
