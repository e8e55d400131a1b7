import type { Redis } from 'ioredis';
import { z } from 'zod';
import { defineLuaScript } from './lua-script.js';

/** Default lifetime of a stored account: a day, far longer than any reconcile waits. */
export const DEFAULT_LATEST_TTL_S = 24 * 3_600;

/** Keeps a value only when it is at least as new as the stored one: webhooks may arrive out of order. */
const PUT_IF_NEWER = defineLuaScript(`
local current = redis.call('HGET', KEYS[1], 'at')
if current and tonumber(current) > tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'at', ARGV[1], 'account', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
`);

const accountSchema = z.record(z.string(), z.string().nullable());

/** The newest version of an account that a webhook carried, and when it happened (epoch ms). */
export interface LatestAccount {
  account: Record<string, string | null>;
  atMs: number;
}

/**
 * The newest whole account each webhook delivered, per external ID. A reconcile waiting in the
 * queue is deduplicated, so it may carry an older payload than the last delivery: the job reads
 * this store when it runs and applies whichever version is newer.
 */
export interface LatestAccounts {
  /** Stores `account` unless a newer one is stored already; returns whether it was stored. */
  put(externalId: string, account: Record<string, string | null>, atMs: number): Promise<boolean>;
  get(externalId: string): Promise<LatestAccount | null>;
}

/** Keys are `<keyPrefix>latest-account:<external ID>`, hashes with a TTL. */
export function createLatestAccounts(
  redis: Redis,
  options: { keyPrefix: string; ttlSeconds?: number },
): LatestAccounts {
  const key = (externalId: string) => `${options.keyPrefix}latest-account:${externalId}`;
  const ttl = options.ttlSeconds ?? DEFAULT_LATEST_TTL_S;
  return {
    async put(externalId, account, atMs) {
      const stored = await PUT_IF_NEWER.run(redis, [key(externalId)], [atMs, JSON.stringify(account), ttl]);
      return stored === 1;
    },
    async get(externalId) {
      const [at, json] = await redis.hmget(key(externalId), 'at', 'account');
      if (at === null || at === undefined || json === null || json === undefined) return null;
      const parsed = accountSchema.safeParse(JSON.parse(json));
      const atMs = Number(at);
      return parsed.success && Number.isFinite(atMs) ? { account: parsed.data, atMs } : null;
    },
  };
}
