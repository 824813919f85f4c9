/**
 * Where the pages of `ao web` live: the one place their URLs are made. A
 * single project's server has its pages at the root (base ''); `ao web
 * --fleet` mounts each project under `/p/<name>` (its name percent-encoded, as
 * a folder's name may hold any character but "/"), with the fleet's page at
 * `/`. Pure.
 */
import { getPath } from 'hono/utils/url';

export interface Site {
  /** the path every page and API call of the project is under: '' or `/p/<name>` */
  base: string;
  /** where the fleet's page is, when the project is one of a fleet's (for the navigation) */
  fleet: string | null;
}

/** A single project's server: everything at the root. */
export const ROOT_SITE: Site = { base: '', fleet: null };

/** A project of a fleet: under its prefix, with a way back to the fleet's page. */
export const fleetSite = (name: string): Site => ({ base: projectBase(name), fleet: '/' });

/** The prefix of a fleet's project. */
export const projectBase = (name: string): string => `/p/${encodeURIComponent(name)}`;

/** The URL of `path` (from '/') on the project's site. */
export const siteUrl = (site: Site, path: string): string => `${site.base}${path.startsWith('/') ? path : `/${path}`}`;

/**
 * A fleet's path split into its project's name and the path within that
 * project (from '/'), or null when it is not under `/p/<name>`. The name is
 * decoded as one segment, whichever characters the client encoded; a name
 * that is not valid percent-encoding is no project's.
 */
export function splitProjectPath(pathname: string): { name: string; rest: string } | null {
  const match = /^\/p\/([^/]+)(\/.*)?$/.exec(pathname);
  if (!match) return null;
  let name: string;
  try {
    name = decodeURIComponent(match[1]!);
  } catch {
    return null;
  }
  return { name, rest: match[2] ?? '/' };
}

/**
 * The path a project's routes see under its base: the rest after `/p/<name>`,
 * decoded as Hono decodes a path (so that `/agents/:name` reads the same as on
 * a single project's server).
 */
export function routePath(site: Site, url: string): string {
  const raw = new URL(url).pathname;
  const rest = site.base === '' ? raw : (splitProjectPath(raw)?.rest ?? raw);
  return getPath({ url: rest } as Request);
}
