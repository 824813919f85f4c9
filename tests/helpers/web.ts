/** `ao web` started by a test on a free loopback port, and ended by it (its pid only). */
import { execa, type ResultPromise } from 'execa';
import { createServer } from 'node:net';
import { AO, type Team } from './ao.js';

export interface Web {
  /** http://127.0.0.1:PORT/ */
  url: string;
  token: string;
  proc: ResultPromise;
  /** SIGTERM to its pid; resolves with its exit code */
  stop: () => Promise<number>;
  /** a fetch with the token as Bearer (and extra headers) */
  get: (path: string, headers?: Record<string, string>) => Promise<Response>;
}

export async function startWeb(team: Pick<Team, 'dir' | 'socket'>, args: string[] = [], env: Record<string, string> = {}): Promise<Web> {
  const proc = execa(process.execPath, [AO, 'web', '--listen', '127.0.0.1:0', '--json', ...args], {
    cwd: team.dir,
    reject: false,
    env: { AO_TMUX_SOCKET: team.socket, AO_CONFIG: '', TMUX: '', ...env },
    stdin: 'ignore',
  });
  const first = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`ao web printed no URL in 15 s: ${seen}`)), 15_000);
    proc.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('\n')) {
        clearTimeout(timer);
        resolve(seen.slice(0, seen.indexOf('\n')));
      }
    });
    void proc.then((r) => reject(new Error(`ao web exited ${r.exitCode}: ${String(r.stderr)}`)));
  });
  const info = JSON.parse(first) as { url: string; open: string };
  const token = new URL(info.open).searchParams.get('token')!;
  let stopped: Promise<number> | null = null;
  return {
    url: info.url,
    token,
    proc,
    stop: () =>
      (stopped ??= (async () => {
        if (proc.exitCode === null) proc.kill('SIGTERM');
        const r = await proc;
        return r.exitCode ?? -1;
      })()),
    get: (path, headers = {}) => fetch(new URL(path, info.url), { headers: { Authorization: `Bearer ${token}`, ...headers }, redirect: 'manual' }),
  };
}

/** The messages of an SSE answer as they come, until `until` says enough or `ms` pass. */
export async function readSse(
  response: Response,
  until: (m: { event: string; data: string }[]) => boolean,
  ms: number,
): Promise<{ event: string; data: string }[]> {
  const reader = response.body!.getReader();
  const messages: { event: string; data: string }[] = [];
  let buffer = '';
  const deadline = Date.now() + ms;
  try {
    while (Date.now() < deadline && !until(messages)) {
      const next = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), Math.max(1, deadline - Date.now())))]);
      if (next === null || next.done) break;
      buffer += new TextDecoder().decode(next.value);
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = [...block.matchAll(/^data: (.*)$/gm)].map((m) => m[1]).join('\n');
        if (!block.startsWith(':')) messages.push({ event, data });
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return messages;
}

/** A loopback port free now (for a server that must come back on the same one). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
  });
}
