import type { Redis } from 'ioredis';
import { WEBHOOK_TOLERANCE_SECONDS } from './webhook-verifier.js';

/**
 * Remembers which `webhook-id`s were accepted, so that a replayed delivery is acknowledged and
 * ignored. An id needs remembering only while its timestamp can still pass verification.
 */
export interface ReplayGuard {
  /** `true` the first time `webhookId` is seen in `scope` (a route), `false` for a replay. */
  claim(scope: string, webhookId: string): Promise<boolean>;
  /** Forgets a claimed id, when the delivery could not be handled and the sender should retry. */
  release(scope: string, webhookId: string): Promise<void>;
}

/** Options of `createRedisReplayGuard`. */
export interface RedisReplayGuardOptions {
  /** Prefix of the keys, e.g. `orgsync:orgsync:`; the guard adds `webhook-id:<scope>:<id>`. */
  keyPrefix: string;
  /**
   * How long an id is remembered, in seconds. Default 600: the whole window in which a timestamp
   * verifies (5 minutes either side of now).
   */
  ttlSeconds?: number;
}

/** A `ReplayGuard` on Redis: `SET key 1 NX EX ttl`, shared by every instance of the service. */
export function createRedisReplayGuard(redis: Redis, options: RedisReplayGuardOptions): ReplayGuard {
  const ttlSeconds = options.ttlSeconds ?? 2 * WEBHOOK_TOLERANCE_SECONDS;
  if (!(Number.isInteger(ttlSeconds) && ttlSeconds > 0))
    throw new RangeError(`ttlSeconds must be a positive integer, got ${ttlSeconds}`);
  const keyOf = (scope: string, webhookId: string): string => `${options.keyPrefix}webhook-id:${scope}:${webhookId}`;
  return {
    async claim(scope, webhookId) {
      const result = await redis.set(keyOf(scope, webhookId), '1', 'EX', ttlSeconds, 'NX');
      return result === 'OK';
    },
    async release(scope, webhookId) {
      await redis.del(keyOf(scope, webhookId));
    },
  };
}

/** An in-memory `ReplayGuard` for unit tests (no expiry). */
export function createMemoryReplayGuard(): ReplayGuard {
  const seen = new Set<string>();
  return {
    async claim(scope, webhookId) {
      const key = `${scope}\u0000${webhookId}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    },
    async release(scope, webhookId) {
      seen.delete(`${scope}\u0000${webhookId}`);
    },
  };
}
