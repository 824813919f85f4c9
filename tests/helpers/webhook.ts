import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Post {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Webhook {
  url: string;
  posts: Post[];
  close: () => Promise<void>;
}

/**
 * A stand-in webhook on 127.0.0.1: it records every POST and answers it
 * with `status`, or never (`hang`: the request is held until close()).
 */
export async function startWebhook(answer: number | 'hang' = 200): Promise<Webhook> {
  const posts: Post[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      posts.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (answer === 'hang') return;
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'trouble');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook/secret-token`,
    posts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An address on 127.0.0.1 where nothing listens (a port just opened and closed again). */
export async function closedPort(): Promise<string> {
  const hook = await startWebhook();
  await hook.close();
  return hook.url;
}
