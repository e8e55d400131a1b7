import { createServer } from 'node:http';

/** Path of the worker's liveness endpoint (the same as `orgsync serve`'s). */
export const WORKER_HEALTH_PATH = '/healthz';

/** Whether the worker is alive: its Redis connection and its BullMQ worker are running. */
export interface WorkerHealth {
  alive: boolean;
  /** Why not, when not alive (no secret: the Redis URL is never in it). */
  reason?: string;
}

/** A running health endpoint. */
export interface WorkerHealthServer {
  /** `http://HOST:PORT` it listens on. */
  url: string;
  /** Stops listening and drops open connections. Idempotent. */
  close(): Promise<void>;
}

/**
 * `orgsync worker --health-port N`: a tiny HTTP server whose `GET /healthz` answers 200
 * `{"status":"ok"}` while `check()` says alive, 503 `{"status":"unavailable","reason":...}`
 * otherwise (e.g. while Redis is unreachable or the worker is shutting down). Anything else is 404.
 */
export async function startWorkerHealthServer(options: {
  port: number;
  host: string;
  check: () => WorkerHealth;
}): Promise<WorkerHealthServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== WORKER_HEALTH_PATH || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"status":"not found"}');
      return;
    }
    const health = options.check();
    const body = health.alive ? { status: 'ok' } : { status: 'unavailable', reason: health.reason ?? 'not running' };
    res
      .writeHead(health.alive ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(req.method === 'HEAD' ? undefined : JSON.stringify(body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
