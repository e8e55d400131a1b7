/** The two Redis commands the watermark store needs; an ioredis client fits. */
export interface WatermarkRedis {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
}

/**
 * Where incremental runs (`--since last`) keep their watermark: the instant up to which a source
 * has been fully synced. The caller decides when it moves and to what (see docs/sources.md).
 */
export interface WatermarkStore {
  /** The watermark of the source, or `null` when there is none (or it is unreadable): run in full. */
  get(sourceDescription: string): Promise<Date | null>;
  /** Sets the watermark of the source. Throws `RangeError` for an invalid date. */
  set(sourceDescription: string, at: Date): Promise<void>;
}

/**
 * A `WatermarkStore` in Redis: one key per source, `<keyPrefix>:watermark:<sourceDescription>`,
 * holding an ISO 8601 instant. The description is the source's own (`postgres:accounts`, a URL
 * without credentials), so it never holds a secret.
 */
export function createWatermarkStore(redis: WatermarkRedis, keyPrefix = 'orgsync'): WatermarkStore {
  const keyOf = (sourceDescription: string): string => `${keyPrefix}:watermark:${sourceDescription}`;
  return {
    async get(sourceDescription) {
      const text = await redis.get(keyOf(sourceDescription));
      if (text === null) return null;
      const at = new Date(text);
      // A value nobody can read means "no watermark": a full run is always safe.
      return Number.isNaN(at.getTime()) ? null : at;
    },
    async set(sourceDescription, at) {
      if (Number.isNaN(at.getTime())) throw new RangeError(`invalid watermark date for ${sourceDescription}`);
      await redis.set(keyOf(sourceDescription), at.toISOString());
    },
  };
}
