import { createHash, randomUUID } from 'node:crypto';
import type { RedisConnection as Redis } from './redis-client.js';
import type { Logger } from 'pino';
import { OrgsyncError } from '../errors.js';
import { realSleep, type Sleep } from '../scalekit/sleep.js';
import { orgsyncKeyPrefix } from './redis-keys.js';
import { defineLuaScript } from './lua-script.js';

/** `exclusive(key, fn)` waited longer than `waitTimeoutMs` for another holder to finish. */
export class LockTimeoutError extends OrgsyncError {
  readonly key: string;

  constructor(key: string, waitTimeoutMs: number) {
    super(
      'ERR_LOCK_TIMEOUT',
      `another job held the lock on ${key} for more than ${waitTimeoutMs} ms; the item is left for the next run`,
    );
    this.key = key;
  }
}

/** Options of `createRedisLock`. */
export interface RedisLockOptions {
  redis: Redis;
  /** What the keys are unique within, e.g. the Scalekit environment URL (hashed into the key). */
  scope: string;
  /** Default `orgsync:` (`{orgsync}:` on a cluster). */
  keyPrefix?: string;
  /** Lifetime of a lock that its holder stopped renewing (a crashed process). Default 30,000 ms. */
  ttlMs?: number;
  /** How long `exclusive` waits for the lock before throwing `LockTimeoutError`. Default 120,000 ms. */
  waitTimeoutMs?: number;
  /** First wait between attempts; doubled (with jitter) up to 1,000 ms. Default 25 ms. */
  retryDelayMs?: number;
  logger?: Logger;
  /** Default: a real timer. */
  sleep?: Sleep;
  /** Default `Math.random` (jitter). */
  random?: () => number;
}

/** Per-key mutual exclusion across processes: the `exclusive` hook of `runSync`. */
export interface RedisLock {
  /** Runs `fn` while this process alone holds `key`; waits for it with backoff until the deadline. */
  exclusive<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/** Extends the lock only while it still holds our token. */
const RENEW = defineLuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);

/** Deletes the lock only while it still holds our token (never someone else's after an expiry). */
const RELEASE = defineLuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/**
 * A Redis lock per key (SET NX PX with a random token), renewed every third of its TTL while held
 * and released by compare-and-delete. Two jobs in any processes never run `fn` for one key at once,
 * as long as the holder's process keeps renewing (a process stalled past the TTL loses the lock, and
 * the loss is logged).
 */
export function createRedisLock(options: RedisLockOptions): RedisLock {
  const { redis } = options;
  const ttlMs = options.ttlMs ?? 30_000;
  const waitTimeoutMs = options.waitTimeoutMs ?? 120_000;
  const firstDelayMs = options.retryDelayMs ?? 25;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const scopeId = createHash('sha256').update(options.scope).digest('hex').slice(0, 16);
  const keyOf = (key: string) => `${options.keyPrefix ?? orgsyncKeyPrefix(redis)}lock:{${scopeId}}:${key}`;

  async function acquire(lockKey: string, token: string, key: string): Promise<void> {
    const deadline = Date.now() + waitTimeoutMs;
    let delayMs = firstDelayMs;
    for (;;) {
      if ((await redis.set(lockKey, token, 'PX', ttlMs, 'NX')) === 'OK') return;
      const leftMs = deadline - Date.now();
      if (leftMs <= 0) throw new LockTimeoutError(key, waitTimeoutMs);
      await sleep(Math.min(leftMs, delayMs * (0.5 + random())));
      delayMs = Math.min(delayMs * 2, 1_000);
    }
  }

  function keepRenewed(lockKey: string, token: string, key: string): () => void {
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const schedule = () => {
      timer = setTimeout(() => {
        RENEW.run(redis, [lockKey], [token, ttlMs]).then(
          (renewed) => {
            if (stopped) return;
            if (Number(renewed) !== 1)
              options.logger?.warn(
                { lock: key },
                'lost the lock while holding it (expired); another job may now work on the same organization',
              );
            else schedule();
          },
          (error: unknown) => {
            if (stopped) return;
            options.logger?.warn({ lock: key, err: error }, 'could not renew a lock; retrying');
            schedule();
          },
        );
      }, ttlMs / 3);
      timer.unref();
    };
    schedule();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  return {
    async exclusive(key, fn) {
      const lockKey = keyOf(key);
      const token = randomUUID();
      await acquire(lockKey, token, key);
      const stop = keepRenewed(lockKey, token, key);
      try {
        return await fn();
      } finally {
        stop();
        try {
          await RELEASE.run(redis, [lockKey], [token]);
        } catch (error) {
          // The lock expires on its own after ttlMs; the work itself succeeded or failed already.
          options.logger?.warn({ lock: key, err: error }, 'could not release a lock; it will expire on its own');
        }
      }
    },
  };
}
