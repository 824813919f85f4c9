import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { RuntimeError } from '../../errors.js';
import { createApp } from '../../web/app.js';
import { ProjectHolder } from '../../web/data.js';
import { Hub } from '../../web/hub.js';
import { DEFAULT_LISTEN, isLoopback, parseListen, TLS_WARNING, urlOf } from '../../web/listen.js';
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
}

/**
 * `ao web`: the team from a browser, in the foreground until Ctrl-C. It reads
 * what `ao status` and `ao dash` read and acts only through the CLI's own
 * commands; stopping it changes nothing of the team.
 */
export async function web(options: WebOptions, io: Io): Promise<number> {
  const holder = new ProjectHolder(options, io);
  const { project } = holder.current();
  const listen = parseListen(options.listen ?? project.web?.listen ?? DEFAULT_LISTEN);
  const token = projectToken(project.stateDir);
  if (options.url) {
    io.out(`${urlOf(listen.host, listen.port)}?token=${token}\n`);
    return 0;
  }
  const hub = new Hub(holder);
  const app = createApp({
    holder,
    hub,
    token,
    options: { config: project.configFile },
    io,
    client: (c) => getConnInfo(c).remote.address ?? '?',
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: listen.host, port: listen.port }) as Server;
    s.once('listening', () => resolve(s));
    s.once('error', (error: NodeJS.ErrnoException) =>
      reject(new RuntimeError(`ao web cannot listen on ${listen.host}:${listen.port}: ${error.code === 'EADDRINUSE' ? 'the port is in use' : error.message}`)),
    );
  });
  hub.start();
  const port = (server.address() as AddressInfo).port;
  const url = urlOf(listen.host, port);
  // in a pane the watchdog keeps ([web] listen), the token stays out of the pane's log: `ao web --url` prints it
  const inPane = Boolean(io.env.AO_AGENT);
  const withToken = inPane ? `${url}?token=… (ao web --url prints it)` : `${url}?token=${token}`;
  if (options.json)
    io.out(`${jsonText({ project: project.name, url, open: withToken, listen: `${listen.host}:${port}`, loopback: isLoopback(listen.host) })}\n`);
  else {
    io.out(`ao web: ${project.name} at ${url} (Ctrl-C stops it; the team runs on)\n`);
    io.out(`open: ${withToken}\n`);
    if (options.open) io.out('(--open: open the URL above in a browser; the token is kept in a cookie from then on)\n');
  }
  if (!isLoopback(listen.host)) io.err(`${TLS_WARNING}\n`);

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (options.forMs) setTimeout(stop, options.forMs).unref();
  });
  hub.stop();
  holder.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return 0;
}
