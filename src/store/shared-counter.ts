import type { RedisConnection } from './redis-client.js';

/** A count that every worker adds to, kept in one Redis key so that `orgsync serve` can read the total. */
export interface SharedCounter {
  count(): Promise<void>;
}

export function createSharedCounter(redis: RedisConnection, key: string): SharedCounter {
  return {
    async count() {
      await redis.incr(key);
    },
  };
}

/** What every worker has counted at `key` so far (0 when none has). */
export async function readSharedCount(redis: RedisConnection, key: string): Promise<number> {
  return Number((await redis.get(key)) ?? 0);
}
