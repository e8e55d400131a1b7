import { Redis, type RedisOptions } from 'ioredis';

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
 * forever (`maxRetriesPerRequest: null`), since a worker must outlive a Redis restart.
 */
export function createWorkerConnection(
  redisUrl: string,
  onError?: (error: Error) => void,
  options: RedisOptions = {},
): Redis {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null, ...options });
  redis.on('error', (error: Error) => onError?.(error));
  return redis;
}

/**
 * The connection of a producer (`orgsync enqueue`, the HTTP service): fails fast instead of queueing
 * commands while Redis is down (`enableOfflineQueue: false`), so a caller gets an error at once.
 * Connected before it is returned, since an offline-queue-less client rejects commands until then;
 * after a later outage it reconnects in the background while commands fail at once.
 */
export async function connectProducerConnection(
  redisUrl: string,
  onError?: (error: Error) => void,
  options: RedisOptions = {},
): Promise<Redis> {
  const redis = new Redis(redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    lazyConnect: true,
    ...options,
  });
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
