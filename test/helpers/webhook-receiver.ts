import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

/** One POST as the receiver got it. */
export interface ReceivedPost {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON (`undefined` when it is not JSON). */
  json: unknown;
}

/** How the receiver answers the n-th request (0-based): a status, or `hang` (never answers). */
export type ReceiverAnswer = number | 'hang';

/** A loopback HTTP server that keeps every request it gets, for notification tests. */
export interface WebhookReceiver {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  posts: ReceivedPost[];
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1; `answer(n)` picks the answer of the n-th request (default 200). */
export async function startWebhookReceiver(
  answer: (n: number) => ReceiverAnswer = () => 200,
): Promise<WebhookReceiver> {
  const posts: ReceivedPost[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined; // kept as text only
      }
      const n = posts.length;
      posts.push({ path: req.url ?? '/', headers: req.headers, body, json });
      const reply = answer(n);
      if (reply === 'hang') return;
      res.writeHead(reply, { 'content-type': 'text/plain' }).end(reply < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    posts,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
