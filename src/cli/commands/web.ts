import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, Hono } from 'hono';
import { RuntimeError } from '../../errors.js';
import { createApp } from '../../web/app.js';
import { ProjectHolder } from '../../web/data.js';
import { Hub } from '../../web/hub.js';
import { DEFAULT_LISTEN, isLoopback, parseListen, TLS_WARNING, urlOf, type Listen } from '../../web/listen.js';
import { projectToken } from '../../web/token.js';
import type { GlobalOptions, Io } from '../io.js';
import { jsonText } from '../../text/safe.js';

export interface WebOptions extends GlobalOptions {
  listen?: string;
  open?: boolean;
  json?: boolean;
  /** print the URL to open (with the token) for where it listens, and serve nothing */
  url?: boolean;
  /** stop after this many ms (tests and benches); default: until SIGINT or SIGTERM */
  forMs?: number;
  /** `--fleet [FILE]`: every project of a fleet file (true: the one `ao fleet` finds) */
  fleet?: string | boolean;
}

/**
 * `ao web`: the team from a browser, in the foreground until Ctrl-C. It reads
 * what `ao status` and `ao dash` read and acts only through the CLI's own
 * commands; stopping it changes nothing of the team. `--fleet`: every
 * project of a fleet (web-fleet.ts).
 */
export async function web(options: WebOptions, io: Io): Promise<number> {
  if (options.fleet !== undefined && options.fleet !== false) return (await import('./web-fleet.js')).webFleet(options, io);
  const holder = new ProjectHolder(options, io);
  const { project } = holder.current();
  const listen = parseListen(options.listen ?? project.web?.listen ?? DEFAULT_LISTEN);
  const token = projectToken(project.stateDir);
  if (options.url) {
    io.out(`${urlOf(listen.host, listen.port)}?token=${token}\n`);
    return 0;
  }
  const hub = new Hub(holder);
  const app = createApp({ holder, hub, token, options: { config: project.configFile }, io, client: clientOf });
  const server = await listenOn(app, listen);
  hub.start();
  announce({ name: project.name, what: project.name, listen, server, token, options, io });
  await untilStopped(options.forMs);
  hub.stop();
  holder.close();
  await closeServer(server);
  return 0;
}

/** The client's address, for the failed-token limit. */
export const clientOf = (c: Context): string => getConnInfo(c).remote.address ?? '?';

/** The server listening, or a runtime error that says why not. */
export async function listenOn(app: Hono, listen: Listen): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: listen.host, port: listen.port }) as Server;
    s.once('listening', () => resolve(s));
    s.once('error', (error: NodeJS.ErrnoException) =>
      reject(new RuntimeError(`ao web cannot listen on ${listen.host}:${listen.port}: ${error.code === 'EADDRINUSE' ? 'the port is in use' : error.message}`)),
    );
  });
}

/** The startup lines: where to open it, with its token (as one JSON line with --json), and the TLS warning beyond loopback. */
export function announce(a: { name: string; what: string; listen: Listen; server: Server; token: string; options: WebOptions; io: Io; fleet?: string }): void {
  const { io, options, listen } = a;
  const port = (a.server.address() as AddressInfo).port;
  const url = urlOf(listen.host, port);
  // in a pane the watchdog keeps ([web] listen), the token stays out of the pane's log: `ao web --url` prints it
  const inPane = Boolean(io.env.AO_AGENT);
  const withToken = inPane ? `${url}?token=… (ao web --url prints it)` : `${url}?token=${a.token}`;
  if (options.json)
    io.out(
      `${jsonText({ ...(a.fleet ? { fleet: a.fleet } : { project: a.name }), url, open: withToken, listen: `${listen.host}:${port}`, loopback: isLoopback(listen.host) })}\n`,
    );
  else {
    io.out(`ao web: ${a.what} at ${url} (Ctrl-C stops it; the team${a.fleet ? 's run' : ' runs'} on)\n`);
    io.out(`open: ${withToken}\n`);
    if (options.open) io.out('(--open: open the URL above in a browser; the token is kept in a cookie from then on)\n');
  }
  if (!isLoopback(listen.host)) io.err(`${TLS_WARNING}\n`);
}

/** Until SIGINT or SIGTERM (or `forMs`). */
export async function untilStopped(forMs?: number): Promise<void> {
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (forMs) setTimeout(stop, forMs).unref();
  });
}

export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
