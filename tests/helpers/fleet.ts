/** A fleet folder for tests of `ao fleet`, `ao dash --fleet` and `ao web --fleet`, with its own teardown, as team() is for one project. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';
import { endLeftovers, killServerAndSocket, removeProject, runAo, uniqueSocket, type Ao } from './ao.js';
import { endProcessesWith, killHost, type TestHost } from './sshd.js';

export interface Fleet<K extends string> {
  /** the fleet folder, empty: the test writes its projects and fleet.toml there */
  root: string;
  /** AO_TMUX_SOCKET of every run: a project without a tmux_socket in fleet.toml would land here, on a server of the test's own */
  fallback: string;
  /** a socket of the test's own for each name, for fleet.toml's tmux_socket lines */
  sockets: Record<K, string>;
  /** runs the built CLI in the fleet folder on the fallback socket */
  ao: Ao;
  /** `ao fleet down`, every socket's tmux server killed (and the socket file it can leave), the folder removed (with retries) */
  cleanup: () => Promise<void>;
}

export interface FleetOptions {
  /** what every `ao` of the fleet runs with, over runAo's own environment */
  env?: Record<string, string>;
  /** who calls cleanup, as team()'s: `afterTest`, `afterAll`, or (left out) the caller */
  teardown?: 'afterTest' | 'afterAll';
}

/** A fleet folder and sockets `<tag>-<name>` (and `<tag>-env` for the fallback), none of them any other test's. */
export function fleet<K extends string>(tag: string, names: readonly K[], options: FleetOptions = {}): Fleet<K> {
  const root = mkdtempSync(join(tmpdir(), `ao-test-${tag}-`));
  const fallback = uniqueSocket(`${tag}-env`);
  const sockets = Object.fromEntries(names.map((n) => [n, uniqueSocket(`${tag}-${n}`)])) as Record<K, string>;
  const ao: Ao = (...args) => runAo(args, { cwd: root, socket: fallback, env: options.env ?? {} });
  const f: Fleet<K> = {
    root,
    fallback,
    sockets,
    ao,
    cleanup: async () => {
      await ao('fleet', 'down');
      for (const socket of [fallback, ...Object.values<string>(sockets)]) await killServerAndSocket(socket);
      removeProject(root);
    },
  };
  if (options.teardown === 'afterTest') onTestFinished(f.cleanup);
  else if (options.teardown === 'afterAll') afterAll(f.cleanup);
  return f;
}

/**
 * The end of a fleet with projects on test hosts over OpenSSH (tests/helpers/sshd.ts): `down`, its teams brought down
 * where they are while the hosts still answer; then, whatever that did, the hosts, the ssh clients and masters of the
 * runs (their argv carries the runtime folder), every tmux server of the test and what outlived it, the folders.
 */
export async function endSshFleet(f: {
  down: () => Promise<unknown>;
  root: string;
  runtime: string;
  hosts: readonly (TestHost | undefined)[];
  sockets: readonly (string | undefined)[];
}): Promise<void> {
  try {
    await f.down();
  } finally {
    for (const h of f.hosts) if (h) await killHost(h);
    endProcessesWith(f.runtime);
    for (const socket of f.sockets) {
      if (!socket) continue;
      await killServerAndSocket(socket);
      endLeftovers(socket);
    }
    removeProject(f.root);
    removeProject(f.runtime);
  }
}
