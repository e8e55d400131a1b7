import type { RedisConnection as Redis } from './redis-client.js';
import { z } from 'zod';
import type { KnownState, ObservedOrganization, PushedState } from './known-state.js';
import { defineLuaScript } from './lua-script.js';

/** Default lifetime of what is kept for an external ID: a day, far longer than any reconcile waits. */
export const DEFAULT_LATEST_TTL_S = 24 * 3_600;

/**
 * Sets a time field and its value field unless the stored time is newer (webhooks may arrive out of
 * order; on a tie the later arrival wins), drops the fields listed after the TTL, refreshes the TTL.
 * KEYS[1] the hash; ARGV: time field, value field, epoch ms, value, TTL seconds, fields to drop...
 */
const PUT_IF_NEWER = defineLuaScript(`
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and tonumber(current) > tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3], ARGV[2], ARGV[4])
for i = 6, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
`);

const accountSchema = z.record(z.string(), z.string().nullable());
const pushedSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('account'), account: accountSchema }),
  z.object({ kind: z.literal('deleted') }),
  z.object({ kind: z.literal('source') }),
]);
const observedSchema = z.object({
  id: z.string(),
  external_id: z.string(),
  display_name: z.string(),
  metadata: z.record(z.string(), z.string()),
});

/**
 * Per external ID, the newest state the host system pushed and the newest organization Scalekit
 * showed (see known-state.ts). Reconciles waiting in the queue are deduplicated, so a job may
 * carry an older payload than the last delivery: it reads this store when it runs.
 */
export interface LatestAccounts {
  /** Stores `state` unless a newer pushed state is stored already; returns whether it was stored. */
  putPushed(externalId: string, state: PushedState): Promise<boolean>;
  /** Stores `observed` unless a newer observation is stored already; returns whether it was stored. */
  putObserved(externalId: string, observed: ObservedOrganization): Promise<boolean>;
  get(externalId: string): Promise<KnownState>;
}

/**
 * Keys are `<keyPrefix>latest-account:<external ID>`, hashes with a TTL: `at` + `state` (pushed;
 * `account` alone is the older format, a whole account) and `seen_at` + `seen` (observed).
 */
export function createLatestAccounts(
  redis: Redis,
  options: { keyPrefix: string; ttlSeconds?: number },
): LatestAccounts {
  const key = (externalId: string) => `${options.keyPrefix}latest-account:${externalId}`;
  const ttl = options.ttlSeconds ?? DEFAULT_LATEST_TTL_S;
  return {
    async putPushed(externalId, state) {
      const { atMs, ...value } = state;
      const args = ['at', 'state', atMs, JSON.stringify(value), ttl, 'account'];
      return (await PUT_IF_NEWER.run(redis, [key(externalId)], args)) === 1;
    },
    async putObserved(externalId, observed) {
      const { atMs, ...value } = observed;
      const args = ['seen_at', 'seen', atMs, JSON.stringify(value), ttl];
      return (await PUT_IF_NEWER.run(redis, [key(externalId)], args)) === 1;
    },
    async get(externalId) {
      const [at, state, legacy, seenAt, seen] = await redis.hmget(
        key(externalId),
        'at',
        'state',
        'account',
        'seen_at',
        'seen',
      );
      return {
        pushed: readPushed(at ?? null, state ?? null, legacy ?? null),
        observed: readObserved(seenAt ?? null, seen ?? null),
      };
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function readPushed(at: string | null, state: string | null, legacy: string | null): PushedState | null {
  const atMs = Number(at);
  if (at === null || !Number.isFinite(atMs)) return null;
  const value =
    state === null ? (legacy === null ? undefined : { kind: 'account', account: parseJson(legacy) }) : parseJson(state);
  const parsed = pushedSchema.safeParse(value);
  return parsed.success ? { ...parsed.data, atMs } : null;
}

function readObserved(at: string | null, seen: string | null): ObservedOrganization | null {
  const atMs = Number(at);
  if (at === null || seen === null || !Number.isFinite(atMs)) return null;
  const parsed = observedSchema.safeParse(parseJson(seen));
  return parsed.success ? { ...parsed.data, atMs } : null;
}
