import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** A request as the scripted server saw it. */
export interface SeenRequest {
  method: string;
  /** Raw request target, percent-encoding untouched. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** What to answer: a response, a dropped connection, or silence until the client gives up. */
export type Reply =
  { status: number; json?: unknown; text?: string; headers?: Record<string, string> } | 'drop' | 'hang';

/** Handles one request; `index` counts requests to the same method + path (0-based). */
export type Script = (request: SeenRequest, index: number) => Reply;

export interface ScriptedServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/** Tokens handed out by `tokenReply`, numbered. */
export function tokenReply(n: number, expiresInS = 3600): Reply {
  return { status: 200, json: { access_token: `tok-${n}`, token_type: 'Bearer', expires_in: expiresInS } };
}

/** A real HTTP server on 127.0.0.1, port 0, answering per `script`. Close it in `finally`/`afterEach`. */
export async function startScriptedServer(script: Script): Promise<ScriptedServer> {
  const requests: SeenRequest[] = [];
  const counts = new Map<string, number>();
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const seen: SeenRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(seen);
      const key = `${seen.method} ${seen.url.split('?')[0] ?? ''}`;
      const index = counts.get(key) ?? 0;
      counts.set(key, index + 1);
      const reply = script(seen, index);
      if (reply === 'drop') {
        req.socket.destroy();
        return;
      }
      if (reply === 'hang') {
        hanging.add(res);
        return;
      }
      const body = reply.json === undefined ? (reply.text ?? '') : JSON.stringify(reply.json);
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('scripted server: no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
