/**
 * The one place that names the prefixes of Redis keys: orgsync's own (run history, import chunks,
 * locks, rate budget, watermarks, ...) and BullMQ's. On a single server (standalone or behind
 * Sentinel) they are `orgsync:` and BullMQ's default `bull`. On a Redis Cluster every key carries
 * the hash tag `{orgsync}`, so that all of them live in one slot: BullMQ's scripts and ours touch
 * several keys at once, which a cluster allows only within one slot.
 */

/** The hash tag of every key on a Redis Cluster. */
export const REDIS_HASH_TAG = '{orgsync}';

/** BullMQ's own default prefix, kept on a single server so that existing queues stay where they are. */
const BULLMQ_DEFAULT_PREFIX = 'bull';

/** Anything that says whether it is a cluster client (ioredis `Redis` and `Cluster` both do). */
export interface KeyspaceOf {
  isCluster?: boolean;
}

const onCluster = (redis: KeyspaceOf | undefined): boolean => redis?.isCluster === true;

/** Prefix of every key orgsync itself writes: `orgsync:`, or `{orgsync}:` on a cluster. */
export function orgsyncKeyPrefix(redis?: KeyspaceOf): string {
  return onCluster(redis) ? `${REDIS_HASH_TAG}:` : 'orgsync:';
}

/** Keys that belong to one queue (run history, bulk-import chunks): `orgsync:<queue>:` (`{orgsync}:<queue>:`). */
export function queueKeyPrefix(queueName: string, redis?: KeyspaceOf): string {
  return `${orgsyncKeyPrefix(redis)}${queueName}:`;
}

/** BullMQ's `prefix` option for queues, workers and flow producers on this connection. */
export function bullPrefix(redis: KeyspaceOf): string {
  return onCluster(redis) ? REDIS_HASH_TAG : BULLMQ_DEFAULT_PREFIX;
}
