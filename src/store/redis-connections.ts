import { Redis, type RedisOptions } from 'ioredis';
import { OrgsyncError } from '../errors.js';
import {
  DEFAULT_REDIS_TIMEOUT_MS,
  isRedisUnavailable,
  producerConnectionOptions,
  workerConnectionOptions,
} from './redis-options.js';

/** Name of the BullMQ queue every kind of job goes through, unless `--queue` says otherwise. */
export const DEFAULT_QUEUE_NAME = 'orgsync';

/** Prefix of every Redis key orgsync itself writes (run history, import chunks, locks, rate budget). */
export const ORGSYNC_KEY_PREFIX = 'orgsync:';

/** Keys that belong to one queue (run history, bulk-import chunks): `orgsync:<queue>:`. */
export function queueKeyPrefix(queueName: string): string {
  return `${ORGSYNC_KEY_PREFIX}${queueName}:`;
}

/**
 * The connection of a worker process (BullMQ's contract): commands wait through reconnects
 * forever (`maxRetriesPerRequest: null`), since a worker must outlive a Redis restart
 * (`workerConnectionOptions`).
 */
export function createWorkerConnection(
  redisUrl: string,
  onError?: (error: Error) => void,
  options: RedisOptions = {},
): Redis {
  const redis = new Redis(redisUrl, { ...workerConnectionOptions(), ...options });
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
  redisUrl: string,
  onError?: (error: Error) => void,
  options: RedisOptions & { timeoutMs?: number | undefined } = {},
): Promise<Redis> {
  const { timeoutMs = DEFAULT_REDIS_TIMEOUT_MS, ...redisOptions } = options;
  const redis = new Redis(redisUrl, { ...producerConnectionOptions(timeoutMs), lazyConnect: true, ...redisOptions });
  // Without a listener ioredis prints every reconnect failure; commands report errors themselves.
  redis.on('error', (error: Error) => onError?.(error));
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new Error(
      `cannot connect to Redis at ${describeRedisUrl(redisUrl)}; is it running, and is REDIS_URL right?`,
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
export function toRedisUnavailable(error: unknown, redisUrl: string, timeoutMs: number): unknown {
  if (!isRedisUnavailable(error)) return error;
  return new OrgsyncError(
    'ERR_REDIS_UNAVAILABLE',
    `Redis at ${describeRedisUrl(redisUrl)} did not answer within ${timeoutMs} ms (ORGSYNC_REDIS_TIMEOUT_MS); is it running, and is REDIS_URL right? Jobs already queued stay in Redis: run the command again once Redis is back.`,
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
export function watchOutages(redis: Redis, redisUrl: string, log: OutageLog, timeoutMs?: number): void {
  let away = false;
  // `reconnecting`, not `close`: a connection closed on purpose (QUIT at shutdown) does not reconnect.
  redis.on('reconnecting', () => {
    if (away) return;
    away = true;
    log.warn(
      { redis: describeRedisUrl(redisUrl), ...(timeoutMs === undefined ? {} : { timeout_ms: timeoutMs }) },
      'Redis connection lost; reconnecting, commands wait for it',
    );
  });
  redis.on('ready', () => {
    if (!away) return;
    away = false;
    log.info({ redis: describeRedisUrl(redisUrl) }, 'Redis connection restored');
  });
}

/** `redis://host:port/db` without user or password, for messages. */
export function describeRedisUrl(redisUrl: string): string {
  if (!URL.canParse(redisUrl)) return 'the configured REDIS_URL';
  const url = new URL(redisUrl);
  return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

/** Closes a connection politely (QUIT), or drops it when it is not connected. Never throws. */
export async function closeConnection(redis: Redis): Promise<void> {
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
