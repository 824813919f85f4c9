/**
 * The token of `ao web` (as Jupyter's): made once per project, kept 0600 in
 * the state folder, never through a link; compared in constant time; failed
 * tries limited per client address.
 */
import { linkSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { randomHex } from '../state/digest.js';
import { layout } from '../state/layout.js';
import { ensureDir, readTextCapped, writeAtomic } from '../state/safe-fs.js';

const TOKEN = /^[A-Za-z0-9_-]{32,128}$/;

/** The project's token: the one kept in the state folder, else a new one made there (two racing starts agree on the first). */
export function projectToken(stateDir: string): string {
  const file = layout.webToken(stateDir);
  const kept = readTextCapped(file, 1024)?.trim();
  if (kept !== undefined && TOKEN.test(kept)) return kept;
  ensureDir(stateDir);
  const token = randomBytes(24).toString('base64url');
  const temp = layout.atomicTemp(file, randomHex(6));
  writeAtomic(temp, `${token}\n`);
  try {
    // a link never replaces: whoever links first made the project's token
    if (kept !== undefined) rmSync(file, { force: true }); // a kept file that is no token is replaced
    linkSync(temp, file);
    return token;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return projectToken(stateDir);
  } finally {
    rmSync(temp, { force: true });
  }
}

/**
 * Where a fleet keeps what is its own (its web token): `.ao/<file's name>`
 * beside its fleet file, a folder of ao's that no project's state folder is.
 */
export const fleetStateDir = (fleetFile: string): string => join(dirname(fleetFile), '.ao', basename(fleetFile).replace(/\.toml$/, ''));

/** The fleet's token for `ao web --fleet`: one for all its projects, kept as a project's is. */
export const fleetToken = (fleetFile: string): string => projectToken(fleetStateDir(fleetFile));

/** Whether `given` is the token, in time that does not depend on where they differ. */
export function tokenMatches(token: string, given: string | undefined | null): boolean {
  if (!given) return false;
  const [a, b] = [Buffer.from(token), Buffer.from(given)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Failed tokens per client address: `limit` failures within `windowMs` and
 * that address is refused (429) until the window of its first failure ends.
 * Bounded: at most `maxClients` addresses are remembered, the oldest forgotten.
 */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit = 10,
    private readonly windowMs = 60_000,
    private readonly maxClients = 1024,
  ) {}

  private recent(client: string, now: number): number[] {
    const kept = (this.failures.get(client) ?? []).filter((t) => now - t < this.windowMs);
    if (kept.length === 0) this.failures.delete(client);
    else this.failures.set(client, kept);
    return kept;
  }

  /** Whether this client may try a token now. */
  allowed(client: string, now = Date.now()): boolean {
    return this.recent(client, now).length < this.limit;
  }

  fail(client: string, now = Date.now()): void {
    const kept = this.recent(client, now);
    this.failures.delete(client);
    this.failures.set(client, [...kept, now]);
    if (this.failures.size > this.maxClients) this.failures.delete(this.failures.keys().next().value!);
  }
}
