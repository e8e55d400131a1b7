import type { RedisConnection as Redis } from './redis-client.js';
import { createSharedCounter, readSharedCount, type SharedCounter } from './shared-counter.js';

/**
 * Scalekit events that echoed orgsync's own write (a reconcile that found nothing to do and
 * recorded no run), counted by every worker in one Redis counter so that `orgsync serve` can show
 * the total at `/metrics`: `<keyPrefix>reconcile-echoes`.
 */
export type EchoCounter = SharedCounter;

const keyOf = (keyPrefix: string) => `${keyPrefix}reconcile-echoes`;

export function createEchoCounter(redis: Redis, options: { keyPrefix: string }): EchoCounter {
  return createSharedCounter(redis, keyOf(options.keyPrefix));
}

/** The echoes every worker has counted so far. */
export async function readEchoCount(redis: Redis, keyPrefix: string): Promise<number> {
  return readSharedCount(redis, keyOf(keyPrefix));
}
