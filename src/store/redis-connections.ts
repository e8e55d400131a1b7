import type { RedisOptions } from 'ioredis';
import { OrgsyncError } from '../errors.js';
import {
  createRedisClient,
  describeRedis,
  redactRedisSecrets,
  type RedisConnection,
  type RedisSettings,
} from './redis-client.js';
import { orgsyncKeyPrefix } from './redis-keys.js';

export { queueKeyPrefix } from './redis-keys.js';

/** Name of the BullMQ queue every kind of job goes through, unless `--queue` says otherwise. */
export const DEFAULT_QUEUE_NAME = 'orgsync';

/** Prefix of every Redis key orgsync itself writes on a single server (`redis-keys.ts` for a cluster's). */
export const ORGSYNC_KEY_PREFIX = orgsyncKeyPrefix();

/**
 * The connection of a worker process (BullMQ's contract): commands wait through reconnects
 * forever (`maxRetriesPerRequest: null`), since a worker must outlive a Redis restart.
 */
export function createWorkerConnection(
  settings: RedisSettings,
  onError?: (error: Error) => void,
  options: RedisOptions = {},
): RedisConnection {
  const redis = createRedisClient(settings, { maxRetriesPerRequest: null, ...options });
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
  settings: RedisSettings,
  onError?: (error: Error) => void,
  options: RedisOptions = {},
): Promise<RedisConnection> {
  const redis = createRedisClient(settings, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    lazyConnect: true,
    ...options,
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

/** `redis://host:port/db` without user or password, for messages (every URL of a list). */
export function describeRedisUrl(redisUrl: string): string {
  return describeRedis(redisUrl);
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
