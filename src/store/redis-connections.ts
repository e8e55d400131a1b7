import type { RedisOptions } from 'ioredis';
import { OrgsyncError } from '../errors.js';
import {
  createRedisClient,
  describeRedis,
  redactRedisSecrets,
  type RedisConnection,
  type RedisSettings,
} from './redis-client.js';
import {
  DEFAULT_REDIS_TIMEOUT_MS,
  isRedisUnavailable,
  producerConnectionOptions,
  workerConnectionOptions,
} from './redis-options.js';

/** Name of the BullMQ queue every kind of job goes through, unless `--queue` says otherwise. */
export const DEFAULT_QUEUE_NAME = 'orgsync';

export { queueKeyPrefix } from './redis-keys.js';

/**
 * The connection of a worker process (BullMQ's contract): commands wait through reconnects
 * forever (`maxRetriesPerRequest: null`), since a worker must outlive a Redis restart
 * (`workerConnectionOptions`).
 */
export function createWorkerConnection(
  settings: RedisSettings,
  onError?: (error: Error) => void,
  options: RedisOptions = {},
): RedisConnection {
  const redis = createRedisClient(settings, { ...workerConnectionOptions(), ...options });
  redis.on('error', (error: Error) => onError?.(error));
  return redis;
}

/**
 * The connection of a producer (`orgsync enqueue`, `orgsync runs`, the HTTP service): connected
 * before it is returned (a clear error when Redis cannot be reached at all). After that, commands
 * issued while Redis is away wait for it to come back, each for at most `timeoutMs`
 * (ORGSYNC_REDIS_TIMEOUT_MS; `producerConnectionOptions`), and the connection reconnects by itself.
 * `toRedisUnavailable` turns such a timeout into an error that names the Redis.
 */
export async function connectProducerConnection(
  settings: RedisSettings,
  onError?: (error: Error) => void,
  options: RedisOptions & { timeoutMs?: number | undefined } = {},
): Promise<RedisConnection> {
  const { timeoutMs = DEFAULT_REDIS_TIMEOUT_MS, ...redisOptions } = options;
  const redis = createRedisClient(settings, {
    ...producerConnectionOptions(timeoutMs),
    lazyConnect: true,
    ...redisOptions,
  });
  // Without a listener ioredis prints every reconnect failure; commands report errors themselves.
  // The first failure's reason (WRONGPASS, a certificate refused) comes as an event; connect() then
  // only says "Connection is closed".
  let lastError: Error | undefined;
  redis.on('error', (error: Error) => {
    lastError ??= error;
    onError?.(error);
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    const reason = lastError?.message ?? (error instanceof Error ? error.message : String(error));
    throw new OrgsyncError(
      'ERR_REDIS',
      `cannot connect to Redis at ${describeRedis(settings)} (${redactRedisSecrets(reason, settings)}); is it running, and are REDIS_URL and ORGSYNC_REDIS_MODE right?`,
      { cause: error },
    );
  }
  return redis;
}

/**
 * `error` as the CLI says it: when ioredis gave up waiting for Redis (a command timed out during an
 * outage, the connection closed), an `OrgsyncError` (`ERR_REDIS_UNAVAILABLE`) naming the Redis
 * (without credentials) and the setting; anything else unchanged.
 */
export function toRedisUnavailable(error: unknown, redis: RedisSettings | string, timeoutMs: number): unknown {
  if (!isRedisUnavailable(error)) return error;
  return new OrgsyncError(
    'ERR_REDIS_UNAVAILABLE',
    `Redis at ${describeRedis(redis)} did not answer within ${timeoutMs} ms (ORGSYNC_REDIS_TIMEOUT_MS); is it running, and is REDIS_URL right? Jobs already queued stay in Redis: run the command again once Redis is back.`,
    { cause: error },
  );
}

/** What `watchOutages` logs through: a pino logger fits. */
export interface OutageLog {
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

/**
 * Logs one line when `redis` loses its connection ("Redis connection lost": commands now wait for
 * it, up to `timeoutMs`) and one when it is back, instead of one error per reconnect attempt.
 */
export function watchOutages(
  redis: RedisConnection,
  target: RedisSettings | string,
  log: OutageLog,
  timeoutMs?: number,
): void {
  let away = false;
  // `reconnecting`, not `close`: a connection closed on purpose (QUIT at shutdown) does not reconnect.
  redis.on('reconnecting', () => {
    if (away) return;
    away = true;
    log.warn(
      { redis: describeRedis(target), ...(timeoutMs === undefined ? {} : { timeout_ms: timeoutMs }) },
      'Redis connection lost; reconnecting, commands wait for it',
    );
  });
  redis.on('ready', () => {
    if (!away) return;
    away = false;
    log.info({ redis: describeRedis(target) }, 'Redis connection restored');
  });
}

/** Closes a connection politely (QUIT), or drops it when it is not connected. Never throws. */
export async function closeConnection(redis: RedisConnection): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  try {
    await redis.quit();
  } catch {
    // Already closing or closed by the server: dropping it is all that is left to do.
    redis.disconnect();
  }
}
