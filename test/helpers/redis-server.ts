import { rm } from 'node:fs/promises';
import { privateDir, startRedisServer } from './redis-process.js';

/** A `redis-server` of our own: in memory only, on loopback, in a temporary directory. */
export interface PrivateRedis {
  url: string;
  port: number;
  /** Stops it (SIGTERM, then SIGKILL) and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

/** Said when no `redis-server` can be started: what to do about it, on one line. */
export const NO_REDIS_SERVER =
  'redis-server is not installed: install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL to a Redis the tests may use';

/**
 * Starts `redis-server` on `port` (default: a free one) and waits until it answers PING. Nothing is
 * saved to disk. Throws `NO_REDIS_SERVER` when the binary is missing, or Redis's own output when it
 * does not come up within `startTimeoutMs` (default 20,000).
 */
export async function startPrivateRedis(
  options: { port?: number; startTimeoutMs?: number } = {},
): Promise<PrivateRedis> {
  const dir = await privateDir('redis');
  const removeDir = () => rm(dir, { recursive: true, force: true });
  const server = await startRedisServer(dir, [], {}, { ...options, missingMessage: NO_REDIS_SERVER }).catch(
    async (error: unknown) => {
      await removeDir();
      throw error;
    },
  );
  let stopping: Promise<void> | undefined;
  return {
    url: `redis://127.0.0.1:${server.port}`,
    port: server.port,
    stop: () => (stopping ??= server.stop().then(removeDir)),
  };
}
