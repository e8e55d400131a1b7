import type { RedisConnection as Redis } from './redis-client.js';
import { createSharedCounter, readSharedCount, type SharedCounter } from './shared-counter.js';

/**
 * Reconciles that changed nothing and failed nothing (not recorded as runs, so that they never
 * crowd the run history), counted by every worker in one Redis counter so that `orgsync serve` can
 * show the total at `/metrics` as `orgsync_reconcile_noop_total`: `<keyPrefix>reconcile-noops`.
 */
export type NoopCounter = SharedCounter;

const keyOf = (keyPrefix: string) => `${keyPrefix}reconcile-noops`;

export function createNoopCounter(redis: Redis, options: { keyPrefix: string }): NoopCounter {
  return createSharedCounter(redis, keyOf(options.keyPrefix));
}

/** The no-op reconciles every worker has counted so far. */
export async function readNoopCount(redis: Redis, keyPrefix: string): Promise<number> {
  return readSharedCount(redis, keyOf(keyPrefix));
}
