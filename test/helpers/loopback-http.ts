import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** One request as the server saw it. */
export interface SeenRequest {
  path: string;
  authorization: string | undefined;
}

/** A real HTTP server on 127.0.0.1 and a port of its own. */
export interface LoopbackServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  requests: SeenRequest[];
}

export type LoopbackHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

/** Starts and stops loopback servers; call `closeAll` after each test. */
export function loopbackServers(): {
  serve(handler: LoopbackHandler): Promise<LoopbackServer>;
  closeAll(): Promise<void>;
} {
  const servers: Server[] = [];
  return {
    async serve(handler) {
      const requests: SeenRequest[] = [];
      const server = createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        requests.push({ path: `${url.pathname}${url.search}`, authorization: req.headers.authorization });
        handler(req, res, url);
      });
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      return { origin: `http://127.0.0.1:${address.port}`, requests };
    },
    async closeAll() {
      for (const server of servers.splice(0)) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}

/** Answers `status` with `body` as JSON. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
