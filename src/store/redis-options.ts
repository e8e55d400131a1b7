import type { RedisOptions } from 'ioredis';

/**
 * The ioredis options of each kind of connection orgsync opens, in one place (see docs/queue.md,
 * "Redis restarts"). Both kinds reconnect forever, quickly; they differ in what a command does
 * while Redis is away.
 */

/** ORGSYNC_REDIS_TIMEOUT_MS's default: how long a CLI or `serve` command waits for Redis to come back. */
export const DEFAULT_REDIS_TIMEOUT_MS = 20_000;

/** Delay before reconnect attempt `attempt` (1, 2, …): 100 ms, growing to 1 s, for ever. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(100 * attempt, 1_000);
}

/**
 * A worker's connection (BullMQ's contract for blocking commands): commands wait through a Redis
 * restart for as long as it takes (`maxRetriesPerRequest: null`, offline queue on), and the
 * connection reconnects every second at most.
 */
export function workerConnectionOptions(): RedisOptions {
  return { maxRetriesPerRequest: null, enableOfflineQueue: true, retryStrategy: reconnectDelayMs };
}

/**
 * A producer's or the CLI's connection (`orgsync enqueue`, `orgsync runs`, `orgsync serve`):
 * commands issued while Redis is away are queued and sent once it is back, so a restart is ridden
 * through; each command fails after `timeoutMs` (`commandTimeout`) when Redis has not answered by
 * then (see `isRedisUnavailable`), so nothing waits for ever. Never used for blocking commands.
 */
export function producerConnectionOptions(timeoutMs: number = DEFAULT_REDIS_TIMEOUT_MS): RedisOptions {
  return {
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    commandTimeout: timeoutMs,
    connectTimeout: Math.min(5_000, timeoutMs),
    retryStrategy: reconnectDelayMs,
  };
}

const UNAVAILABLE_MESSAGES = new Set([
  'Command timed out',
  'Connection is closed.',
  "Stream isn't writeable and enableOfflineQueue options is false",
]);

/** Whether `error` is ioredis saying Redis did not answer (timed out, closed, retries spent). */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.name === 'MaxRetriesPerRequestError' || UNAVAILABLE_MESSAGES.has(error.message);
}
