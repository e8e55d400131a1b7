import { formatInstant, parseInstant, type Instant } from '../sources/instant.js';
import { orgsyncKeyPrefix } from './redis-keys.js';

/** The two Redis commands the watermark store needs; an ioredis client fits. */
export interface WatermarkRedis {
  /** True for a Redis Cluster client: the key then carries the `{orgsync}` hash tag. */
  isCluster?: boolean;
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
}

/**
 * Where incremental runs (`--since last`) keep their watermark: the instant up to which a source
 * has been fully synced, to the source's full precision (PostgreSQL's microseconds, an API's
 * nanoseconds). The caller decides when it moves and to what (see docs/sources.md).
 */
export interface WatermarkStore {
  /** The watermark of the source, or `null` when there is none (or it is unreadable): run in full. */
  get(sourceDescription: string): Promise<Instant | null>;
  /** Sets the watermark of the source (an `Instant` or RFC 3339 text). Throws `RangeError` for anything else. */
  set(sourceDescription: string, at: Instant): Promise<void>;
}

/**
 * A `WatermarkStore` in Redis: one key per source, `<keyPrefix>:watermark:<sourceDescription>`,
 * holding RFC 3339 text with every digit the source gave (`2024-05-06T07:08:09.123456Z`). The
 * description is the source's own (`postgres:accounts`, a URL without credentials), so it never
 * holds a secret.
 */
export function createWatermarkStore(
  redis: WatermarkRedis,
  keyPrefix = orgsyncKeyPrefix(redis).replace(/:$/, ''),
): WatermarkStore {
  const keyOf = (sourceDescription: string): string => `${keyPrefix}:watermark:${sourceDescription}`;
  return {
    async get(sourceDescription) {
      const text = await redis.get(keyOf(sourceDescription));
      // A value nobody can read means "no watermark": a full run is always safe.
      return text === null ? null : (parseInstant(text) ?? null);
    },
    async set(sourceDescription, at) {
      const instant = parseInstant(at);
      if (instant === undefined) throw new RangeError(`invalid watermark instant for ${sourceDescription}`);
      await redis.set(keyOf(sourceDescription), formatInstant(instant));
    },
  };
}
