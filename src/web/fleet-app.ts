/**
 * The routes of `ao web --fleet`: the fleet's page at `/` and its JSON at
 * `/api/fleet` (`ao fleet status --json`'s array), and every project under
 * `/p/<name>/`. A project of this machine is served there by the same app as
 * a single project's `ao web` (its pages, API, feed and actions, acting on
 * that project only), made when it is first asked for. A project of another
 * host has a team page from its host's `ao status --json`, and its actions
 * run the CLI's commands there through the fleet's ssh (remote-actions.ts);
 * its screens and logs stay on that host (`ao fleet run NAME -- …`). One
 * token for all, the fleet's, under the same rules.
 */
import { Hono, type Context } from 'hono';
import { relative } from 'node:path';
import type { FleetProject } from '../config/fleet.js';
import { fleetStatusJson } from '../cli/commands/fleet-status.js';
import { projectIo, projectOptions } from '../cli/fleet.js';
import { statusJson } from '../cli/format.js';
import type { Io } from '../cli/io.js';
import { AoError } from '../errors.js';
import { Hosts, isRemote } from '../fleet/hosts.js';
import { spawnRunner } from '../process/run.js';
import { safeDeep, safeText } from '../text/safe.js';
import { capBody, common, createApp, guard, json } from './app.js';
import { ProjectHolder } from './data.js';
import { fleetProblemPage, fleetPage } from './fleet-page.js';
import { fleetCard, remoteTeamView } from './fleet-view.js';
import type { FleetWatch } from './fleet-watch.js';
import { Hub } from './hub.js';
import { teamPage } from './pages.js';
import { fleetSite, splitProjectPath } from './paths.js';
import { REMOTE_MESSAGE_CAP, remoteOutcome, remoteRequest } from './remote-actions.js';
import type { FailureLimiter } from './token.js';

export interface FleetAppDeps {
  watch: FleetWatch;
  token: string;
  io: Io;
  client: (c: Context) => string;
  limiter?: FailureLimiter;
}

interface Served {
  app: Hono;
  holder: ProjectHolder;
  hub: Hub;
}

export interface FleetApp {
  app: Hono;
  /** the local projects' apps made so far (their watchers, their tmux clients) ended */
  close: () => void;
}

export function createFleetApp(deps: FleetAppDeps): FleetApp {
  const { watch, io } = deps;
  const fleet = watch.fleet;
  const served = new Map<string, Served>();
  const app = new Hono();
  guard(app, deps);
  common(app);

  /** A local project's app: made once, on its first request; a project that does not load is tried again on the next. */
  const serve = (entry: FleetProject): Served => {
    const made = served.get(entry.name);
    if (made) return made;
    const each = projectIo(entry, io);
    const holder = new ProjectHolder(projectOptions(entry), each);
    const hub = new Hub(holder);
    hub.start();
    const options = { config: holder.current().project.configFile };
    const project = createApp({ holder, hub, token: deps.token, options, io: each, client: deps.client, site: fleetSite(entry.name) });
    const s = { app: project, holder, hub };
    served.set(entry.name, s);
    return s;
  };

  app.get('/', async (c) => {
    const cards = (await watch.look()).map(({ entry, seen }) =>
      fleetCard(seen ?? { name: entry.name, host: entry.host?.name ?? null, enabled: entry.enabled }),
    );
    return c.html(fleetPage(relative(io.cwd, fleet.file) || fleet.file, cards));
  });
  app.get('/api/fleet', async (c) =>
    json(
      c,
      safeDeep((await watch.look('all')).map(({ entry, seen }) => (seen ? fleetStatusJson(seen) : { project: entry.name, fleet: { name: entry.name } }))),
    ),
  );

  const projectAt = (c: Context) => {
    const at = splitProjectPath(new URL(c.req.url).pathname);
    return { at, entry: at ? fleet.projects.find((p) => p.name === at.name) : undefined };
  };
  // a body for another host goes as one word of its command line: a smaller cap than a local project's own app keeps
  const remoteCap = capBody(REMOTE_MESSAGE_CAP, 'a request body to another host');
  app.post('/p/*', (c, next) => {
    const { entry } = projectAt(c);
    return entry && isRemote(entry) ? remoteCap(c, next) : next();
  });

  app.all('/p/*', async (c) => {
    const { at, entry } = projectAt(c);
    if (!at || !entry) return json(c, { error: '404: no such project in the fleet' }, 404);
    if (!isRemote(entry)) {
      let project: Served;
      try {
        project = serve(entry);
      } catch (error) {
        if (!(error instanceof AoError)) throw error;
        return c.html(fleetProblemPage(entry.name, 'local', safeText(error.message)), 500);
      }
      return project.app.fetch(c.req.raw, c.env);
    }
    const host = entry.host.name;
    if (c.req.method === 'POST') {
      // an action: the CLI's command on its host, through the fleet's ssh (the token and the Origin were checked above)
      const text = await c.req.text();
      let body: unknown = null;
      try {
        body = text === '' ? {} : JSON.parse(text);
      } catch {
        // a body that is no JSON is a request without its fields, refused below
      }
      const known = (await watch.project(entry.name))?.report?.agents.map((a) => a.name) ?? null;
      const request = remoteRequest(at.rest, body, known);
      if ('error' in request) return json(c, { error: `${request.status}: ${request.error}` }, request.status);
      const reply = await new Hosts(spawnRunner, io.env, fleet.timeoutMs).project(entry, request.args, request.work);
      const outcome = remoteOutcome(reply);
      return json(c, outcome, outcome.status);
    }
    const remoteOnly = `${entry.name} runs on host ${host}: its agents' screens and logs are there (ao fleet run ${entry.name} -- …)`;
    if (c.req.method !== 'GET' || (at.rest !== '/' && at.rest !== '/api/status')) return json(c, { error: `404: ${safeText(remoteOnly)}` }, 404);
    const seen = await watch.project(entry.name, at.rest === '/' ? 'unknown' : 'all');
    if (at.rest === '/api/status')
      return seen?.report
        ? json(c, safeDeep(statusJson(seen.report)))
        : seen?.reachable === false
          ? json(c, { error: `502: ${seen.error ?? 'its host did not answer'}` }, 502)
          : json(c, { error: `500: ${seen?.error ?? 'not read'}` }, 500);
    if (!seen?.report)
      return c.html(fleetProblemPage(entry.name, host, seen?.error ?? 'not read yet', seen?.reachable === false ? 'unreachable' : 'cannot be read'));
    return c.html(teamPage(remoteTeamView(seen.report), [], fleetSite(entry.name), { name: entry.name, host }));
  });

  return {
    app,
    close: () => {
      for (const s of served.values()) {
        s.hub.stop();
        s.holder.close();
      }
      served.clear();
    },
  };
}
