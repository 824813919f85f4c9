/**
 * The actions of a remote project's page: the same requests as a local
 * project's (`POST /api/agents/NAME/messages|restart|stop`, `/api/phase/next`,
 * `/api/phase/set`), each run as the CLI command on its host through the
 * fleet's ssh (`ao send`, `ao restart`, `ao down AGENT`, `ao phase`), under
 * the same token and Origin rules (checked before this is reached). Never a
 * keystroke, never a shell command: the argv is ao's, each word quoted by
 * fleet/ssh.ts's remoteCommand.
 */
import { MESSAGE_CAP, sanitizeMessage } from '../coord/inbox.js';
import type { Reply } from '../fleet/ssh.js';
import { safeText } from '../text/safe.js';

/**
 * The most of a message sent to a remote agent: it goes as one word of the
 * remote command line, and Linux takes no word over 128 KiB.
 */
export const REMOTE_MESSAGE_CAP = 100_000;

/** What a request asks of a remote project: ao's argv there (`work`: a start or a stop, with the longer deadline), or why not. */
export type RemoteRequest = { args: string[]; work: boolean } | { status: 400 | 404; error: string };

/** Pure: a POST under a remote project's prefix (`rest`, the path within it) and its JSON body, as the ao command its host runs. */
export function remoteRequest(rest: string, body: unknown, agents: readonly string[] | null): RemoteRequest {
  const b = (body ?? {}) as { text?: unknown; id?: unknown };
  if (rest === '/api/phase/next') return { args: ['phase', 'next'], work: true };
  if (rest === '/api/phase/set') {
    if (typeof b.id !== 'string' || b.id === '') return { status: 400, error: 'phase set needs {"id": "..."}' };
    return { args: ['phase', 'set', b.id], work: true };
  }
  const match = /^\/api\/agents\/([^/]+)\/(messages|restart|stop)$/.exec(rest);
  if (!match) return { status: 404, error: 'no such action' };
  const [, encoded = '', action] = match;
  let agent: string;
  try {
    agent = decodeURIComponent(encoded);
  } catch {
    return { status: 404, error: 'no such agent' };
  }
  if (agents && !agents.includes(agent)) return { status: 404, error: `no agent "${safeText(agent)}" in this project` };
  if (action === 'restart') return { args: ['restart', agent], work: true };
  if (action === 'stop') return { args: ['down', agent], work: true };
  if (typeof b.text !== 'string') return { status: 400, error: 'a message needs {"text": "..."}' };
  const bytes = Buffer.byteLength(b.text);
  if (bytes > Math.min(MESSAGE_CAP, REMOTE_MESSAGE_CAP))
    return { status: 400, error: `the message is over ${REMOTE_MESSAGE_CAP} bytes, the most sent to another host: nothing sent` };
  if (sanitizeMessage(b.text) === '') return { status: 400, error: `no message for ${safeText(agent)}` };
  return { args: ['send', agent, '--', b.text], work: false };
}

/** What the remote command came to, as the page's actions answer: 200 done, 400 refused there (exit 2), 500 failed there, 502 not reached. */
export function remoteOutcome(reply: Reply): { status: 200 | 400 | 500 | 502; output: string; error?: string } {
  if (reply.kind !== 'answer') return { status: 502, output: '', error: safeText(reply.reason) };
  const output = safeText(`${reply.stdout}${reply.stderr}`).trim();
  if (reply.exitCode === 0) return { status: 200, output };
  return { status: reply.exitCode === 2 ? 400 : 500, output, error: output || `exit ${reply.exitCode}` };
}
