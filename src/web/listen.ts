/** Where `ao web` listens: `HOST:PORT` parsed (IPv6 in brackets), and whether that is loopback only. Pure. */
import { UsageError } from '../errors.js';

export const DEFAULT_LISTEN = '127.0.0.1:7420';

export interface Listen {
  host: string;
  port: number;
}

export function parseListen(value: string): Listen {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[3]);
  if (!match || port > 65535) throw new UsageError(`--listen ${JSON.stringify(value)}: expected HOST:PORT (like 127.0.0.1:7420, [::1]:7420 or 0.0.0.0:7420)`);
  return { host: (match[1] ?? match[2])!, port };
}

/** Only this machine can connect: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || /^::ffff:127\./i.test(host);
}

/** The URL a browser opens for a listen address. */
export function urlOf(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}/`;
}

export const TLS_WARNING =
  'warning: ao web is listening beyond this machine over plain HTTP: its token and everything it shows cross the network unencrypted. ' +
  'Put TLS in front (a reverse proxy such as caddy or nginx, or `tailscale serve`) and listen on 127.0.0.1 behind it (README "ao web from a phone").';
