/**
 * The routes of `ao web`: the pages, the JSON API (the CLI's `--json`
 * objects, described in openapi.json), the SSE feed and the actions, all
 * behind the token (auth.ts). Every answer says no-store and carries a strict
 * Content-Security-Policy: only ao's own script runs, never an inline one.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import { MESSAGE_CAP } from '../coord/inbox.js';
import { phaseView } from '../state/phase.js';
import { readEvents } from '../state/events.js';
import { readProjectText } from '../state/safe-fs.js';
import { jsonText, safeText } from '../text/safe.js';
import { requireToken } from './auth.js';
import { CSS, SCRIPT } from './assets.js';
import { commandIo, movePhase, restartAgent, sendMessage, stopAgent, type ActionOutcome } from './actions.js';
import { agentDetail, agentScreen, costObject, eventsAfter, phaseFiles, phaseObject, statusObject, type ProjectHolder } from './data.js';
import { eventMessage, type Hub, type SseMessage } from './hub.js';
import { agentPage, phasePage, teamPage } from './pages.js';
import { teamView } from './view-model.js';
import { ROOT_SITE, routePath, type Site } from './paths.js';
import type { FailureLimiter } from './token.js';
import type { GlobalOptions, Io } from '../cli/io.js';
import openapi from './openapi.json' with { type: 'json' };

export interface AppDeps {
  holder: ProjectHolder;
  hub: Hub;
  token: string;
  options: GlobalOptions;
  io: Io;
  client: (c: Context) => string;
  limiter?: FailureLimiter;
  /** where the project's pages are: at the root, or under its prefix on a fleet's server */
  site?: Site;
}

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** JSON as the CLI prints it: no control character or bidi mark raw in it. */
/**
 * A request's body read never past `cap` bytes of message and room for its
 * JSON: past it, 413 naming `what`, and the rest is not read (the connection
 * ends with this answer, so no client reuses it mid-body).
 */
export const capBody = (cap: number, what: string): MiddlewareHandler =>
  bodyLimit({
    maxSize: cap + 64 * 1024,
    onError: (c) => {
      c.header('Connection', 'close');
      return json(c, { error: `413: ${what} may be at most ${cap} bytes of message` }, 413);
    },
  });

export const json = (c: Context, value: unknown, status: 200 | 400 | 403 | 404 | 413 | 500 | 502 = 200): Response =>
  c.body(jsonText(value), status, { 'Content-Type': 'application/json; charset=utf-8' });

const outcome = (c: Context, o: ActionOutcome): Response => json(c, o, o.status);

/** Most clients' pending messages before a client that reads nothing is let go. */
const MAX_PENDING = 2000;

/** Every answer's headers (no-store, the CSP), then the token (auth.ts) before anything is read or answered. */
export function guard(app: Hono, deps: Pick<AppDeps, 'token' | 'client' | 'limiter'>): void {
  app.use('*', async (c, next) => {
    await next();
    c.header('Content-Security-Policy', CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Frame-Options', 'DENY');
    if (!c.res.headers.get('Cache-Control')) c.header('Cache-Control', 'no-store');
  });
  app.use('*', requireToken({ token: deps.token, client: deps.client, ...(deps.limiter ? { limiter: deps.limiter } : {}) }));
}

/** The errors as JSON, the stylesheet and the script: the same on a project's server and a fleet's. */
export function common(app: Hono): void {
  app.onError((error, c) => json(c, { error: `500: ${safeText(error.message)}` }, 500));
  app.notFound((c) => json(c, { error: '404: no such page' }, 404));
  // a browser asks for it by itself: nothing, rather than a 404 in its console
  app.get('/favicon.ico', (c) => c.body(null, 204));
  app.get('/static/app.css', (c) => c.body(CSS, 200, { 'Content-Type': 'text/css; charset=utf-8' }));
  app.get('/static/app.js', (c) => c.body(SCRIPT, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }));
}

export function createApp(deps: AppDeps): Hono {
  const { holder, hub } = deps;
  const site = deps.site ?? ROOT_SITE;
  // under a fleet's prefix the routes see the path within the project; the URL (and the token's redirect) stays the whole one
  const app = site.base === '' ? new Hono() : new Hono({ getPath: (request) => routePath(site, request.url) });
  const actions = {
    options: deps.options,
    get io() {
      return commandIo(deps.io, holder.current().project.dir);
    },
  };

  guard(app, deps);
  // a body is read only from a client with the token, and never past a message's cap (and room for its JSON)
  app.use('/api/*', capBody(MESSAGE_CAP, 'a request body'));
  common(app);

  const agentOr404 = (c: Context) => holder.agent(c.req.param('name') ?? '');

  app.get('/', async (c) => {
    const view = await holder.view();
    const { project } = holder.current();
    return c.html(teamPage(teamView(project, view), readEvents(project.stateDir, 50), site));
  });
  app.get('/agents/:name', async (c) => {
    const agent = agentOr404(c);
    if (!agent) return c.notFound();
    const view = await holder.view();
    const [detail, screen] = await Promise.all([agentDetail(holder, agent, view), agentScreen(holder, agent)]);
    if (!detail) return c.notFound();
    return c.html(agentPage(view.report.project, detail, screen.lines, site));
  });
  app.get('/phase', async (c) => {
    const view = await holder.view();
    const { project } = holder.current();
    const { phase } = phaseView(project, view.phase);
    const files = phaseFiles(project.stateDir, phase.id);
    let plan: string;
    try {
      plan = readProjectText(phase.planPath, 256 * 1024);
    } catch (error) {
      plan = `(cannot read the plan: ${(error as Error).message})`;
    }
    const report = (await phaseObject(project, view)) as {
      gate: string;
      fails_in_a_row: number;
      history: { at: string; phase: string; event: string; detail?: string }[];
      commits?: { claim: string | null; last_verdict: { sha: string; pass: boolean } | null; target: { branch: string; head: string | null } };
    };
    const usage = holder.reader.usage(project.stateDir);
    return c.html(
      phasePage({
        view: teamView(project, view),
        plan: { file: phase.plan, text: plan },
        journal: holder.reader.tail(files.journal, 200).lines,
        review: holder.reader.tail(files.review, 200).lines,
        gate: {
          status: report.gate,
          fails: report.fails_in_a_row,
          commits: report.commits
            ? {
                claim: report.commits.claim,
                verdict: report.commits.last_verdict ? `${report.commits.last_verdict.pass ? 'pass' : 'fail'} ${report.commits.last_verdict.sha}` : null,
                target: `${report.commits.target.branch} ${report.commits.target.head ?? ''}`.trim(),
              }
            : null,
        },
        history: report.history.slice(-30),
        costs: Object.entries(usage.byPhase).map(([p, u]) => ({ phase: p, usage: u })),
        site,
      }),
    );
  });

  app.get('/api/openapi.json', (c) => json(c, openapi));
  app.get('/api/status', async (c) => json(c, statusObject(holder.current().project, await holder.view())));
  app.get('/api/phase', async (c) => json(c, await phaseObject(holder.current().project, await holder.view())));
  app.get('/api/cost', (c) => json(c, costObject(holder.current().project, holder.reader)));
  app.get('/api/events', (c) => {
    const after = Number(c.req.query('after') ?? '0');
    const limit = Number(c.req.query('limit') ?? '200');
    if (!Number.isInteger(after) || after < 0 || !Number.isInteger(limit) || limit < 1 || limit > 1000)
      return json(c, { error: '400: after is a whole number (a seq), limit 1 to 1000' }, 400);
    return json(c, eventsAfter(holder.current().project.stateDir, after, limit));
  });
  app.get('/api/agents/:name', async (c) => {
    const agent = agentOr404(c);
    const detail = agent ? await agentDetail(holder, agent, await holder.view()) : null;
    return detail ? json(c, detail) : c.notFound();
  });
  app.get('/api/agents/:name/screen', async (c) => {
    const agent = agentOr404(c);
    return agent ? json(c, await agentScreen(holder, agent)) : c.notFound();
  });

  app.get('/api/events/stream', (c) =>
    streamSSE(c, async (stream) => {
      let queue = Promise.resolve();
      let pending = 0;
      let closed = false;
      const send = (m: SseMessage): void => {
        if (closed) return;
        if (++pending > MAX_PENDING) {
          closed = true;
          stream.abort();
          return;
        }
        queue = queue
          .then(() => stream.writeSSE(m))
          .then(
            () => void (pending -= 1),
            () => void (closed = true),
          );
      };
      const leave = hub.add({ send });
      stream.onAbort(() => {
        closed = true;
        leave();
      });
      send({ event: 'change', data: '[]', retry: 1000 } as SseMessage);
      // the backlog: after the event a reconnecting client saw last (Last-Event-ID), else after the newest its page showed (?after=)
      const last = Number(c.req.header('last-event-id') ?? c.req.query('after'));
      if (Number.isInteger(last) && last >= 0) for (const e of eventsAfter(holder.current().project.stateDir, last, 1000).events) send(eventMessage(e));
      if (!hub.status || hub.stale) await hub.refresh();
      if (hub.status) send(hub.status);
      const ping = setInterval(() => {
        if (!closed)
          queue = queue
            .then(() => stream.write(': ping\n\n'))
            .then(
              () => undefined,
              () => void (closed = true),
            );
      }, 25_000);
      await new Promise<void>((resolve) => stream.onAbort(resolve));
      clearInterval(ping);
      leave();
    }),
  );

  app.post('/api/agents/:name/messages', async (c) => {
    const agent = agentOr404(c);
    if (!agent) return c.notFound();
    const body = (await c.req.json().catch(() => null)) as { text?: unknown } | null;
    return outcome(c, await sendMessage(holder.current().project.stateDir, agent.name, body?.text));
  });
  app.post('/api/agents/:name/restart', async (c) => {
    const agent = agentOr404(c);
    return agent ? outcome(c, await restartAgent(actions, agent.name)) : c.notFound();
  });
  app.post('/api/agents/:name/stop', async (c) => {
    const agent = agentOr404(c);
    return agent ? outcome(c, await stopAgent(actions, agent.name)) : c.notFound();
  });
  app.post('/api/phase/next', async (c) => outcome(c, await movePhase(actions, 'next')));
  app.post('/api/phase/set', async (c) => {
    const body = (await c.req.json().catch(() => null)) as { id?: unknown } | null;
    return outcome(c, await movePhase(actions, 'set', typeof body?.id === 'string' ? body.id : undefined));
  });
  return app;
}
