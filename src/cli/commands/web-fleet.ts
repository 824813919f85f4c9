import { relative } from 'node:path';
import { openFleet } from '../fleet.js';
import type { Io } from '../io.js';
import { createFleetApp } from '../../web/fleet-app.js';
import { FleetWatch } from '../../web/fleet-watch.js';
import { DEFAULT_LISTEN, parseListen, urlOf } from '../../web/listen.js';
import { fleetToken } from '../../web/token.js';
import { readFleetStatus } from './fleet-status.js';
import { announce, clientOf, closeServer, listenOn, untilStopped, type WebOptions } from './web.js';

/**
 * `ao web --fleet [FILE]`: one server and one token for every project of a
 * fleet file (the one `ao fleet` uses): the fleet's page at `/`, each
 * project's pages and API under `/p/<name>/`; a remote project read-only,
 * read through its host as `ao fleet status` reads it. Stopping it changes
 * nothing of any team.
 */
export async function webFleet(options: WebOptions, io: Io): Promise<number> {
  const fleet = openFleet(typeof options.fleet === 'string' ? { file: options.fleet } : {}, io);
  const listen = parseListen(options.listen ?? DEFAULT_LISTEN);
  const token = fleetToken(fleet.file);
  if (options.url) {
    io.out(`${urlOf(listen.host, listen.port)}?token=${token}\n`);
    return 0;
  }
  const watch = new FleetWatch(fleet, io, (f, entries, each) => readFleetStatus(f, entries, each));
  const { app, close } = createFleetApp({ watch, token, io, client: clientOf });
  const server = await listenOn(app, listen);
  const shown = relative(io.cwd, fleet.file) || fleet.file;
  announce({ name: shown, what: `the fleet ${shown}`, fleet: fleet.file, listen, server, token, options, io });
  await untilStopped(options.forMs);
  close();
  await closeServer(server);
  return 0;
}
