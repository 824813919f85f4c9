/**
 * The frame of every page of `ao web`: one stylesheet and one small script,
 * both served by ao itself (no CDN, works offline), a banner for a lost live
 * connection, and the navigation. Every value goes through hono/html's
 * escaping; agent text is made safe text before it (text/safe.ts).
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { safeText } from '../text/safe.js';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** Agent text for a page: control sequences removed here, the markup escaped by `html`. */
export const t = (text: string | number | null | undefined): string => (text === null || text === undefined ? '' : safeText(String(text)));

export interface PageFrame {
  title: string;
  project: string;
  /** the page's kind, for the script: `team`, `agent` or `phase` */
  page: 'team' | 'agent' | 'phase';
  /** the agent an agent page shows */
  agent?: string;
  body: Html;
}

export function frame(p: PageFrame): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="referrer" content="no-referrer" />
        <title>${t(p.title)} · ${t(p.project)} · ao</title>
        <link rel="stylesheet" href="/static/app.css" />
        <script src="/static/app.js" defer></script>
      </head>
      <body data-page="${p.page}" data-agent="${t(p.agent ?? '')}">
        <div id="banner" class="banner" hidden role="status">connection lost: reconnecting…</div>
        <nav class="nav"><a href="/">team</a><a href="/phase">phase</a><span class="project">${t(p.project)}</span></nav>
        <main>${p.body}</main>
      </body>
    </html>`;
}

/** A block of text lines (a screen, a log, a journal): text, never markup. */
export const pre = (lines: readonly string[], id?: string): Html => html`<pre class="text" ${id ? html` id="${id}"` : ''}>${t(lines.join('\n'))}</pre>`;
