import { rm } from 'node:fs/promises';
import { freePort, privateDir, startRedisServer, type RedisProcess } from './redis-process.js';
import { NO_REDIS_SERVER } from './redis-server.js';

/**
 * A standalone `redis-server` of a test's own that can be stopped and started again on the same
 * port and directory, as an operator restarts Redis: AOF on (`appendfsync always`, so even a
 * SIGKILL loses no acknowledged write), no RDB snapshots, bound to loopback, in a private temporary
 * directory that `close` removes.
 */
export interface RestartableRedis {
  /** `redis://127.0.0.1:PORT` (with `:PASSWORD@` when started with one), the same across restarts. */
  url: string;
  port: number;
  dir: string;
  /** Whether the server process is up (it may still be loading its AOF). */
  readonly running: boolean;
  /**
   * Stops the server: `shutdown` (SIGTERM: Redis's own graceful SHUTDOWN, AOF flushed) or `kill`
   * (SIGKILL, a crash). Resolves once the process has exited and the port is closed.
   */
  stop(how?: 'shutdown' | 'kill'): Promise<void>;
  /** Starts it again on the same port and directory; resolves once it answers PING (AOF loaded). */
  start(): Promise<void>;
  /** Stops it for good and removes its directory. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts a restartable Redis on a free port (see `RestartableRedis`). Throws `NO_REDIS_SERVER` when
 * `redis-server` is not installed, or Redis's own output when it does not answer within
 * `startTimeoutMs` (default 20,000) of a start.
 */
export async function startRestartableRedis(
  options: { startTimeoutMs?: number; password?: string } = {},
): Promise<RestartableRedis> {
  const startTimeoutMs = options.startTimeoutMs ?? 20_000;
  const dir = await privateDir('redis-aof');
  // A free port can be taken between finding it and binding it: try a few on the first start.
  let port = await freePort();
  const auth = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`;
  const url = () => `redis://${auth}127.0.0.1:${port}`;
  let child: RedisProcess | undefined;
  let closed = false;

  /** Starts the server; resolves once PING answers PONG (up, and done loading its AOF). */
  async function launch(): Promise<void> {
    const password = options.password === undefined ? [] : ['--requirepass', options.password];
    child = await startRedisServer(
      dir,
      ['--appendfsync', 'always', '--maxmemory-policy', 'noeviction', ...password],
      { password: options.password },
      { port, appendonly: true, startTimeoutMs, killAfterMs: 10_000, missingMessage: NO_REDIS_SERVER },
    );
  }

  async function stopChild(how: 'shutdown' | 'kill'): Promise<void> {
    const running = child;
    child = undefined;
    await running?.stop(how);
  }

  for (let attempt = 1; ; attempt += 1) {
    try {
      await launch();
      break;
    } catch (error) {
      if (attempt >= 3 || (error instanceof Error && error.message === NO_REDIS_SERVER)) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
      port = await freePort();
    }
  }

  return {
    url: url(),
    port,
    dir,
    get running() {
      return child?.running ?? false;
    },
    stop: (how = 'shutdown') => stopChild(how),
    async start() {
      if (closed) throw new Error('this Redis is closed');
      if (child) throw new Error(`redis-server is already running on port ${port}`);
      await launch();
    },
    async close() {
      if (closed) return;
      closed = true;
      await stopChild('shutdown');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
